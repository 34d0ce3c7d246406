// The lean door to `ksmbd mountd` (commands/mountd-run.ts): which command lines it takes itself and which it
// leaves to oclif. Whatever it takes must mean what oclif would make of it.
import {describe, expect, it} from 'vitest';
import {parseMountdFlags} from '../../../commands/mountd-run.js';
import {defaultConfigPath, defaultPwdDbPath} from '../../../src/control/paths.js';

describe('parseMountdFlags', () => {
  it('takes every spelling of the six flags', () => {
    expect(parseMountdFlags(['-n', '-p', '4450', '-C', 'a.conf', '-P', 'b.db', '--rundir', '/tmp/r', '-v'])).toEqual({
      nodetach: true, verbose: true, port: 4450, config: 'a.conf', pwddb: 'b.db', rundir: '/tmp/r',
    });
    expect(parseMountdFlags(['--nodetach', '--port=445', '--config=x', '--pwddb', 'y', '--rundir=/r', '--verbose'])).toEqual({
      nodetach: true, verbose: true, port: 445, config: 'x', pwddb: 'y', rundir: '/r',
    });
    expect(parseMountdFlags(['-p4450', '-Cx', '-Py'])).toMatchObject({port: 4450, config: 'x', pwddb: 'y', nodetach: false});
  });

  it('fills in the same defaults as the oclif command', () => {
    expect(parseMountdFlags([])).toEqual({
      nodetach: false, verbose: false, port: undefined, config: defaultConfigPath(), pwddb: defaultPwdDbPath(), rundir: undefined,
    });
  });

  it('leaves help, unknown, repeated, missing and doubtful arguments to oclif', () => {
    for (const argv of [
      ['--help'], ['-h'], ['-x'], ['operand'], ['--'], ['-nv'], ['-n', '-n'], ['-p', '1', '--port', '2'],
      ['-p'], ['-p', '0'], ['-p', '65536'], ['-p', '12a'], ['-p', '-1'], ['--port='], ['-C', '-n'], ['-C='], ['-p=1'],
      ['--config'], ['--no-nodetach'], ['--json'],
    ]) expect(parseMountdFlags(argv), argv.join(' ')).toBeUndefined();
  });
});
