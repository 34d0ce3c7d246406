#!/usr/bin/env node
// Measures one way of doing file operations as a client's identity (run as root):
//   node bench/identity/run.mjs --mode fs|native|worker [--conc N] [--threads N] [--seconds S] [--dir D]
//   fs      plain node:fs as root (no identity, no containment: the ceiling)
//   native  the identity-ops addon (src/vfs/identity-ops.ts, per-thread fsuid + openat2)
//   worker  a per-identity child process (setuid) serving operations over IPC
// Prints one JSON line. bench/identity/all.mjs runs every combination and prints a table.
import {fork} from 'node:child_process';
import fs from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import {performance} from 'node:perf_hooks';
import {fileURLToPath, pathToFileURL} from 'node:url';
import {parseArgs} from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const {values: opt} = parseArgs({options: {
  mode: {type: 'string', default: 'native'},
  conc: {type: 'string', default: '1'},
  threads: {type: 'string', default: '4'},
  seconds: {type: 'string', default: '2'},
  dir: {type: 'string', default: '/tmp/ksmbd-idbench'},
  only: {type: 'string', default: ''},
}});
const conc = Number(opt.conc);
const seconds = Number(opt.seconds);
const dir = opt.dir;
const ID = Object.freeze({uid: 65534, gid: 65534, groups: Object.freeze([65534])});
const BIG = 64 * 1024 * 1024;
const CHUNK = 1024 * 1024;

const p = (fn, ...a) => new Promise((res, rej) => fn(...a, (e, v) => (e ? rej(e) : res(v))));

function setup(d) {
  fs.mkdirSync(join(d, 'list'), {recursive: true});
  fs.mkdirSync(join(d, 'scratch'), {recursive: true});
  fs.writeFileSync(join(d, 'f'), Buffer.alloc(4096, 1));
  for (let i = 0; i < 1000; i++) {
    const f = join(d, 'list', `entry-${String(i).padStart(4, '0')}.dat`);
    if (!fs.existsSync(f)) fs.writeFileSync(f, Buffer.alloc(i % 64));
  }
  const big = join(d, 'big');
  if (!fs.existsSync(big) || fs.statSync(big).size !== BIG) {
    const fd = fs.openSync(big, 'w');
    const buf = Buffer.alloc(CHUNK);
    for (let i = 0; i < BIG / CHUNK; i++) fs.writeSync(fd, buf.fill(i & 0xff));
    fs.closeSync(fd);
  }
  for (const x of [d, join(d, 'list'), join(d, 'scratch'), join(d, 'f'), join(d, 'big')]) fs.chownSync(x, 65534, 65534);
}

async function measure(name, unit, fn, lanes = conc) {
  for (let w = 0; w < lanes; w++) await fn(w); // warm-up (and a correctness check)
  let count = 0;
  const t0 = performance.now();
  const end = t0 + seconds * 1000;
  await Promise.all(Array.from({length: lanes}, async (_, w) => {
    while (performance.now() < end) {
      await fn(w);
      count++;
    }
  }));
  const secs = (performance.now() - t0) / 1000;
  return {name, unit, rate: unit === 'MiB/s' ? (count * BIG) / CHUNK / secs : count / secs};
}

async function readAll(fd) {
  const buf = Buffer.allocUnsafe(CHUNK);
  let total = 0;
  for (;;) {
    const n = await p(fs.read, fd, buf, 0, CHUNK, null);
    if (n === 0) break;
    total += n;
  }
  if (total !== BIG) throw new Error(`short read ${total}`);
}

async function plainFs() {
  return [
    ['open+fstat+close', 'ops/s', async () => {
      const fd = await p(fs.open, join(dir, 'f'), 'r');
      await p(fs.fstat, fd);
      await p(fs.close, fd);
    }],
    ['mkdir+rmdir', 'ops/s', async (w) => {
      await p(fs.mkdir, join(dir, 'scratch', `d${w}`), 0o755);
      await p(fs.rmdir, join(dir, 'scratch', `d${w}`));
    }],
    ['readdir 1000 + stat', 'ops/s', async () => {
      const names = await p(fs.readdir, join(dir, 'list'));
      await Promise.all(names.map((n) => p(fs.lstat, join(dir, 'list', n))));
    }],
    ['read 64 MiB', 'MiB/s', async () => {
      const fd = await p(fs.open, join(dir, 'big'), 'r');
      await readAll(fd);
      await p(fs.close, fd);
    }],
  ];
}

