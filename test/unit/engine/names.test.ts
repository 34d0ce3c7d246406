// Search patterns (MS-FSA 2.1.4.4) and CREATE path validation (MS-SMB2 3.3.5.9, MS-FSCC 2.1.5).
import {describe, expect, it} from 'vitest';
import {NtStatus, NtStatusError} from '../../../src/smb2/ntstatus.js';
import {parseSmbPath, smbDisplayPath} from '../../../src/vfs/paths.js';
import {NamePattern} from '../../../src/vfs/wildcard.js';

const m = (pattern: string, name: string) => new NamePattern(pattern).matches(name);

describe('NamePattern', () => {
  it('* matches everything, literal names match ignoring case', () => {
    expect(m('*', '.')).toBe(true);
    expect(m('*', 'anything.txt')).toBe(true);
    expect(m('ReadMe.TXT', 'readme.txt')).toBe(true);
    expect(m('readme.txt', 'readme.txt2')).toBe(false);
  });

  it('? is one character, * any run', () => {
    expect(m('a?c', 'abc')).toBe(true);
    expect(m('a?c', 'ac')).toBe(false);
    expect(m('*.txt', 'x.txt')).toBe(true);
    expect(m('*.txt', 'x.txt.bak')).toBe(false);
    expect(m('a*b*c', 'aXXbYYc')).toBe(true);
    expect(m('a*b*c', 'aXXbYY')).toBe(false);
  });

  it('DOS_STAR (<) stops before the final dot', () => {
    expect(m('<.txt', 'a.b.txt')).toBe(true);
    expect(m('<', 'noext')).toBe(true);
    expect(m('<.', 'file.')).toBe(true);
    expect(m('<x', 'a.bx')).toBe(false); // < cannot run past the final dot
  });

  it('DOS_QM (>) is one character, or nothing at a dot or the end', () => {
    expect(m('ab>>', 'ab')).toBe(true);
    expect(m('ab>>', 'abcd')).toBe(true);
    expect(m('ab>>', 'abcde')).toBe(false);
    expect(m('>>.txt', 'a.txt')).toBe(true);
  });

  it('DOS_DOT (") is a dot, or nothing at the end', () => {
    expect(m('file"*', 'file.c')).toBe(true);
    expect(m('file"', 'file')).toBe(true);
    expect(m('file"', 'filex')).toBe(false);
  });

  it('stays fast on hostile patterns', () => {
    const t = Date.now();
    expect(m('*a*a*a*a*a*a*a*a*a*a*b', 'a'.repeat(200))).toBe(false);
    expect(Date.now() - t).toBeLessThan(500);
  });
});

function status(f: () => unknown): number | undefined {
  try {
    f();
  } catch (e) {
    if (e instanceof NtStatusError) return e.status;
    throw e;
  }
  return undefined;
}

describe('parseSmbPath', () => {
  it('splits relative paths and names the root with no components', () => {
    expect(parseSmbPath('')).toEqual({components: [], defaultStream: false});
    expect(parseSmbPath('dir\\file.txt').components).toEqual(['dir', 'file.txt']);
    expect(parseSmbPath('dir\\').components).toEqual(['dir']);
    expect(parseSmbPath('file.txt::$DATA')).toEqual({components: ['file.txt'], defaultStream: true});
    expect(smbDisplayPath(['dir', 'f'])).toBe('\\dir\\f');
  });

  it('refuses absolute paths, .., empty components and invalid characters as Windows does', () => {
    expect(status(() => parseSmbPath('\\etc\\passwd'))).toBe(NtStatus.INVALID_PARAMETER);
    expect(status(() => parseSmbPath('..\\x'))).toBe(NtStatus.OBJECT_PATH_SYNTAX_BAD);
    expect(status(() => parseSmbPath('a\\..\\..\\x'))).toBe(NtStatus.OBJECT_PATH_SYNTAX_BAD);
    expect(status(() => parseSmbPath('a\\\\b'))).toBe(NtStatus.OBJECT_NAME_INVALID);
    expect(parseSmbPath('dir\\.').components).toEqual(['dir']);
    expect(status(() => parseSmbPath('a/b'))).toBe(NtStatus.OBJECT_NAME_INVALID);
    expect(status(() => parseSmbPath('a*'))).toBe(NtStatus.OBJECT_NAME_INVALID);
    expect(status(() => parseSmbPath('a\x01'))).toBe(NtStatus.OBJECT_NAME_INVALID);
    expect(status(() => parseSmbPath('x'.repeat(256)))).toBe(NtStatus.OBJECT_NAME_INVALID);
    expect(parseSmbPath('file:stream')).toEqual({components: ['file'], defaultStream: false, stream: 'stream'});
    expect(parseSmbPath('d\\file:Zone.Identifier:$DATA').stream).toBe('Zone.Identifier');
    expect(parseSmbPath('d::$INDEX_ALLOCATION')).toEqual({components: ['d'], defaultStream: false, directoryStream: true});
    expect(status(() => parseSmbPath('file:stream:$FOO'))).toBe(NtStatus.OBJECT_NAME_INVALID);
    expect(status(() => parseSmbPath('file:stream:'))).toBe(NtStatus.OBJECT_NAME_INVALID);
    expect(status(() => parseSmbPath('dir:s\\file'))).toBe(NtStatus.OBJECT_NAME_INVALID);
  });
});
