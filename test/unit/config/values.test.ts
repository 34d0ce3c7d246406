import {describe, expect, it} from 'vitest';
import {parseBoolean, parseList, parseMask, parseProtocol, parseSize, parseTristate} from '../../../src/config/values.js';
import {interpretConf, globalValue, shareValue, findShare, firstError} from '../../../src/config/load.js';
import {parseConf} from '../../../src/config/conf-file.js';

const v = <T>(r: {ok: boolean; value?: T}) => (r.ok ? r.value : 'ERR');

describe('values', () => {
  it('booleans: clear words only', () => {
    for (const t of ['yes', 'YES', 'true', '1', 'enable', 'enabled', 'on']) expect(v(parseBoolean(t))).toBe(true);
    for (const f of ['no', 'false', '0', 'disable', 'disabled', 'off']) expect(v(parseBoolean(f))).toBe(false);
    for (const x of ['maybe', '', 'yess', '2']) expect(parseBoolean(x).ok).toBe(false);
  });
  it('sizes: strtoull base 0 and K/M/G suffixes (first letter counts)', () => {
    expect(v(parseSize('8192'))).toBe(8192);
    expect(v(parseSize('4M'))).toBe(4 << 20);
    expect(v(parseSize('4MB'))).toBe(4 << 20);
    expect(v(parseSize('1k'))).toBe(1024);
    expect(v(parseSize('0x10'))).toBe(16);
    expect(v(parseSize('010'))).toBe(8);
    expect(v(parseSize('2G'))).toBe(2 * 1024 ** 3);
    for (const x of ['', 'x', '-1', '4Q', '08']) expect(parseSize(x).ok).toBe(false);
  });
  it('masks are octal', () => {
    expect(v(parseMask('0744'))).toBe(0o744);
    expect(v(parseMask('644'))).toBe(0o644);
    expect(parseMask('0999').ok).toBe(false);
  });
  it('tristates and protocols', () => {
    expect(v(parseTristate('mandatory'))).toBe('mandatory');
    expect(v(parseTristate('Auto'))).toBe('auto');
    expect(v(parseTristate('disabled'))).toBe('disabled');
    expect(parseTristate('sometimes').ok).toBe(false);
    expect(v(parseProtocol('smb3_11'))).toBe('SMB3_11');
    expect(v(parseProtocol('SMB2'))).toBe('SMB2_10');
    expect(parseProtocol('NT1').ok).toBe(false);
  });
  it('lists split on blanks and commas', () => {
    expect(parseList(' alice, bob\t@staff,,carol ')).toEqual(['alice', 'bob', '@staff', 'carol']);
  });
});

describe('interpretConf', () => {
  const conf = interpretConf(
    parseConf('[global]\nguest account = guest\nread only = no\nmax connections = 10\n[a]\npath = /a\nwritable = no\n[b]\npath = /b\nread only = yes\nwriteable = yes\n[c]\npath = /c\n'),
  );
  it('global values and defaults', () => {
    expect(globalValue(conf, 'guest account')).toBe('guest');
    expect(globalValue(conf, 'max connections')).toBe(10);
    expect(globalValue(conf, 'workgroup')).toBe('WORKGROUP');
    expect(globalValue(conf, 'server signing')).toBe('auto');
  });
  it('share values: own, then [global] defaults, then built-in defaults; read only beats its synonyms', () => {
    expect(shareValue(findShare(conf, 'a')!, 'read only')).toBe(true);
    expect(shareValue(findShare(conf, 'b')!, 'read only')).toBe(true);
    expect(shareValue(findShare(conf, 'c')!, 'read only')).toBe(false);
    expect(shareValue(findShare(conf, 'c')!, 'create mask')).toBe(0o744);
    expect(shareValue(findShare(conf, 'c')!, 'max connections')).toBe(10);
  });
  it('read only beats writable in either file order', () => {
    const c = interpretConf(parseConf('[a]\npath = /a\nwritable = yes\nread only = yes\n[b]\npath = /b\nwrite ok = yes\n'));
    expect(shareValue(findShare(c, 'a')!, 'read only')).toBe(true);
    expect(shareValue(findShare(c, 'b')!, 'read only')).toBe(false);
  });
  it('integers have ranges', () => {
    const c = interpretConf(parseConf('[global]\ntcp port = -1\ndeadtime = -5\nmax connections = 0x10\n'));
    expect(c.issues.filter((i) => i.severity === 'error').map((i) => i.key)).toEqual(['tcp port', 'deadtime']);
    expect(interpretConf(parseConf('[global]\ntcp port = 70000\n')).issues[0]!.message).toMatch(/at most 65535/);
  });
  it('apple time machine is a synonym of fruit:time machine', () => {
    const c = interpretConf(parseConf('[tm]\npath = /tm\napple time machine = yes\n'));
    expect(shareValue(findShare(c, 'tm')!, 'fruit:time machine')).toBe(true);
  });
  it('IPC$ is implicit', () => {
    expect(shareValue(findShare(conf, 'ipc$')!, 'comment')).toBe('IPC share');
  });
  it('reports bad values as errors and unknown or misplaced keys as warnings', () => {
    const c = interpretConf(parseConf('[global]\nsmb2 max read = lots\nbogus = 1\n[s]\npath = /s\nworkgroup = X\nguest ok = maybe\nbrowsable = no\n'));
    expect(c.issues.filter((i) => i.severity === 'error').map((i) => i.key)).toEqual(['smb2 max read', 'guest ok']);
    expect(c.issues.filter((i) => i.severity === 'warning').map((i) => i.key)).toEqual(['bogus', 'workgroup']);
    expect(firstError(c)!.line).toBe(2);
    expect(shareValue(findShare(c, 's')!, 'browseable')).toBe(false);
  });
});
