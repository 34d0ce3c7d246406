// ksmbdpwd.db: one `NAME:BASE64(NT hash)` line per user, as ksmbd-tools writes it (ksmbdpwd.db(5)).
import {readFileSync} from 'node:fs';
import {ntHash} from '../crypto/nt-hash.js';
import {ConfigError} from '../config/errors.js';
import {userNameProblem} from '../config/names.js';

export const MAX_PASSWORD_BYTES = 128;

export interface PwdDb {
  file?: string;
  /** name -> base64 NT hash, as stored. Names are case-sensitive. */
  users: Map<string, string>;
}

const HASH_RE = /^[A-Za-z0-9+/]+=*$/;

/**
 * Parse the database. Empty lines are skipped, the last line of a duplicated name wins (both as in
 * ksmbd-tools 3.5.x); any other malformed line makes the whole file unusable.
 */
export function parsePwdDb(text: string, file?: string): PwdDb {
  const users = new Map<string, string>();
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  lines.forEach((line, i) => {
    if (line === '') return;
    const colon = line.indexOf(':');
    const name = colon < 0 ? line : line.slice(0, colon);
    const hash = colon < 0 ? '' : line.slice(colon + 1);
    if (colon < 0 || userNameProblem(name) || !HASH_RE.test(hash)) {
      throw new ConfigError(`invalid entry: \`${line}'`, 'PWDDB_SYNTAX', file, i + 1, line);
    }
    users.set(name, hash);
  });
  return {file, users};
}

function strcmp(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

/** Lines sorted in byte order, as ksmbd-tools 3.5.x writes them. */
export function writePwdDb(db: PwdDb): string {
  return [...db.users.entries()]
    .sort(([a], [b]) => strcmp(a, b))
    .map(([name, hash]) => `${name}:${hash}\n`)
    .join('');
}

/** Read the database; a missing file is an empty database (`missing` tells). */
export function loadPwdDb(file: string): {db: PwdDb; missing: boolean} {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return {db: {file, users: new Map()}, missing: true};
    throw new ConfigError(`cannot read user database: ${err.message}`, 'PWDDB_IO', file);
  }
  return {db: parsePwdDb(text, file), missing: false};
}

export function passwordProblem(password: string): string | undefined {
  if (Buffer.byteLength(password, 'utf8') > MAX_PASSWORD_BYTES) return `Password exceeds ${MAX_PASSWORD_BYTES} bytes`;
  if (password.includes('\uFFFD')) return 'Password is not UTF-8';
  return undefined;
}

/** The stored form of a password: base64 of MD4(UTF-16LE(password)). */
export function hashForDb(password: string): string {
  return ntHash(password).toString('base64');
}

/** The NT hash of a user, or undefined when unknown or when the stored value is not 16 bytes. */
export function userNtHash(db: PwdDb, name: string): Buffer | undefined {
  const b64 = db.users.get(name);
  if (b64 === undefined) return undefined;
  const h = Buffer.from(b64, 'base64');
  return h.length === 16 ? h : undefined;
}
