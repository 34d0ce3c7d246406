// The two servers under test, both on 127.0.0.1 only, serving the same share directory as the same Unix
// user: our daemon (`ksmbd mountd -n`, the built CLI) and a private Samba smbd (own smb.conf, private /
// lock / state / pid dirs under the bench's temp dir). Both are stopped by PID, with their descendants.
import {execFileSync, spawn, spawnSync} from 'node:child_process';
import {closeSync, existsSync, mkdirSync, openSync, readdirSync, readFileSync, readSync, writeFileSync} from 'node:fs';
import {connect, createServer} from 'node:net';
import {join} from 'node:path';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

export function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.once('error', reject);
    s.listen(0, '127.0.0.1', () => {
      const {port} = s.address();
      s.close(() => resolve(port));
    });
  });
}

function canConnect(port) {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1');
    c.once('connect', () => {
      c.destroy();
      resolve(true);
    });
    c.once('error', () => resolve(false));
  });
}

/** A system account without a home, created once (the same account serves both servers). */
export function ensureUnixUser(name) {
  const id = () => spawnSync('id', ['-u', name], {encoding: 'utf8'});
  if (id().status !== 0) {
    const r = spawnSync('useradd', ['--system', '--no-create-home', '--user-group', '--shell', '/usr/sbin/nologin', name], {encoding: 'utf8'});
    if (id().status !== 0) throw new Error(`useradd ${name} failed: ${r.stderr}`);
  }
  const uid = Number(execFileSync('id', ['-u', name], {encoding: 'utf8'}).trim());
  const gid = Number(execFileSync('id', ['-g', name], {encoding: 'utf8'}).trim());
  return {name, uid, gid};
}

/** All processes as pid -> ppid, read from /proc. */
function processTable() {
  const t = new Map();
  for (const e of readdirSync('/proc')) {
    if (!/^\d+$/.test(e)) continue;
    try {
      const stat = readFileSync(`/proc/${e}/stat`, 'utf8');
      const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1]);
      t.set(Number(e), ppid);
    } catch {
      // gone meanwhile
    }
  }
  return t;
}

/** pid and every descendant (by parent PID). */
export function processTree(pid) {
  const t = processTable();
  const out = [pid];
  for (let i = 0; i < out.length; i++) for (const [c, p] of t) if (p === out[i]) out.push(c);
  return out.filter((p) => t.has(p));
}

function kb(text, field) {
  const m = new RegExp(`^${field}:\\s+(\\d+) kB`, 'm').exec(text);
  return m ? Number(m[1]) : 0;
}

/**
 * Physical pages resident for a set of processes, each counted once (PFNs from /proc/PID/pagemap, root only).
 * For one process this is its RSS; for smbd's forked processes it removes the pages they share (libraries,
 * the parent's heap before copy-on-write) that summed RSS counts once per process.
 */
function distinctResidentKiB(pids) {
  const pfns = new Set();
  const buf = Buffer.allocUnsafe(8 * 65536);
  for (const pid of pids) {
    let maps;
    let fd;
    try {
      maps = readFileSync(`/proc/${pid}/maps`, 'utf8');
      fd = openSync(`/proc/${pid}/pagemap`, 'r');
    } catch {
      continue; // exited meanwhile
    }
    try {
      for (const line of maps.split('\n')) {
        const m = /^([0-9a-f]+)-([0-9a-f]+)/.exec(line);
        if (!m || line.endsWith('[vsyscall]')) continue;
        const first = parseInt(m[1], 16) / 4096;
        const pages = (parseInt(m[2], 16) - parseInt(m[1], 16)) / 4096;
        for (let done = 0; done < pages;) {
          const n = Math.min(65536, pages - done);
          const got = readSync(fd, buf, 0, n * 8, (first + done) * 8) / 8;
          if (got <= 0) break;
          for (let i = 0; i < got; i++) {
            const hi = buf.readUInt32LE(i * 8 + 4);
            if (hi & 0x80000000) pfns.add((hi & 0x7fffff) * 2 ** 32 + buf.readUInt32LE(i * 8));
          }
          done += got;
        }
      }
    } catch {
      // exited while reading
    } finally {
      closeSync(fd);
    }
  }
  return pfns.size * 4;
}

