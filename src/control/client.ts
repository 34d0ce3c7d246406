// The CLI side of the control socket. A daemon that is not there (no socket file, nobody listening)
// is told apart from one we may not talk to (EACCES: the socket is root-only), so that callers fall back
// to ksmbd-tools' signals only in the first case.
import {createConnection} from 'node:net';
import {existsSync} from 'node:fs';
import {CONTROL_PROTOCOL_VERSION, type ControlCommand, type ControlResponse} from './protocol.js';
import {readLockEntry} from './lockfile.js';
import {runtimePaths} from './paths.js';

export type UnavailableReason = 'no-daemon' | 'forbidden' | 'timeout' | 'protocol';

export class ControlUnavailable extends Error {
  constructor(
    readonly reason: UnavailableReason,
    message: string,
    readonly socket: string,
  ) {
    super(message);
    this.name = 'ControlUnavailable';
  }
}

export interface RequestOptions {
  rundir?: string;
  timeoutMs?: number;
}

function unavailable(e: NodeJS.ErrnoException, socket: string): ControlUnavailable {
  if (e.code === 'EACCES' || e.code === 'EPERM')
    return new ControlUnavailable('forbidden', `permission denied on the control socket \`${socket}': only root (or the daemon's own user) may control ksmbd`, socket);
  return new ControlUnavailable('no-daemon', `no daemon answers on \`${socket}' (${e.code ?? e.message})`, socket);
}

/** Send one request, wait for its response line. Throws ControlUnavailable when nobody answers. */
export function controlRequest(cmd: ControlCommand, args?: Record<string, unknown>, opts: RequestOptions = {}): Promise<ControlResponse> {
  const socket = runtimePaths(opts.rundir).socket;
  if (!existsSync(socket)) return Promise.reject(new ControlUnavailable('no-daemon', `no control socket at \`${socket}'`, socket));
  return new Promise((resolve, reject) => {
    const conn = createConnection(socket);
    let buf = '';
    let done = false;
    const finish = (f: () => void) => {
      if (done) return;
      done = true;
      clearTimeout(timer);
      conn.destroy();
      f();
    };
    const timer = setTimeout(
      () => finish(() => reject(new ControlUnavailable('timeout', `the daemon did not answer on \`${socket}' in time`, socket))),
      opts.timeoutMs ?? 10_000,
    );
    conn.setEncoding('utf8');
    conn.on('connect', () => {
      const req: Record<string, unknown> = {v: CONTROL_PROTOCOL_VERSION, cmd};
      if (args) req.args = args;
      conn.write(JSON.stringify(req) + '\n');
    });
    conn.on('data', (d: string) => {
      buf += d;
      const nl = buf.indexOf('\n');
      if (nl < 0) return;
      const line = buf.slice(0, nl);
      finish(() => {
        try {
          resolve(JSON.parse(line) as ControlResponse);
        } catch {
          reject(new ControlUnavailable('protocol', `the daemon sent a malformed answer on \`${socket}'`, socket));
        }
      });
    });
    conn.on('error', (e: NodeJS.ErrnoException) => finish(() => reject(unavailable(e, socket))));
    conn.on('close', () => finish(() => reject(new ControlUnavailable('protocol', `the daemon closed \`${socket}' without answering`, socket))));
  });
}

/** Resolve once the socket no longer answers (the daemon has gone), or false after `ms`. */
export async function waitGone(rundir: string | undefined, ms: number): Promise<boolean> {
  const deadline = Date.now() + ms;
  const paths = runtimePaths(rundir);
  while (Date.now() < deadline) {
    if (!existsSync(paths.socket) && readLockEntry(paths.lock).state !== 'live') return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return false;
}
