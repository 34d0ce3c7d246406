// Start an SMB server for integration tests: a temp directory with ksmbd.conf, ksmbdpwd.db and share
// directories, the server on a free port, and a stop() that ends it and removes everything.
//
// Which server: `ksmbd mountd` does not start the engine yet (the daemon still defaults to its placeholder
// engine until the engine is wired in), so by default the child is test/helpers/engine-host.ts, which runs
// the real Daemon class (listener, limits, control socket, services) with createSmbEngine as its engine.
// KSMBD_TEST_SERVER=mountd switches to the built `ksmbd mountd -n` once it serves SMB; =bare runs the
// engine behind a plain net.Server (no daemon at all).
import {spawn, type ChildProcess} from 'node:child_process';
import {chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {createServer, connect} from 'node:net';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {hashForDb} from '../../src/users/pwddb.js';
import {KSMBD, ROOT} from './cli.js';

export interface SmbServerOptions {
  /** [global] parameters (server min protocol defaults to SMB2_02 here so every dialect can be tested). */
  global?: Record<string, string>;
  /** Share name -> parameters; `path` defaults to <dir>/<name>, created empty. */
  shares?: Record<string, Record<string, string>>;
  /** User -> password. */
  users?: Record<string, string>;
  verbose?: boolean;
  mode?: 'host' | 'bare' | 'mountd';
}

export interface SmbServer {
  port: number;
  dir: string;
  sharePath(name: string): string;
  /** Everything the server wrote to stderr so far (its log). */
  log(): string;
  /** Whether the server process is still running. */
  alive(): boolean;
  stop(): Promise<void>;
}

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const a = s.address();
      const port = typeof a === 'object' && a ? a.port : 0;
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

export async function startSmbServer(opts: SmbServerOptions = {}): Promise<SmbServer> {
  const dir = mkdtempSync(join(tmpdir(), 'ksmbd-engine-'));
  const rundir = join(dir, 'run');
  mkdirSync(rundir);
  const shares = opts.shares ?? {share: {'read only': 'no'}};
  const paths = new Map<string, string>();
  const lines = ['[global]', '\tserver min protocol = SMB2_02'];
  for (const [k, v] of Object.entries(opts.global ?? {})) lines.push(`\t${k} = ${v}`);
  for (const [name, params] of Object.entries(shares)) {
    const path = params.path ?? join(dir, name);
    mkdirSync(path, {recursive: true});
    // File operations run as the user's Unix account (users without one run as the guest account, nobody):
    // a test share is open to everyone, the way a scratch share is set up.
    if (params.path === undefined) chmodSync(path, 0o777);
    paths.set(name, path);
    lines.push(`[${name}]`, `\tpath = ${path}`);
    for (const [k, v] of Object.entries(params)) if (k !== 'path') lines.push(`\t${k} = ${v}`);
  }
  const conf = join(dir, 'ksmbd.conf');
  writeFileSync(conf, lines.join('\n') + '\n');
  const db = join(dir, 'ksmbdpwd.db');
  const users = opts.users ?? {alice: 'pw'};
  writeFileSync(db, Object.entries(users).map(([u, p]) => `${u}:${hashForDb(p)}\n`).join(''), {mode: 0o600});

  const mode = opts.mode ?? (process.env.KSMBD_TEST_SERVER as SmbServerOptions['mode']) ?? 'mountd';
  let child: ChildProcess;
  let port: number;
  let stderr = '';
  let stdout = '';
  if (mode === 'mountd') {
    port = await freePort();
    const args = [KSMBD, 'mountd', '-n', '-p', String(port), '-C', conf, '-P', db, '--rundir', rundir];
    if (opts.verbose) args.push('-v');
    child = spawn(process.execPath, args, {stdio: ['ignore', 'pipe', 'pipe']});
  } else {
    const viteNode = join(ROOT, 'node_modules/vite-node/vite-node.mjs');
    const args = [viteNode, join(ROOT, 'test/helpers/engine-host.ts'), '--', conf, db, rundir, '0'];
    if (mode === 'bare') args.push('--bare');
    if (opts.verbose) args.push('--verbose');
    child = spawn(process.execPath, args, {stdio: ['ignore', 'pipe', 'pipe'], cwd: ROOT});
    port = 0;
  }
  child.stderr!.on('data', (d) => (stderr += d));
  child.stdout!.on('data', (d) => (stdout += d));
  let exited = false;
  child.on('exit', () => (exited = true));

  const deadline = Date.now() + 30_000;
  for (;;) {
    if (exited) {
      rmSync(dir, {recursive: true, force: true});
      throw new Error(`SMB server exited during start-up:\n${stderr}`);
    }
    if (mode === 'mountd') {
      if (await canConnect(port)) break;
    } else {
      const m = /READY (\d+)/.exec(stdout);
      if (m) {
        port = Number(m[1]);
        break;
      }
    }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      rmSync(dir, {recursive: true, force: true});
      throw new Error(`SMB server did not start in time:\n${stderr}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }

  return {
    port,
    dir,
    sharePath: (name) => paths.get(name) ?? join(dir, name),
    log: () => stderr,
    alive: () => !exited,
    async stop() {
      if (!exited) {
        const gone = new Promise<void>((r) => child.once('exit', () => r()));
        child.kill('SIGTERM');
        const t = setTimeout(() => child.kill('SIGKILL'), 5000);
        await gone;
        clearTimeout(t);
      }
      rmSync(dir, {recursive: true, force: true});
    },
  };
}
