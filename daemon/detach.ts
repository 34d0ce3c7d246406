// Detach mode: the command re-spawns itself as a new session leader (setsid through `detached`),
// waits until the child says it is ready (listening, lock and control socket in place) over the IPC
// channel, prints where it listens, and returns. The child never writes to our stdout or stderr: once
// we exit they may be gone, so it logs to syslog or a file and reports start-up failures on the channel.
import {spawn} from 'node:child_process';
import {fileURLToPath} from 'node:url';

export const CHILD_ENV = 'KSMBD_MOUNTD_CHILD';

export type ChildMessage =
  | {type: 'ready'; pid: number; listening: string[]; log: string}
  | {type: 'failed'; message: string};

export interface DetachOutcome {
  ok: boolean;
  message: string;
  pid?: number;
}

/** Spawn `ksmbd mountd ARGS` detached; resolve when it is ready or has failed. */
export function spawnDetached(args: string[], timeoutMs = 30_000): Promise<DetachOutcome> {
  const bin = fileURLToPath(new URL('../commands/bin/ksmbd.js', import.meta.url));
  const child = spawn(process.execPath, [bin, 'mountd', ...args], {
    detached: true,
    stdio: ['ignore', 'ignore', 'ignore', 'ipc'],
    // One glibc malloc arena (unless the operator chose otherwise): with an arena per thread, blocks that
    // V8's helper threads allocate stayed resident after bulk traffic (idle RSS 100-135 MiB instead of
    // ~58 after the bench's workloads); the bulk rows measured the same with one. It must be in the
    // environment before the process starts: mallopt(M_ARENA_MAX) from inside comes after those threads.
    env: {MALLOC_ARENA_MAX: '1', ...process.env, [CHILD_ENV]: '1'},
    cwd: '/',
  });
  return new Promise((resolve) => {
    let settled = false;
    const settle = (o: DetachOutcome) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (child.connected) child.disconnect();
      child.unref();
      resolve(o);
    };
    const timer = setTimeout(() => {
      settle({ok: false, message: `the daemon (pid ${child.pid}) did not become ready within ${timeoutMs / 1000} s; see its log`});
    }, timeoutMs);
    child.on('message', (m: ChildMessage) => {
      if (m.type === 'ready') settle({ok: true, pid: m.pid, message: `ksmbd mountd: running (pid ${m.pid}), listening on ${m.listening.join(', ')}; logging to ${m.log}`});
      else if (m.type === 'failed') settle({ok: false, message: m.message});
    });
    child.on('error', (e) => settle({ok: false, message: `cannot start the daemon: ${e.message}`}));
    child.on('exit', (code, signal) => settle({ok: false, message: `the daemon exited before it was ready (${signal ?? `status ${code}`})`}));
  });
}

/** In the child: tell the waiting parent, then let go of the channel so the parent can exit. */
export function reportToParent(m: ChildMessage): void {
  if (!process.send || !process.connected) return;
  process.send(m, () => {
    if (process.connected) process.disconnect();
  });
}