/** Resident memory of a process tree: RSS summed (what `ps` shows per process) and each page counted once. */
export function treeMemory(pid) {
  let rss = 0;
  const pids = processTree(pid);
  for (const p of pids) {
    try {
      rss += kb(readFileSync(`/proc/${p}/status`, 'utf8'), 'VmRSS');
    } catch {
      // exited meanwhile
    }
  }
  return {rssKiB: rss, distinctKiB: distinctResidentKiB(pids), processes: pids.length};
}

const alive = (pid) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** SIGTERM the process, then its leftover descendants; SIGKILL whatever is still there after the grace time. */
export async function killTree(pid, graceMs = 5000) {
  if (!alive(pid)) return;
  const kids = processTree(pid).slice(1);
  process.kill(pid, 'SIGTERM');
  const end = Date.now() + graceMs;
  while (alive(pid) && Date.now() < end) await sleep(50);
  if (alive(pid)) process.kill(pid, 'SIGKILL');
  for (const k of kids) if (alive(k)) try { process.kill(k, 'SIGTERM'); } catch { /* gone */ }
  await sleep(200);
  for (const k of kids) if (alive(k)) try { process.kill(k, 'SIGKILL'); } catch { /* gone */ }
}

async function waitListening(port, child, logFile, what) {
  const end = Date.now() + 30_000;
  while (Date.now() < end) {
    if (child.exitCode !== null || child.signalCode !== null) throw new Error(`${what} exited during start-up:\n${readFileSync(logFile, 'utf8')}`);
    if (await canConnect(port)) return;
    await sleep(50);
  }
  throw new Error(`${what} did not listen on 127.0.0.1:${port} in 30 s:\n${readFileSync(logFile, 'utf8')}`);
}

/**
 * Our daemon. `root` is the project checkout (dist/ built); `cpuProfDir` runs it under `node --cpu-prof`.
 * `max ip connections = 0` (65536): every bench client comes from 127.0.0.1 and the default (32) would refuse
 * the 50-client rows, which smbd (no per-address limit by default) does not.
 */
export async function startOurs({root, base, share, user, password, cpuProfDir}) {
  const dir = join(base, 'ours');
  mkdirSync(join(dir, 'run'), {recursive: true});
  const conf = join(dir, 'ksmbd.conf');
  writeFileSync(conf, [
    '[global]',
    '\tbind interfaces only = yes',
    '\tinterfaces = 127.0.0.1',
    '\tmax ip connections = 0',
    '[bench]',
    `\tpath = ${share}`,
    '\tread only = no',
    '',
  ].join('\n'));
  const {hashForDb} = await import(join(root, 'dist/src/users/pwddb.js'));
  const db = join(dir, 'ksmbdpwd.db');
  writeFileSync(db, `${user}:${hashForDb(password)}\n`, {mode: 0o600});
  const port = await freePort();
  const logFile = join(dir, 'mountd.log');
  const out = openSync(logFile, 'a');
  const nodeArgs = cpuProfDir ? ['--cpu-prof', `--cpu-prof-dir=${cpuProfDir}`] : [];
  // -n runs the daemon in this process tree (its PID is what we measure); MALLOC_ARENA_MAX=1 is the
  // environment `ksmbd mountd` gives its detached daemon (daemon/detach.ts, so also ksmbd.service) and
  // `npm start` its foreground one.
  // Opt-in, for experiments only: BENCH_OURS_ENV="NAME=value NAME2=value2" is added to our daemon's
  // environment alone (e.g. MALLOC_MMAP_THRESHOLD_=..., to see how much of a row is allocation), and
  // BENCH_OURS_NODE_ARGS="--trace-gc ..." to its node command line.
  nodeArgs.push(...(process.env.BENCH_OURS_NODE_ARGS ?? '').split(/\s+/).filter(Boolean));
  const extraEnv = Object.fromEntries((process.env.BENCH_OURS_ENV ?? '').split(/\s+/).filter(Boolean).map((kv) => {
    const i = kv.indexOf('=');
    return i > 0 ? [kv.slice(0, i), kv.slice(i + 1)] : [kv, ''];
  }));
  const child = spawn(process.execPath, [...nodeArgs, join(root, 'dist/commands/bin/ksmbd.js'), 'mountd', '-n',
    '-p', String(port), '-C', conf, '-P', db, '--rundir', join(dir, 'run')], {stdio: ['ignore', out, out], env: {MALLOC_ARENA_MAX: '1', ...process.env, ...extraEnv}});
  closeSync(out);
  await waitListening(port, child, logFile, 'ksmbd mountd');
  return {
    name: 'ours', port, pid: child.pid, logFile,
    alive: () => child.exitCode === null && child.signalCode === null,
    async stop() {
      await killTree(child.pid);
    },
  };
}

