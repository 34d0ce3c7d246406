// Files on disk change atomically: a temp file in the same directory, fsync, rename, directory fsync,
// under a lock file so that concurrent commands serialize their read-modify-write (DESIGN habit 6).
import {closeSync, fchmodSync, fchownSync, fstatSync, fsyncSync, openSync, readSync, renameSync, statSync, unlinkSync, writeSync} from 'node:fs';
import {basename, dirname, join} from 'node:path';
import {randomBytes} from 'node:crypto';

export class FileIoError extends Error {
  constructor(
    message: string,
    readonly file: string,
    readonly errno?: string,
  ) {
    super(message);
    this.name = 'FileIoError';
  }
}

function ioError(op: string, file: string, e: unknown): FileIoError {
  const err = e as NodeJS.ErrnoException;
  const why = err.code === 'ENOENT' ? 'No such file or directory' : err.code === 'EACCES' ? 'Permission denied' : err.code === 'EROFS' ? 'Read-only file system' : err.message;
  return new FileIoError(`Can't ${op} \`${file}': ${why}`, file, err.code);
}

export interface AtomicWriteOptions {
  mode: number;
  /** Keep the owner and group of the file being replaced (when we may). */
  keepOwner?: boolean;
}

export function writeFileAtomic(file: string, data: string | Buffer, opts: AtomicWriteOptions): void {
  const dir = dirname(file);
  const tmp = join(dir, `.${basename(file)}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`);
  let owner: {uid: number; gid: number} | undefined;
  if (opts.keepOwner) {
    try {
      const st = statSync(file);
      owner = {uid: st.uid, gid: st.gid};
    } catch {
      owner = undefined;
    }
  }
  let fd: number;
  try {
    fd = openSync(tmp, 'wx', opts.mode);
  } catch (e) {
    throw ioError('create', tmp, e);
  }
  try {
    const buf = typeof data === 'string' ? Buffer.from(data, 'utf8') : data;
    let off = 0;
    while (off < buf.length) off += writeSync(fd, buf, off, buf.length - off);
    fchmodSync(fd, opts.mode); // the umask must not decide the mode
    if (owner && process.getuid?.() === 0) fchownSync(fd, owner.uid, owner.gid);
    fsyncSync(fd);
    closeSync(fd);
    renameSync(tmp, file);
  } catch (e) {
    try {
      closeSync(fd);
    } catch {
      /* already closed */
    }
    try {
      unlinkSync(tmp);
    } catch {
      /* never created or already renamed */
    }
    throw ioError('write', file, e);
  }
  try {
    const dfd = openSync(dir, 'r');
    try {
      fsyncSync(dfd);
    } finally {
      closeSync(dfd);
    }
  } catch {
    /* some file systems refuse directory fsync; the rename is still atomic */
  }
}

const sleeper = new Int32Array(new SharedArrayBuffer(4));
function sleepMs(ms: number): void {
  Atomics.wait(sleeper, 0, 0, ms);
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Take `<file>.lock` (O_EXCL, holding our pid and a random token); a lock whose holder died is taken over.
 * Returns the release function. Synchronous on purpose: a CLI command does nothing else meanwhile.
 *
 * Taking over a dead holder's lock must never remove a live one: between reading the dead pid and removing
 * the file, the dead holder's lock may have been taken over by another waiter, which then holds a new lock
 * at the same path (inode numbers are reused at once on ext4, so the inode alone cannot tell them apart).
 * So takeovers happen one at a time under a guard file, and the lock is removed only if it still has the
 * content we judged dead (the pid and the token). Release likewise removes the lock only while it still
 * holds our own token.
 */
export function acquireFileLock(file: string, timeoutMs = 15_000): () => void {
  const lock = `${file}.lock`;
  const mine = `${process.pid} ${randomBytes(8).toString('hex')}\n`;
  const deadline = Date.now() + timeoutMs;
  let delay = 2;
  for (;;) {
    try {
      const fd = openSync(lock, 'wx', 0o600);
      try {
        writeSync(fd, mine);
      } finally {
        closeSync(fd);
      }
      break;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code !== 'EEXIST') throw ioError('lock', file, e);
      const held = readLockHolder(lock);
      if (!held) continue; // released between our open and read
      if (held.dead) {
        if (!takeOverStaleLock(lock, held.content)) sleepMs(1);
        continue;
      }
      if (Date.now() > deadline) throw new FileIoError(`Can't lock \`${file}': held by process ${held.pid}`, file, 'ELOCKED');
      sleepMs(delay + Math.floor(Math.random() * delay));
      delay = Math.min(delay * 2, 50);
    }
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    try {
      if (readSmall(lock) === mine) unlinkSync(lock);
    } catch {
      /* gone already */
    }
  };
}

/** How long a lock file may stay empty before its creator counts as dead. */
const EMPTY_LOCK_STALE_MS = 10_000;

/** The first bytes of a small file (a lock file), as text. */
function readSmall(path: string): string {
  const fd = openSync(path, 'r');
  try {
    const buf = Buffer.alloc(64);
    const n = readSync(fd, buf, 0, buf.length, 0);
    return buf.toString('utf8', 0, n);
  } finally {
    closeSync(fd);
  }
}

/** What a lock file holds, its pid and whether that holder is dead; null when the file is gone. */
function readLockHolder(lock: string): {content: string; pid: number; dead: boolean} | null {
  let fd: number;
  try {
    fd = openSync(lock, 'r');
  } catch {
    return null;
  }
  try {
    const st = fstatSync(fd);
    const buf = Buffer.alloc(64);
    const content = buf.toString('utf8', 0, readSync(fd, buf, 0, buf.length, 0));
    // An empty file is a holder between its create and its write, unless it has stayed empty for long
    // (its creator died in between): then it counts as held by no live process.
    if (content.trim() === '') return {content, pid: NaN, dead: Date.now() - st.mtimeMs > EMPTY_LOCK_STALE_MS};
    const pid = parseInt(content, 10);
    return {content, pid, dead: Number.isInteger(pid) && pid > 0 && !pidAlive(pid)};
  } catch {
    return null;
  } finally {
    closeSync(fd);
  }
}

/** How old a takeover guard must be before it counts as left behind by a process that died inside it. */
const STALE_GUARD_MS = 5_000;

/**
 * Remove the lock file `lock` if it still holds `staleContent` (see acquireFileLock). Takeovers are
 * serialised by `<lock>.takeover` (O_EXCL), and the content is read again inside it: a waiter that judged
 * an old lock dead finds a newer holder's lock there instead, and leaves it. Returns false when another
 * process is taking over right now (the caller waits a moment and looks again).
 */
function takeOverStaleLock(lock: string, staleContent: string): boolean {
  const guard = `${lock}.takeover`;
  let fd: number;
  try {
    fd = openSync(guard, 'wx', 0o600);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') return false;
    try {
      // Held for a few system calls at most: an old one was left by a process that died inside it.
      if (Date.now() - statSync(guard).mtimeMs > STALE_GUARD_MS) unlinkSync(guard);
    } catch {
      /* gone meanwhile */
    }
    return false;
  }
  closeSync(fd);
  try {
    if (readSmall(lock) === staleContent) unlinkSync(lock);
  } catch {
    /* gone already */
  } finally {
    unlinkSync(guard);
  }
  return true;
}

/** Run `fn` (sync or async) holding the lock of `file`; released on every path. */
export async function withFileLock<T>(file: string, fn: () => T | Promise<T>, timeoutMs?: number): Promise<T> {
  const release = acquireFileLock(file, timeoutMs);
  try {
    return await fn();
  } finally {
    release();
  }
}
