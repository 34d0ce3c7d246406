import {describe, expect, it} from 'vitest';
import {getopt, type OptSpec} from '../../../src/cli/getopt.js';

const specs: OptSpec[] = [
  {key: 'add', short: 'a', long: 'add', arg: 'none'},
  {key: 'delete', short: 'd', long: 'delete', arg: 'none'},
  {key: 'password', short: 'p', long: 'password', arg: 'required'},
  {key: 'pwddb', short: 'P', long: 'pwddb', arg: 'required'},
  {key: 'nodetach', short: 'n', long: 'nodetach', arg: 'optional'},
];

describe('getopt (GNU getopt_long behaviour)', () => {
  it('clusters, attached and separate arguments, operands anywhere', () => {
    const r = getopt('t', ['-ap', 'pw', 'alice', '-Pdb', '--pass=x', '--del'], specs);
    expect(r).toEqual({
      ok: true,
      opts: [{key: 'add'}, {key: 'password', value: 'pw'}, {key: 'pwddb', value: 'db'}, {key: 'password', value: 'x'}, {key: 'delete'}],
      operands: ['alice'],
    });
  });
  it('optional arguments only attached; -- ends options', () => {
    expect(getopt('t', ['-n0', '--nodetach', '--', '-a'], specs)).toEqual({ok: true, opts: [{key: 'nodetach', value: '0'}, {key: 'nodetach', value: undefined}], operands: ['-a']});
  });
  it.each([
    [['-x'], "t: invalid option -- 'x'"],
    [['-p'], "t: option requires an argument -- 'p'"],
    [['--bogus'], "t: unrecognized option '--bogus'"],
    [['--p'], "t: option '--p' is ambiguous; possibilities: '--password' '--pwddb'"],
    [['--add=1'], "t: option '--add' doesn't allow an argument"],
    [['--password'], "t: option '--password' requires an argument"],
  ])('%j -> %s', (argv, message) => {
    expect(getopt('t', argv, specs)).toEqual({ok: false, message});
  });
});