async function nativeOps() {
  const url = process.env.KSMBD_IDOPS_MODULE
    ? pathToFileURL(resolve(process.env.KSMBD_IDOPS_MODULE)).href
    : new URL('../../dist/src/vfs/identity-ops.js', import.meta.url).href;
  const ops = await import(url);
  ops.setThreadCount(Number(opt.threads));
  const root = await ops.openRoot(dir);
  return [
    ['open+fstat+close', 'ops/s', async () => {
      const fd = await ops.open(root, 'f', fs.constants.O_RDONLY, 0, ID);
      await ops.fstat(fd, ID);
      await p(fs.close, fd);
    }],
    ['open+fstat+close, one request (openStat)', 'ops/s', async () => {
      const {fd} = await ops.openStat(root, 'f', fs.constants.O_RDONLY, 0, ID);
      await p(fs.close, fd);
    }],
    ['mkdir+rmdir', 'ops/s', async (w) => {
      await ops.mkdir(root, `scratch/d${w}`, 0o755, ID);
      await ops.rmdir(root, `scratch/d${w}`, ID);
    }],
    ['readdir 1000 + stat', 'ops/s', async () => {
      const e = await ops.readdir(root, 'list', ID, {withStat: true});
      if (e.length !== 1000) throw new Error('readdir');
    }],
    ['read 64 MiB', 'MiB/s', async () => {
      const fd = await ops.open(root, 'big', fs.constants.O_RDONLY, 0, ID);
      await readAll(fd);
      await p(fs.close, fd);
    }],
  ];
}

async function workerProcess() {
  const child = fork(join(here, 'worker-child.mjs'), [JSON.stringify([ID.uid, ID.gid, ID.groups])],
    {stdio: ['ignore', 'inherit', 'inherit', 'pipe', 'ipc']});
  const pending = new Map();
  let next = 1;
  let ready;
  const isReady = new Promise((r) => (ready = r));
  child.on('message', (m) => {
    if (m.ready) return ready(m);
    const cb = pending.get(m.id);
    pending.delete(m.id);
    m.err ? cb.reject(Object.assign(new Error(m.err), {code: m.err})) : cb.resolve(m.ok);
  });
  const call = (op, args) => new Promise((resolve, reject) => {
    const id = next++;
    pending.set(id, {resolve, reject});
    child.send({id, op, ...args});
  });
  const data = child.stdio[3];
  let sink = null;
  data.on('data', (b) => sink(b.length));
  const hello = await isReady;
  if (hello.uid !== ID.uid || hello.euid !== ID.uid) throw new Error('child did not switch');
  const work = [
    ['open+fstat+close', 'ops/s', () => call('openStatClose', {path: join(dir, 'f')})],
    ['mkdir+rmdir', 'ops/s', async (w) => {
      await call('mkdir', {path: join(dir, 'scratch', `d${w}`)});
      await call('rmdir', {path: join(dir, 'scratch', `d${w}`)});
    }],
    ['readdir 1000 + stat', 'ops/s', async () => {
      const e = await call('readdirStat', {path: join(dir, 'list')});
      if (e.length !== 1000) throw new Error('readdir');
    }],
    ['read 64 MiB', 'MiB/s', async () => {
      let got = 0;
      const done = new Promise((r) => (sink = (n) => ((got += n) === BIG ? r() : undefined)));
      await call('readFile', {path: join(dir, 'big'), chunk: CHUNK});
      await done;
    }],
  ];
  work.close = () => child.kill();
  return work;
}

setup(dir);
const work = opt.mode === 'fs' ? await plainFs() : opt.mode === 'worker' ? await workerProcess() : await nativeOps();
const results = [];
for (const [name, unit, fn] of work) {
  if (opt.only && !name.startsWith(opt.only)) continue;
  // One 64 MiB read at a time (measured at --conc 1 only): the data path, not concurrency.
  if (unit === 'MiB/s' && conc > 1) continue;
  results.push(await measure(name, unit, fn, unit === 'MiB/s' ? 1 : conc));
}
work.close?.();
console.log(JSON.stringify({mode: opt.mode, conc, threads: opt.mode === 'native' ? Number(opt.threads) : null, results}));
