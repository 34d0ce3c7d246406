import {describe, expect, it} from 'vitest';
import {parseConf, writeConf, getSection} from '../../../src/config/conf-file.js';
import {ConfigError} from '../../../src/config/errors.js';

describe('parseConf (ksmbd-tools 3.5.x rules)', () => {
  it('reads sections, keys case-insensitively, inline comments, trailing blanks', () => {
    const c = parseConf('# c\n; c\n[global]\n\tWorkGroup = HOME   ; inline\n  netbios name=nas#x\n[Data]\npath = /srv/data\n');
    const g = getSection(c, 'GLOBAL')!;
    expect(g.params.get('workgroup')).toMatchObject({key: 'WorkGroup', value: 'HOME   ', line: 4});
    expect(g.params.get('netbios name')!.value).toBe('nas');
    expect(getSection(c, 'data')!.name).toBe('Data');
  });

  it('first non-empty value wins; an empty value is unset', () => {
    const c = parseConf('[s]\npath =\npath = /a\npath = /b\ncomment =\n');
    const s = getSection(c, 's')!;
    expect(s.params.get('path')!.value).toBe('/a');
    expect(s.params.has('comment')).toBe(false);
  });

  it('a repeated section continues the first one and keeps its spelling', () => {
    const c = parseConf('[Media]\npath = /m\n[media]\ncomment = c\n');
    expect(c.sections.size).toBe(1);
    const s = getSection(c, 'MEDIA')!;
    expect(s.name).toBe('Media');
    expect([...s.params.keys()]).toEqual(['path', 'comment']);
  });

  it('accepts CRLF line ends and a byte order mark', () => {
    const c = parseConf('\uFEFF[s]\r\npath = /x\r\n');
    expect(getSection(c, 's')!.params.get('path')!.value).toBe('/x');
  });

  it.each([
    ['garbage line', '[s]\nthis line is garbage\n', 2],
    ['parameter before any section', 'path = /x\n', 1],
    ['unterminated section', '[s\n', 1],
    ['bracket in section name', '[a[b]\n', 1],
    ['empty key', '[s]\n = v\n', 2],
    ['control character', '[s]\npath = /x\u0001\n', 2],
    ['64-byte section name', `[${'x'.repeat(64)}]\n`, 1],
  ])('rejects %s with its line number', (_what, text, line) => {
    try {
      parseConf(text, 'ksmbd.conf');
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(ConfigError);
      expect((e as ConfigError).line).toBe(line);
      expect((e as ConfigError).located).toMatch(new RegExp(`^ksmbd\\.conf:${line}: `));
    }
  });
});

describe('writeConf (ksmbd-tools 3.5.x layout)', () => {
  it('orders [global], IPC$, then sections in byte order, keys sorted, headings by kind', () => {
    const c = parseConf('[zeta]\npath = /z\n[IPC$]\ncomment = ipc\n[Alpha]\nvalid users = a\npath = /a\nfruit:time machine = yes\n[global]\nworkgroup = W\nbrowseable = no\n');
    expect(writeConf(c)).toBe(
      '; see ksmbd.conf(5) for details\n\n' +
        '[global]\n\t; global parameters\n\tworkgroup = W\n\n\t; default share parameters\n\tbrowseable = no\n\n' +
        '[IPC$]\n\t; share parameters\n\tcomment = ipc\n\n' +
        '[Alpha]\n\t; parameters\n\tfruit:time machine = yes\n\n\t; share parameters\n\tpath = /a\n\tvalid users = a\n\n' +
        '[zeta]\n\t; share parameters\n\tpath = /z\n\n',
    );
  });

  it('round-trips: writing what it parsed gives the same file again', () => {
    const once = writeConf(parseConf('[b]\npath = /b\n[a]\npath = /a\ncomment = x ; y\n'));
    expect(writeConf(parseConf(once))).toBe(once);
  });
});
