// The lock file with ksmbd-tools 3.5.x semantics: `PID\n`, mode 0640. A live entry means another
// daemon runs: refuse. A dead or garbled one is stale: take it over. The new entry appears with link(2),
// which fails if another starting daemon got there first, so two starts cannot both win.
import {linkSync, unlinkSync, writeFileSync, readFileSync} from 'node:fs';
import {readLockEntry} from '../src/control/lockfile.js';

export class LockHeld extends Error {
  constructor(
    readonly pid: number,
    readonly file: string,
  ) {
    super(`a daemon is already running (pid ${pid}, lock file \`${file}'); stop it with \`ksmbd control -s' first`);
    this.name = 'LockHeld';
  }
}

/** Take the lock for this process; returns what was taken over ('stale entry …') for the log. */
export function acquireLock(file: string, pid = process.pid): string | undefined {
  let takenOver: string | undefined;
  for (let attempt = 0; attempt < 5; attempt++) {
    const tmp = `${file}.${pid}.tmp`;
    writeFileSync(tmp, `${pid}\n`, {mode: 0o640});
    try {
      linkSync(tmp, file);
      return takenOver;
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
    } finally {
      try {
        unlinkSync(tmp);
      } catch {
        /* already gone */
      }
    }
    const entry = readLockEntry(file);
    if (entry.state === 'live') {
      if (entry.pid === pid) return takenOver;
      throw new LockHeld(entry.pid, file);
    }
    takenOver = entry.state === 'stale' ? `stale lock entry \`${entry.text}' (pid not running)` : entry.state === 'invalid' ? `invalid lock entry \`${entry.text}'` : undefined;
    try {
      unlinkSync(file);
    } catch {
      /* someone else removed it: try again */
    }
  }
  throw new Error(`cannot take the lock file \`${file}': it keeps changing`);
}

/** Remove the lock file if it is still ours (never another daemon's). */
export function releaseLock(file: string, pid = process.pid): void {
  try {
    if (readFileSync(file, 'utf8') === `${pid}\n`) unlinkSync(file);
  } catch {
    /* already gone */
  }
}
