// Tell a running daemon that users or shares changed. Our daemon is asked through its control socket
// first, which also tells whether the reload was accepted; a daemon without one (ksmbd-tools' mountd,
// or ours while starting) gets SIGHUP to the pid in the lock file, as ksmbd-tools does.
import {execFileSync} from 'node:child_process';
import {existsSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {readLockEntry} from './lockfile.js';
import {runtimePaths} from './paths.js';
import type {ControlResponse, ReloadResult} from './protocol.js';

export type NotifyResult =
  | {notified: true; pid: number; via?: 'socket' | 'signal'; reloadError?: string; restartNeeded?: string[]}
  | {notified: false; reason: 'no-lock' | 'invalid-lock' | 'stale-lock' | 'signal-failed'; entry?: string; error?: string};

/** Ask over the socket; undefined when no daemon answers there (then signals are tried). */
function notifyBySocket(rundir: string | undefined): NotifyResult | undefined {
  const paths = runtimePaths(rundir);
  if (!existsSync(paths.socket)) return undefined;
  const script = fileURLToPath(new URL('./sync-request.js', import.meta.url));
  let out: string;
  try {
    out = execFileSync(process.execPath, [script, 'reload', paths.rundir], {encoding: 'utf8', timeout: 10_000, stdio: ['ignore', 'pipe', 'ignore']});
  } catch {
    return undefined;
  }
  let r: ControlResponse;
  try {
    r = JSON.parse(out) as ControlResponse;
  } catch {
    return undefined;
  }
  const live = readLockEntry(paths.lock);
  if (r.ok) {
    const res = r.result as ReloadResult;
    return {notified: true, pid: res.pid, via: 'socket', restartNeeded: res.restartNeeded};
  }
  return {notified: true, pid: live.state === 'live' ? live.pid : 0, via: 'socket', reloadError: r.error.message};
}

export function notifyDaemon(rundir?: string): NotifyResult {
  const bySocket = notifyBySocket(rundir);
  if (bySocket) return bySocket;
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
        return {notified: true, pid: entry.pid, via: 'signal'};
      } catch (e) {
        return {notified: false, reason: 'signal-failed', entry: String(entry.pid), error: (e as Error).message};
      }
  }
}