/** smbd --version, e.g. "4.17.12-Debian". */
export function sambaVersion() {
  const r = spawnSync('smbd', ['--version'], {encoding: 'utf8'});
  return r.status === 0 ? r.stdout.trim().replace(/^Version\s+/, '') : 'unknown';
}

/**
 * A private smbd: no printers, no netbios, no vfs objects (plain share: streams_xattr is not installed here),
 * everything else at Samba's defaults (aio, sendfile off as shipped, strict sync, store dos attributes).
 */
export async function startSmbd({base, share, user, password, smbdGlobal = []}) {
  const d = join(base, 'smbd');
  for (const s of ['private', 'lock', 'state', 'cache', 'run', 'ncalrpc', 'binddns', 'log']) mkdirSync(join(d, s), {recursive: true, mode: 0o700});
  const port = await freePort();
  const conf = join(d, 'smb.conf');
  writeFileSync(conf, `[global]
  server role = standalone server
  workgroup = WORKGROUP
  netbios name = KSMBDBENCH
  bind interfaces only = yes
  interfaces = 127.0.0.1
  smb ports = ${port}
  disable netbios = yes
  private dir = ${d}/private
  lock directory = ${d}/lock
  state directory = ${d}/state
  cache directory = ${d}/cache
  pid directory = ${d}/run
  ncalrpc dir = ${d}/ncalrpc
  binddns dir = ${d}/binddns
  usershare path = ${d}/state/usershares
  passdb backend = tdbsam:${d}/private/passdb.tdb
  log file = ${d}/log/log.%m
  log level = 0
  max log size = 0
  load printers = no
  printing = bsd
  printcap name = /dev/null
  disable spoolss = yes
  map to guest = never
${smbdGlobal.map((l) => `  ${l}\n`).join('')}
[bench]
  path = ${share}
  read only = no
`);
  const tp = spawnSync('testparm', ['-s', conf], {encoding: 'utf8'});
  if (tp.status !== 0) throw new Error(`testparm refused the bench smb.conf:\n${tp.stderr}`);
  const pw = spawnSync('smbpasswd', ['-c', conf, '-s', '-a', user], {input: `${password}\n${password}\n`, encoding: 'utf8'});
  if (pw.status !== 0) throw new Error(`smbpasswd -a ${user} failed:\n${pw.stderr}${pw.stdout}`);
  const logFile = join(d, 'log', 'smbd.out');
  const out = openSync(logFile, 'a');
  // --foreground without --no-process-group: smbd calls setsid() itself, so its exit-time kill(0, SIGTERM)
  // of its process group cannot reach us.
  const child = spawn('smbd', ['--foreground', '--debug-stdout', '-s', conf], {stdio: ['ignore', out, out]});
  closeSync(out);
  await waitListening(port, child, logFile, 'smbd');
  return {
    name: 'smbd', port, pid: child.pid, logFile,
    alive: () => child.exitCode === null && child.signalCode === null,
    async stop() {
      await killTree(child.pid);
      // samba-dcerpcd is started on demand and detaches (PPID 1); stop it only if it runs with our smb.conf.
      const f = join(d, 'run', 'samba-dcerpcd.pid');
      if (existsSync(f)) {
        const pid = Number(readFileSync(f, 'utf8').replace(/\D/g, ''));
        let cmd = '';
        try {
          cmd = readFileSync(`/proc/${pid}/cmdline`, 'utf8');
        } catch {
          // not running
        }
        if (pid > 1 && cmd.includes(conf)) await killTree(pid);
      }
    },
  };
}
