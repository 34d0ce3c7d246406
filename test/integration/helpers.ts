// Drives the built CLI (`npm run build` first) against daemons in temp dirs on random ports.
import {spawn, spawnSync, type SpawnSyncReturns} from 'node:child_process';
import {chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {createServer, createConnection} from 'node:net';
import {tmpdir} from 'node:os';
import {join, resolve} from 'node:path';

export const ROOT = resolve(import.meta.dirname, '../..');
export const BIN = join(ROOT, 'dist/commands/bin/ksmbd.js');
export const COMPAT = (tool: string) => join(ROOT, `dist/commands/compat/ksmbd.${tool}.js`);

export interface Run {
  code: number;
  stdout: string;
  stderr: string;
}

const fromSync = (r: SpawnSyncReturns<string>): Run => ({code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr});

/** A fresh HOME keeps oclif's caches out of /root (and readable for `nobody`). */
const HOME = mkdtempSync(join(tmpdir(), 'ksmbd-home-'));
chmodSync(HOME, 0o777);

export function env(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const e: NodeJS.ProcessEnv = {...process.env, HOME, NO_COLOR: '1'};
  delete e.KSMBD_RUNDIR;
  delete e.NOTIFY_SOCKET;
  Object.assign(e, extra);
  for (const [k, v] of Object.entries(extra)) if (v === undefined) delete e[k];
  return e;
}

export function ksmbd(args: string[], extraEnv: Record<string, string | undefined> = {}, prefix: string[] = []): Run {
  const [cmd, ...pre] = prefix.length ? prefix : [process.execPath];
  const argv = prefix.length ? [...pre, process.execPath, BIN, ...args] : [BIN, ...args];
  return fromSync(spawnSync(cmd!, argv, {encoding: 'utf8', env: env(extraEnv), timeout: 30_000}));
}

export function tool(name: string, args: string[], extraEnv: Record<string, string | undefined> = {}): Run {
  return fromSync(spawnSync(process.execPath, [COMPAT(name), ...args], {encoding: 'utf8', env: env(extraEnv), timeout: 30_000}));
}

export async function freePort(): Promise<number> {
  return new Promise((res, rej) => {
    const s = createServer();
    s.once('error', rej);
    s.listen(0, '127.0.0.1', () => {
      const port = (s.address() as {port: number}).port;
      s.close(() => res(port));
    });
  });
}

/** A scratch world: config, pwddb, rundir, log file, port. */
export class World {
  readonly dir = mkdtempSync(join(tmpdir(), 'ksmbd-it-'));
  readonly conf = join(this.dir, 'ksmbd.conf');
  readonly pwddb = join(this.dir, 'ksmbdpwd.db');
  readonly rundir = join(this.dir, 'run');
  readonly log = join(this.dir, 'ksmbd.log');
  readonly share = join(this.dir, 'data');
  port = 0;

  constructor() {
    // Traversable by `nobody`, so that only the control socket's own mode stands in its way.
    chmodSync(this.dir, 0o755);
  }

  async init(confBody = ''): Promise<this> {
    this.port = await freePort();
    this.writeConf(confBody);
    return this;
  }

  writeConf(body = ''): void {
    writeFileSync(this.conf, `[global]\n\tlog file = ${this.log}\n${body}[data]\n\tpath = ${this.share}\n\tcomment = test data\n`);
  }

  get common(): string[] {
    return ['-C', this.conf, '-P', this.pwddb, '--rundir', this.rundir];
  }

  mountd(extra: string[] = []): Run {
    return ksmbd(['mountd', ...this.common, '-p', String(this.port), ...extra]);
  }

  run(args: string[]): Run {
    return ksmbd([...args, '--rundir', this.rundir]);
  }

  pid(): number | undefined {
    try {
      return Number(readFileSync(join(this.rundir, 'ksmbd.lock'), 'utf8').trim()) || undefined;
    } catch {
      return undefined;
    }
  }

  logText(): string {
    try {
      return readFileSync(this.log, 'utf8');
    } catch {
      return '';
    }
  }

  /** SIGKILL whatever still runs, then remove the files. */
  destroy(): void {
    const pid = this.pid();
    if (pid) {
      try {
        process.kill(pid, 'SIGKILL');
      } catch {
        /* gone */
      }
    }
    rmSync(this.dir, {recursive: true, force: true});
  }
}

/** Alive and not a zombie (a detached daemon's parent here may never reap it). */
export function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
  } catch {
    return false;
  }
  try {
    return !/^\d+ \(.*\) Z/s.test(readFileSync(`/proc/${pid}/stat`, 'utf8'));
  } catch {
    return false;
  }
}

export async function waitFor(cond: () => boolean, ms = 5000): Promise<boolean> {
  const end = Date.now() + ms;
  while (Date.now() < end) {
    if (cond()) return true;
    await new Promise((r) => setTimeout(r, 50));
  }
  return cond();
}

/** Raw exchange on the control socket: send bytes, collect what comes back until the daemon closes or `ms` pass. */
export function rawControl(socket: string, data: string | Buffer, ms = 1500): Promise<{text: string; closed: boolean}> {
  return new Promise((res) => {
    const c = createConnection(socket);
    let text = '';
    let closed = false;
    const t = setTimeout(() => {
      c.destroy();
      res({text, closed});
    }, ms);
    c.on('connect', () => c.write(data));
    c.on('data', (d) => (text += d.toString('utf8')));
    c.on('error', () => undefined);
    c.on('close', () => {
      closed = true;
      clearTimeout(t);
      res({text, closed});
    });
  });
}

export {spawn};
