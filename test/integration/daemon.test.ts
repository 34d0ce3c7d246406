// Issue 4's acceptance, against the real built daemon (detached, as `ksmbd mountd` runs by default).
import {existsSync, readFileSync, statSync, appendFileSync} from 'node:fs';
import {Writer} from '../../src/wire/writer.js';
import {encodeHeader, makeHeader} from '../../src/smb2/header.js';
import {encodeNegotiateRequest} from '../../src/smb2/messages/negotiate.js';
import {Command} from '../../src/smb2/constants.js';
import {createConnection} from 'node:net';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {alive, ksmbd, rawControl, tool, waitFor, World} from './helpers.js';

const w = new World();
const DEBUG_OFF = 'smb auth vfs oplock ipc conn rdma ';

beforeAll(async () => {
  await w.init();
});
afterAll(() => w.destroy());

describe('1. start, status, second start, debug components', () => {
  let pid = 0;

  it('ksmbd mountd returns only once the daemon is ready, and says where it listens', async () => {
    const r = w.mountd();
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`running \\(pid \\d+\\), listening on .*:${w.port}`));
    pid = w.pid()!;
    expect(alive(pid)).toBe(true);
    // Ready means ready: the port and the control socket answer at once, without retries.
    expect(existsSync(join(w.rundir, 'control.sock'))).toBe(true);
    await new Promise<void>((res, rej) => {
      const c = createConnection(w.port, '127.0.0.1', () => {
        c.destroy();
        res();
      });
      c.on('error', rej);
    });
  });

  it('runs the detached daemon with one glibc malloc arena (MALLOC_ARENA_MAX=1, daemon/detach.ts)', () => {
    const env = readFileSync(`/proc/${pid}/environ`, 'utf8').split('\0');
    expect(env).toContain('MALLOC_ARENA_MAX=1');
  });

  it('keeps its runtime files in the rundir with the right formats and modes', () => {
    const sock = statSync(join(w.rundir, 'control.sock'));
    expect(sock.isSocket()).toBe(true);
    expect(sock.mode & 0o777).toBe(0o600);
    expect(readFileSync(join(w.rundir, 'ksmbd.lock'), 'utf8')).toBe(`${pid}\n`);
    expect(readFileSync(join(w.rundir, 'debug'), 'utf8')).toBe(DEBUG_OFF + '\n');
    const stats = readFileSync(join(w.rundir, 'stats'), 'utf8');
    expect(stats).toMatch(/^state: running\nport: \d+\nuptime: \d+\nconnections: \d+\n/);
    for (const k of ['sessions', 'opens', 'bytes in', 'bytes out']) expect(stats).toContain(`\n${k}: `);
    expect(readFileSync(join(w.dir, 'ksmbd.subauth'), 'utf8')).toMatch(/^\d+:\d+:\d+\n$/);
  });

  it('ksmbd status --json reports it', () => {
    const r = w.run(['status', '--json']);
    expect(r.code).toBe(0);
    const s = JSON.parse(r.stdout);
    expect(s).toMatchObject({ok: true, running: true, pid, state: 'running', config: {file: w.conf, embedded: false}, rundir: w.rundir});
    expect(s.listening.map((a: {port: number}) => a.port)).toContain(w.port);
    expect(s.shares.map((x: {name: string}) => x.name)).toEqual(['IPC$', 'data']);
    expect(s.sessions).toEqual([]);
    expect(s.counters).toHaveProperty('connections');
    expect(typeof s.uptimeSeconds).toBe('number');
    expect(s.version).toMatch(/^\d+\.\d+\.\d+/);
  });

  it('ksmbd status prints a table', () => {
    const r = w.run(['status']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain(`ksmbd is running (pid ${pid}`);
    expect(r.stdout).toMatch(/SHARE\s+PATH\s+ACCESS/);
    expect(r.stdout).not.toContain('\x1b['); // no colour into a pipe
  });

  it('a second ksmbd mountd fails clearly and leaves the first alone', () => {
    const r = w.mountd();
    expect(r.code).toBe(1);
    expect(r.stderr).toContain(`already running (pid ${pid}`);
    expect(alive(pid)).toBe(true);
    expect(w.pid()).toBe(pid);
  });

  it('ksmbd control -d smb prints the kernel line; RUNDIR/debug shows the same; again turns it off', () => {
    const on = w.run(['control', '-d', 'smb']);
    expect(on.code).toBe(0);
    expect(on.stdout).toMatch(/^\[ksmbd\.control\/\d+\]: INFO: \[smb\] auth vfs oplock ipc conn rdma \n$/);
    expect(readFileSync(join(w.rundir, 'debug'), 'utf8')).toBe('[smb] auth vfs oplock ipc conn rdma \n');
    const off = w.run(['control', '-d', 'smb']);
    expect(off.stdout).toMatch(/INFO: smb auth vfs oplock ipc conn rdma \n$/);
    expect(readFileSync(join(w.rundir, 'debug'), 'utf8')).toBe(DEBUG_OFF + '\n');
  });

  it('-d all sets every component, then clears them; brackets exactly where components are on', () => {
    w.run(['control', '-d', 'rdma']);
    expect(readFileSync(join(w.rundir, 'debug'), 'utf8')).toBe('smb auth vfs oplock ipc conn [rdma] \n');
    expect(w.run(['control', '-d', 'all']).stdout).toContain('INFO: [smb] [auth] [vfs] [oplock] [ipc] [conn] [rdma] [rpc] [apple] \n');
    expect(w.run(['control', '-d', 'all']).stdout).toContain(`INFO: ${DEBUG_OFF}\n`);
  });

  it('unknown components are an error, not silence', () => {
    const r = w.run(['control', '-d', 'bogus']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain("ERROR: Unknown debug component `bogus'");
    expect(readFileSync(join(w.rundir, 'debug'), 'utf8')).toBe(DEBUG_OFF + '\n');
  });

  it('the ksmbd.control drop-in speaks to the same daemon through KSMBD_RUNDIR', () => {
    const r = tool('control', ['-d', 'ipc'], {KSMBD_RUNDIR: w.rundir});
    expect(r.stdout).toMatch(/INFO: smb auth vfs oplock \[ipc\] conn rdma \n$/);
    tool('control', ['-d', 'ipc'], {KSMBD_RUNDIR: w.rundir});
    expect(tool('control', ['-c'], {KSMBD_RUNDIR: w.rundir}).stdout).toMatch(/INFO: ksmbd version : \d+\.\d+\.\d+\n$/);
  });

  it('--json answers for scripts', () => {
    const r = w.run(['control', '-d', 'vfs', '--json']);
    expect(JSON.parse(r.stdout)).toMatchObject({ok: true, action: 'debug', result: {line: 'smb auth [vfs] oplock ipc conn rdma ', enabled: ['vfs']}});
    w.run(['control', '-d', 'vfs']);
    expect(JSON.parse(w.run(['control', '-c', '--json']).stdout)).toMatchObject({ok: true, result: {protocol: 1, toolsCompat: '3.5.6'}});
  });

  it('the SMB engine answers on the port: an SMB2 NEGOTIATE gets an SMB2 reply', async () => {
    const reply = await new Promise<Buffer>((res, rej) => {
      const c = createConnection(w.port, '127.0.0.1');
      let got = Buffer.alloc(0);
      c.on('data', (d) => {
        got = Buffer.concat([got, d]);
        if (got.length >= 4 && got.length >= 4 + got.readUIntBE(1, 3)) {
          c.destroy();
          res(got);
        }
      });
      c.on('error', rej);
      c.write(negotiateFrame());
      setTimeout(() => rej(new Error('no answer')), 3000);
    });
    expect(reply.subarray(4, 8)).toEqual(Buffer.from([0xfe, 0x53, 0x4d, 0x42]));
    expect(reply.readUInt16LE(4 + 12)).toBe(0); // NEGOTIATE
    expect(reply.readUInt32LE(4 + 8)).toBe(0); // STATUS_SUCCESS
    const s = JSON.parse(w.run(['status', '--json']).stdout);
    expect(s.counters.connectionsTotal).toBeGreaterThanOrEqual(1);
  });
});

