// Foreground mode (-n, what `npm start` runs), the embedded default configuration, start-up failures,
// the ksmbd.mountd drop-in and the listener's limits.
import {spawn, type ChildProcess} from 'node:child_process';
import {existsSync, readFileSync, writeFileSync} from 'node:fs';
import {createConnection, type Socket} from 'node:net';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {alive, BIN, COMPAT, env, ksmbd, waitFor, World} from './helpers.js';

const worlds: World[] = [];
const children: ChildProcess[] = [];
afterAll(() => {
  for (const c of children) if (c.exitCode === null) c.kill('SIGKILL');
  for (const w of worlds) w.destroy();
});

async function world(body = ''): Promise<World> {
  const w = await new World().init(body);
  worlds.push(w);
  return w;
}

/** Start a foreground daemon; resolves with its stderr so far once it logs that it listens. */
function foreground(args: string[], extraEnv: Record<string, string> = {}, script = BIN, pre = ['mountd']) {
  const child = spawn(process.execPath, [script, ...pre, ...args], {env: env(extraEnv), stdio: ['ignore', 'pipe', 'pipe']});
  children.push(child);
  let stderr = '';
  child.stderr!.on('data', (d) => (stderr += d));
  const exited = new Promise<number | null>((r) => child.on('exit', (code) => r(code)));
  const ready = new Promise<string>((res, rej) => {
    child.stderr!.on('data', () => {
      if (stderr.includes('Listening on')) res(stderr);
    });
    child.on('exit', () => rej(new Error(`exited before ready:\n${stderr}`)));
  });
  return {child, ready, exited, stderr: () => stderr};
}

describe('foreground (-n)', () => {
  it('logs to stderr in ksmbd-tools style and stops cleanly on SIGTERM', async () => {
    const w = await world();
    const d = foreground(['-n', ...w.common, '-p', String(w.port)]);
    const out = await d.ready;
    expect(out).toMatch(/^\[ksmbd\.mountd\/\d+\]: INFO: Starting ksmbd /m);
    expect(out).toContain(`Listening on [::]:${w.port}`);
    expect(existsSync(w.log)).toBe(false); // `log file` is for the detached daemon only
    expect(w.run(['control', '-d', 'conn']).code).toBe(0);
    // A client stays connected through the shutdown: the daemon must still stop within its bound.
    const client = createConnection(w.port, '127.0.0.1');
    client.on('error', () => undefined);
    await waitFor(() => d.stderr().includes('DEBUG: conn: connection from'));
    const t0 = Date.now();
    d.child.kill('SIGTERM');
    expect(await d.exited).toBe(0);
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(d.stderr()).toContain('INFO: Terminated');
    client.destroy();
    for (const f of ['control.sock', 'debug', 'stats', 'ksmbd.lock']) expect(existsSync(join(w.rundir, f)), f).toBe(false);
  });

  it('SIGINT (Ctrl-C) also stops it cleanly', async () => {
    const w = await world();
    const d = foreground(['-n', ...w.common, '-p', String(w.port)]);
    await d.ready;
    d.child.kill('SIGINT');
    expect(await d.exited).toBe(0);
    expect(existsSync(join(w.rundir, 'ksmbd.lock'))).toBe(false);
  });

  it('-v turns every debug component on', async () => {
    const w = await world();
    const d = foreground(['-n', '-v', ...w.common, '-p', String(w.port)]);
    await d.ready;
    expect(readFileSync(join(w.rundir, 'debug'), 'utf8')).toBe('[smb] [auth] [vfs] [oplock] [ipc] [conn] [rdma] [rpc] [apple] \n');
    d.child.kill('SIGTERM');
    await d.exited;
  });
});

