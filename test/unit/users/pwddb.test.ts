import {describe, expect, it} from 'vitest';
import {parsePwdDb, writePwdDb, hashForDb, passwordProblem, userNtHash} from '../../../src/users/pwddb.js';
import {userNameProblem} from '../../../src/config/names.js';
import {ConfigError} from '../../../src/config/errors.js';

describe('ksmbdpwd.db', () => {
  it('parses, lets the last duplicate win, and writes sorted in byte order', () => {
    const db = parsePwdDb('zed:iEb36u6PsRetBr3YMLdYbA==\n\nAlice:MdbP4NFq6TG3PFnX4MCJwA==\nzed:h42AFGBs2ilnekTvoTU/xw==\nalice:iEb36u6PsRetBr3YMLdYbA==\n');
    expect(db.users.get('zed')).toBe('h42AFGBs2ilnekTvoTU/xw==');
    expect(writePwdDb(db)).toBe('Alice:MdbP4NFq6TG3PFnX4MCJwA==\nalice:iEb36u6PsRetBr3YMLdYbA==\nzed:h42AFGBs2ilnekTvoTU/xw==\n');
  });
  it.each(['nocolon', 'a:has space', 'a:bad\r', ':AAAA', 'a:', 'a:AA=A'])('refuses the line %j', (line) => {
    expect(() => parsePwdDb(`ok:AAAA\n${line}\n`, 'db')).toThrow(ConfigError);
    try {
      parsePwdDb(`ok:AAAA\n${line}\n`, 'db');
    } catch (e) {
      expect((e as ConfigError).line).toBe(2);
    }
  });
  it('hashes as ksmbd-tools does', () => {
    expect(hashForDb('password')).toBe('iEb36u6PsRetBr3YMLdYbA==');
    expect(hashForDb('')).toBe('MdbP4NFq6TG3PFnX4MCJwA==');
    expect(userNtHash(parsePwdDb('a:h42AFGBs2ilnekTvoTU/xw==\n'), 'a')!.toString('hex')).toBe('878d8014606cda29677a44efa1353fc7');
  });
  it('name and password limits', () => {
    expect(userNameProblem('a'.repeat(47))).toBeUndefined();
    expect(userNameProblem('a'.repeat(48))).toBe('User name exceeds 47 bytes');
    expect(userNameProblem('ü'.repeat(24))).toBe('User name exceeds 47 bytes');
    expect(userNameProblem('')).toBe('User name is missing');
    expect(userNameProblem('a:b')).toBe("User name contains `:' [0x3A]");
    expect(userNameProblem('a\tb')).toBeUndefined();
    expect(passwordProblem('x'.repeat(128))).toBeUndefined();
    expect(passwordProblem('x'.repeat(129))).toBe('Password exceeds 128 bytes');
    expect(passwordProblem('é'.repeat(65))).toBe('Password exceeds 128 bytes');
  });
});