/** A direct-TCP frame holding an SMB2 NEGOTIATE offering 2.0.2 and 2.1. */
function negotiateFrame(): Buffer {
  const w = new Writer();
  w.u32(0);
  encodeHeader(w, makeHeader({command: Command.NEGOTIATE, credits: 1}));
  encodeNegotiateRequest(w, {securityMode: 1, capabilities: 0, clientGuid: Buffer.alloc(16, 7), dialects: [0x0202, 0x0210], negotiateContexts: [], clientStartTime: 0n});
  const frame = Buffer.from(w.finish());
  frame.writeUInt32BE(frame.length - 4, 0);
  return frame;
}

describe('2. reload: addshare picked up, a broken config refused with its line', () => {
  it('ksmbd addshare while the daemon runs is picked up without a restart', () => {
    const x = ksmbd(['addshare', '-a', 'X', '-o', `path = ${w.dir}/x`, '-C', w.conf, '--rundir', w.rundir]);
    expect(x.code, x.stderr + x.stdout).toBe(0);
    expect(x.stdout + x.stderr).toContain('Notified mountd');
    const l = w.run(['control', '-l']);
    expect(l.code).toBe(0);
    expect(l.stdout).toMatch(/^ {27}X {4}\n/m);
    expect(l.stdout).toContain('\x1b[1m                        Name    Comment\x1b[m\n');
    expect(l.stdout).toMatch(/INFO: Listed mountd shares\n$/);
  });

  it('a broken line then ksmbd control -r: old config stays, the line is reported', () => {
    appendFileSync(w.conf, 'this is not a parameter line\n');
    const lineNo = readFileSync(w.conf, 'utf8').split('\n').length - 1;
    const r = w.run(['control', '-r']);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`${w.conf}:${lineNo}:`);
    expect(r.stdout).toContain('previous configuration stays in force');
    const l = w.run(['control', '-l']);
    expect(l.stdout).toMatch(/^ {27}X {4}\n/m);
    expect(w.logText()).toContain(`${w.conf}:${lineNo}:`);
    const j = JSON.parse(w.run(['control', '-r', '--json']).stdout);
    expect(j).toMatchObject({ok: false, error: {code: 'CONFIG_INVALID', file: w.conf, line: lineNo}});
  });

  it('SIGHUP with a broken config leaves the daemon serving the old one', async () => {
    const pid = w.pid()!;
    process.kill(pid, 'SIGHUP');
    await new Promise((r) => setTimeout(r, 300));
    expect(alive(pid)).toBe(true);
    expect(w.run(['control', '-l']).stdout).toMatch(/^ {27}X {4}\n/m);
  });

  it('changed global parameters are reported as needing a restart, shares still apply', () => {
    w.writeConf('\tworkgroup = OTHER\n[Y]\n\tpath = /srv/y\n');
    const r = w.run(['control', '-r']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('INFO: Notified mountd');
    expect(r.stdout).toContain('after a restart: workgroup');
    expect(w.run(['control', '-l']).stdout).toMatch(/^ {27}Y {4}\n/m);
    expect(w.logText()).toContain('not applied until a restart: workgroup');
  });

  it('ksmbd adduser notifies over the socket', () => {
    const r = ksmbd(['adduser', '-a', 'alice', '-p', 'secret', '-P', w.pwddb, '-C', w.conf, '--rundir', w.rundir, '--json']);
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(JSON.parse(r.stdout).daemon).toMatchObject({notified: true, via: 'socket', pid: w.pid()});
    expect(JSON.parse(w.run(['status', '--json']).stdout).config.users).toBe(1);
    // Never a hash in the log.
    const hash = readFileSync(w.pwddb, 'utf8').split(':')[1]!.trim();
    expect(w.logText()).not.toContain(hash);
  });
});

