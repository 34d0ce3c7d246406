// The daemon's lock file holds its pid (`PID\n`, ksmbd-tools 3.5.x). An entry is valid only if it is all
// digits, greater than 1 and names a live process: 3.4.7 fed garbage to kill(0, ...) and signalled the
// caller's own process group.
import {readFileSync} from 'node:fs';

export type LockEntry = {state: 'missing'} | {state: 'invalid'; text: string} | {state: 'stale'; pid: number; text: string} | {state: 'live'; pid: number};

export function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
  // A zombie answers kill(0) but is dead: a detached daemon whose reaper never waits for it (some
  // container inits) must not block the next start.
  try {
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return true; // no /proc: trust kill(0)
  }
}

export function readLockEntry(lockFile: string): LockEntry {
  let text: string;
  try {
    text = readFileSync(lockFile, 'utf8');
  } catch {
    return {state: 'missing'};
  }
  const entry = text.replace(/\n$/, '');
  if (!/^[0-9]{1,10}$/.test(entry)) return {state: 'invalid', text: entry};
  const pid = Number(entry);
  if (pid <= 1) return {state: 'invalid', text: entry};
  return pidAlive(pid) ? {state: 'live', pid} : {state: 'stale', pid, text: entry};
}