describe("the README's first command: no config file, embedded default", () => {
  it('serves one writable share [share] created if missing, and says so', async () => {
    const w = await world();
    const share = join(w.dir, 'srv-share');
    const d = foreground(['--nodetach', '-p', String(w.port)], {
      KSMBD_RUNDIR: w.rundir,
      KSMBD_CONFIG: join(w.dir, 'absent', 'ksmbd.conf'),
      KSMBD_PWDDB: join(w.dir, 'absent', 'ksmbdpwd.db'),
      KSMBD_EMBEDDED_SHARE: share,
    });
    const out = await d.ready;
    expect(out).toContain('embedded default configuration');
    expect(out).toContain('No user database');
    expect(existsSync(share)).toBe(true);
    const s = JSON.parse(ksmbd(['status', '--json'], {KSMBD_RUNDIR: w.rundir}).stdout);
    expect(s.config.embedded).toBe(true);
    expect(s.shares).toContainEqual(expect.objectContaining({name: 'share', path: share, readOnly: false}));
    d.child.kill('SIGINT');
    expect(await d.exited).toBe(0);
  });
});

describe('start-up failures are clear', () => {
  it('a broken config: file and line, exit 1, nothing left behind', async () => {
    const w = await world();
    writeFileSync(w.conf, '[global]\n\tworkgroup = X\n[a\n');
    const r = w.mountd();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`${w.conf}:3:`);
    expect(existsSync(join(w.rundir, 'ksmbd.lock'))).toBe(false);
    expect(existsSync(join(w.rundir, 'control.sock'))).toBe(false);
  });

  it('a port in use', async () => {
    const w = await world();
    const {createServer} = await import('node:net');
    const blocker = createServer();
    await new Promise<void>((r) => blocker.listen(w.port, r));
    try {
      const r = w.mountd(['-n']);
      expect(r.code).toBe(1);
      expect(r.stderr).toContain(`:${w.port}: the port is in use`);
      expect(existsSync(join(w.rundir, 'ksmbd.lock'))).toBe(false);
    } finally {
      blocker.close();
    }
  });

  it('bad flags are usage errors', () => {
    const r = ksmbd(['mountd', '-p', 'notaport']);
    expect(r.code).toBe(2);
  });
});

describe('the ksmbd.mountd drop-in', () => {
  it('maps ksmbd-tools flags (-n -p -C -P) onto ksmbd mountd', async () => {
    const w = await world();
    const d = foreground(['-n', '-p', String(w.port), '-C', w.conf, '-P', w.pwddb], {KSMBD_RUNDIR: w.rundir}, COMPAT('mountd'), []);
    await d.ready;
    expect(ksmbd(['status'], {KSMBD_RUNDIR: w.rundir}).code).toBe(0);
    expect(ksmbd(['control', '-s'], {KSMBD_RUNDIR: w.rundir}).code).toBe(0);
    expect(await d.exited).toBe(0);
  });
});

describe('listener limits', () => {
  it('max connections caps concurrent clients; refused ones are counted', async () => {
    const w = await world('\tmax connections = 1\n');
    // The first client is served and stays; the listener refuses the other three at once.
    expect(w.mountd().code).toBe(0);
    const sockets: Socket[] = [];
    let closed = 0;
    await new Promise<void>((res) => {
      for (let i = 0; i < 4; i++) {
        const c = createConnection(w.port, '127.0.0.1');
        sockets.push(c);
        c.on('error', () => undefined);
        c.on('close', () => {
          if (++closed === 3) res();
        });
      }
    });
    sockets.forEach((c) => c.destroy());
    const s = JSON.parse(w.run(['status', '--json']).stdout);
    expect(s.counters.connectionsTotal + s.counters.connectionsRefused).toBe(4);
    expect(w.run(['control', '-s']).code).toBe(0);
  });

  it('status --watch --json repeats', async () => {
    const w = await world();
    expect(w.mountd().code).toBe(0);
    const c = spawn(process.execPath, [BIN, 'status', '--watch', '--json', '--interval', '1', '--rundir', w.rundir], {env: env(), stdio: ['ignore', 'pipe', 'ignore']});
    children.push(c);
    let out = '';
    c.stdout!.on('data', (d) => (out += d));
    expect(await waitFor(() => out.split('\n').filter(Boolean).length >= 2, 5000)).toBe(true);
    c.kill('SIGINT');
    expect(JSON.parse(out.split('\n')[0]!).running).toBe(true);
    const pid = w.pid()!;
    expect(w.run(['control', '-s']).code).toBe(0);
    expect(alive(pid)).toBe(false);
  });
});