describe('4. the control socket: root only, bad requests answered, daemon unharmed', () => {
  const nobody = ['setpriv', '--reuid=nobody', '--regid=nogroup', '--clear-groups'];

  it('refuses a non-root peer', () => {
    const r = ksmbd(['control', '-l', '--rundir', w.rundir], {}, nobody);
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('permission denied on the control socket');
    const s = ksmbd(['status', '--json', '--rundir', w.rundir], {}, nobody);
    expect(s.code).toBe(4);
    expect(JSON.parse(s.stdout).error.code).toBe('FORBIDDEN');
    const d = ksmbd(['control', '-d', 'smb', '--rundir', w.rundir], {}, nobody);
    expect(d.code).toBe(1);
    expect(readFileSync(join(w.rundir, 'debug'), 'utf8')).toBe(DEBUG_OFF + '\n');
  });

  const sock = () => join(w.rundir, 'control.sock');
  const firstReply = (text: string) => JSON.parse(text.split('\n')[0]!);

  it('answers malformed requests with errors and keeps the connection', async () => {
    const r = await rawControl(sock(), 'not json\n{"v":1}\n{"v":2,"cmd":"status"}\n{"v":1,"cmd":"nope","id":7}\n[1]\n{"v":1,"cmd":"sessions.kill","args":{"id":"zz"}}\n{"v":1,"cmd":"debug.toggle","args":{}}\n{"v":1,"cmd":"version","id":"last"}\n');
    const replies = r.text.trim().split('\n').map((l) => JSON.parse(l));
    expect(replies.map((x) => x.ok ? 'ok' : x.error.code)).toEqual(['MALFORMED', 'MALFORMED', 'VERSION', 'UNKNOWN_COMMAND', 'MALFORMED', 'NOT_FOUND', 'BAD_ARGS', 'ok']);
    expect(replies[3].id).toBe(7);
    expect(replies[7]).toMatchObject({v: 1, id: 'last', ok: true});
  });

  it('refuses an oversized request and closes that connection only', async () => {
    const r = await rawControl(sock(), Buffer.alloc(200 * 1024, 0x61), 3000);
    expect(firstReply(r.text)).toMatchObject({ok: false, error: {code: 'TOO_LARGE'}});
    expect(r.closed).toBe(true);
    const big = await rawControl(sock(), '{"v":1,"cmd":"status","pad":"' + 'x'.repeat(70 * 1024) + '"}\n', 3000);
    expect(firstReply(big.text).error.code).toBe('TOO_LARGE');
  });

  it('still serves afterwards', async () => {
    const r = await rawControl(sock(), '{"v":1,"cmd":"status"}\n', 1000);
    expect(firstReply(r.text)).toMatchObject({ok: true, result: {state: 'running'}});
    expect(w.run(['status']).code).toBe(0);
  });
});

