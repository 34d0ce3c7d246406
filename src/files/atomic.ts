// Files on disk change atomically: a temp file in the same directory, fsync, rename, directory fsync,
// under a lock file so that concurrent commands serialize their read-modify-write (DESIGN habit 6).
import {closeSync, fchmodSync, fchownSync, fsyncSync, openSync, readFileSync, renameSync, statSync, unlinkSync, writeSync} from 'node:fs';
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
 * Take `<file>.lock` (O_EXCL, holding our pid); a lock whose holder died is taken over. Returns the
 * release function. Synchronous on purpose: a CLI command does nothing else meanwhile.
 */
export function acquireFileLock(file: string, timeoutMs = 15_000): () => void {
  const lock = `${file}.lock`;
  const deadline = Date.now() + timeoutMs;
  let delay = 2;
  for (;;) {
    try {
      const fd = openSync(lock, 'wx', 0o600);
      writeSync(fd, `${process.pid}\n`);
      closeSync(fd);
      break;
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (err.code !== 'EEXIST') throw ioError('lock', file, e);
      let holder = NaN;
      try {
        holder = parseInt(readFileSync(lock, 'utf8'), 10);
      } catch {
        continue; // released between our open and read
      }
      if (Number.isInteger(holder) && holder > 0 && !pidAlive(holder)) {
        try {
          unlinkSync(lock);
        } catch {
          /* someone else took it over first */
        }
        continue;
      }
      if (Date.now() > deadline) throw new FileIoError(`Can't lock \`${file}': held by process ${holder}`, file, 'ELOCKED');
      sleepMs(delay + Math.floor(Math.random() * delay));
      delay = Math.min(delay * 2, 50);
    }
  }
  let released = false;
  return () => {
    if (released) return;
    released = true;
    try {
      unlinkSync(lock);
    } catch {
      /* gone already */
    }
  };
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
