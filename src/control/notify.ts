// Tell a running daemon that users or shares changed. ksmbd-tools sends SIGHUP to the pid in the lock
// file; we do the same so that ksmbd-tools and our daemon can be mixed.
import {readLockEntry} from './lockfile.js';
import {runtimePaths} from './paths.js';

export type NotifyResult =
  | {notified: true; pid: number}
  | {notified: false; reason: 'no-lock' | 'invalid-lock' | 'stale-lock' | 'signal-failed'; entry?: string; error?: string};

export function notifyDaemon(rundir?: string): NotifyResult {
  const entry = readLockEntry(runtimePaths(rundir).lock);
  switch (entry.state) {
    case 'missing':
      return {notified: false, reason: 'no-lock'};
    case 'invalid':
      return {notified: false, reason: 'invalid-lock', entry: entry.text};
    case 'stale':
      return {notified: false, reason: 'stale-lock', entry: entry.text};
    case 'live':
      try {
        process.kill(entry.pid, 'SIGHUP');
        return {notified: true, pid: entry.pid};
      } catch (e) {
        return {notified: false, reason: 'signal-failed', entry: String(entry.pid), error: (e as Error).message};
      }
  }
}