describe('3. shutdown and a stale lock', () => {
  it('ksmbd control -s stops the daemon within 5 s and removes its runtime files', () => {
    const pid = w.pid()!;
    const t0 = Date.now();
    const r = w.run(['control', '-s']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('INFO: Terminated mountd');
    expect(Date.now() - t0).toBeLessThan(5000);
    expect(alive(pid)).toBe(false);
    for (const f of ['control.sock', 'debug', 'stats', 'ksmbd.lock']) expect(existsSync(join(w.rundir, f)), f).toBe(false);
    const s = w.run(['status', '--json']);
    expect(s.code).toBe(3);
    expect(JSON.parse(s.stdout)).toEqual({ok: true, running: false, pid: null});
  });

  it('with no daemon, control fails with ksmbd-tools messages and exit 1', () => {
    expect(w.run(['control', '-r']).stdout).toMatch(/ERROR: Can't notify mountd\n$/);
    expect(w.run(['control', '-l']).code).toBe(1);
    expect(JSON.parse(w.run(['control', '-l', '--json']).stdout)).toMatchObject({ok: false, error: {code: 'NOT_RUNNING'}});
  });

  it('kill -9, then a new ksmbd mountd starts cleanly, taking over the stale lock; subauth stays', async () => {
    w.writeConf();
    const subauth = readFileSync(join(w.dir, 'ksmbd.subauth'), 'utf8');
    expect(w.mountd().code).toBe(0);
    const pid = w.pid()!;
    process.kill(pid, 'SIGKILL');
    await waitFor(() => !alive(pid));
    expect(existsSync(join(w.rundir, 'ksmbd.lock'))).toBe(true);
    const r = w.mountd();
    expect(r.code, r.stderr).toBe(0);
    const pid2 = w.pid()!;
    expect(pid2).not.toBe(pid);
    expect(w.logText()).toContain(`Took over stale lock entry \`${pid}'`);
    expect(w.run(['status']).code).toBe(0);
    expect(readFileSync(join(w.dir, 'ksmbd.subauth'), 'utf8')).toBe(subauth);
    expect(w.run(['control', '-s']).code).toBe(0);
  });
});
