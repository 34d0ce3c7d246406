// The workloads of issue 8. Each row runs one sample against one server and returns {value, extra};
// a failure throws (ClientFailure or Error) with the reason, which the runner records for the row.
import {spawn, spawnSync} from 'node:child_process';
import {chownSync, closeSync, mkdirSync, openSync, readdirSync, readSync, rmSync, statSync, writeSync} from 'node:fs';
import {join} from 'node:path';
import {concurrentClients, clientReportedSeconds, holdSessions, timedSession} from './client.mjs';
import {processTree, sleep, treeMemory} from './servers.mjs';

const MiB = 1024 * 1024;

export const SIZES = {
  full: {bigBytes: 1024 * MiB, manyCount: 10_000, uploadCount: 2_000, uploadBytes: 4096, clients: 50, sessions: 50},
  quick: {bigBytes: 16 * MiB, manyCount: 300, uploadCount: 50, uploadBytes: 4096, clients: 5, sessions: 5},
};

const human = (bytes) => (bytes >= 1024 * MiB ? `${bytes / (1024 * MiB)} GiB` : `${bytes / MiB} MiB`);

/** Share and local fixtures, owned by the bench user so both servers can read, write and delete. */
export function makeFixtures(ctx) {
  const {share, local, sizes, uid, gid} = ctx;
  mkdirSync(share, {recursive: true, mode: 0o777});
  chownSync(share, uid, gid);
  const own = (p) => chownSync(p, uid, gid);
  // 16 MiB of random data, each MiB-chunk stamped with its index, so no two blocks of the file are equal.
  const pattern = Buffer.alloc(16 * MiB);
  for (let i = 0; i < pattern.length; i += 65536) pattern.set(crypto.getRandomValues(new Uint8Array(65536)), i);
  const big = join(share, 'big');
  const fd = openSync(big, 'w', 0o666);
  for (let off = 0; off < sizes.bigBytes; off += MiB) {
    const chunk = pattern.subarray(off % pattern.length, (off % pattern.length) + Math.min(MiB, sizes.bigBytes - off));
    chunk.writeUInt32LE(off / MiB, 0);
    writeSync(fd, chunk, 0, chunk.length, off);
  }
  closeSync(fd);
  own(big);
  const small = join(share, 'small');
  const sfd = openSync(small, 'w', 0o666);
  writeSync(sfd, pattern.subarray(0, 4096));
  closeSync(sfd);
  own(small);
  const many = join(share, 'many');
  mkdirSync(many, {mode: 0o777});
  own(many);
  for (let i = 0; i < sizes.manyCount; i++) {
    const p = join(many, `file-${String(i).padStart(5, '0')}.dat`);
    closeSync(openSync(p, 'w', 0o666));
    own(p);
  }
  const up = join(local, 'up');
  mkdirSync(up, {recursive: true});
  for (let i = 0; i < sizes.uploadCount; i++) {
    const f = openSync(join(up, `up-${String(i).padStart(5, '0')}.bin`), 'w', 0o644);
    writeSync(f, pattern.subarray(i * 4096 % pattern.length, i * 4096 % pattern.length + sizes.uploadBytes));
    closeSync(f);
  }
  syncfs(share);
}

/** Read a file through once so its pages are in the page cache for whichever server reads it next. */
export function warmFile(path) {
  const fd = openSync(path, 'r');
  const buf = Buffer.allocUnsafe(8 * MiB);
  while (readSync(fd, buf, 0, buf.length, null) > 0);
  closeSync(fd);
}

/** Flush dirty pages of the share's filesystem, so no writeback from an earlier sample runs during the next. */
export function syncfs(path) {
  spawnSync('sync', ['-f', path]);
}

const mib = (bytes, seconds) => bytes / MiB / seconds;
const transferTimeout = (bytes) => 60_000 + bytes / MiB * 200; // >= 5 MiB/s, else the sample fails

function readRow(variant, label) {
  return {
    id: `read-${variant}`, label: (s) => `sequential read ${human(s.bigBytes)}${label}`, unit: 'MiB/s', better: 'higher', variant,
    async run(server, ctx) {
      warmFile(join(ctx.share, 'big'));
      const r = await timedSession(server, ctx, {variant, steps: [['get big /dev/null']], timeoutMs: transferTimeout(ctx.sizes.bigBytes)});
      if (!/getting file \\big of size (\d+)/.test(r.out) || Number(/of size (\d+)/.exec(r.out)[1]) !== ctx.sizes.bigBytes) {
        throw new Error(`get did not report the whole file: ${r.out.trim().slice(0, 200)}`);
      }
      const reported = clientReportedSeconds(r.out, ctx.sizes.bigBytes);
      return {value: mib(ctx.sizes.bigBytes, r.seconds[0]), extra: {seconds: r.seconds[0], smbclientSeconds: reported}};
    },
  };
}

let writeSeq = 0;
function writeRow(variant, label) {
  return {
    id: `write-${variant}`, label: (s) => `sequential write ${human(s.bigBytes)}${label}`, unit: 'MiB/s', better: 'higher', variant,
    async run(server, ctx) {
      const name = `wr-${server.name}-${++writeSeq}`;
      const target = join(ctx.share, name);
      rmSync(target, {force: true});
      warmFile(join(ctx.share, 'big'));
      syncfs(ctx.share);
      try {
        const r = await timedSession(server, ctx, {variant, steps: [[`put ${join(ctx.share, 'big')} ${name}`]], timeoutMs: transferTimeout(ctx.sizes.bigBytes)});
        const size = statSync(target).size;
        if (size !== ctx.sizes.bigBytes) throw new Error(`the written file has ${size} bytes, not ${ctx.sizes.bigBytes}`);
        const reported = clientReportedSeconds(r.out, ctx.sizes.bigBytes);
        return {value: mib(ctx.sizes.bigBytes, r.seconds[0]), extra: {seconds: r.seconds[0], smbclientSeconds: reported}};
      } finally {
        rmSync(target, {force: true});
        syncfs(ctx.share);
      }
    },
  };
}

/** Entries smbclient printed in an `ls` listing (one line per entry, ending in the date). */
const countEntries = (out) => out.split('\n').filter((l) => /\s\d+\s+\w{3} \w{3}\s+\d+ \d\d:\d\d:\d\d \d{4}$/.test(l)).length;

const listRow = {
  id: 'list', label: (s) => `list a directory of ${s.manyCount.toLocaleString('en-US')} files`, unit: 's', better: 'lower', variant: 'plain',
  async run(server, ctx) {
    for (const e of readdirSync(join(ctx.share, 'many'))) statSync(join(ctx.share, 'many', e)); // dentries and inodes cached
    const r = await timedSession(server, ctx, {setup: ['cd many'], steps: [['ls']], timeoutMs: 120_000});
    const n = countEntries(r.out);
    if (n < ctx.sizes.manyCount + 2) throw new Error(`listing showed ${n} entries, expected ${ctx.sizes.manyCount + 2}`);
    return {value: r.seconds[0], extra: {entries: n}};
  },
};

let uploadSeq = 0;
const uploadRow = {
  id: 'upload', label: (s) => `upload ${s.uploadCount.toLocaleString('en-US')} files of ${s.uploadBytes / 1024} KiB`, unit: 's', better: 'lower', variant: 'plain',
  async run(server, ctx) {
    const dir = `up-${server.name}-${++uploadSeq}`;
    const target = join(ctx.share, dir);
    rmSync(target, {recursive: true, force: true});
    syncfs(ctx.share);
    try {
      // `prompt` turns mput's per-file question off (it would read its answers from our command stream).
      const r = await timedSession(server, ctx, {setup: [`mkdir ${dir}`, `cd ${dir}`, `lcd ${join(ctx.local, 'up')}`, 'prompt'], steps: [['mput *']], timeoutMs: 300_000});
      const files = readdirSync(target);
      const short = files.filter((f) => statSync(join(target, f)).size !== ctx.sizes.uploadBytes).length;
      if (files.length !== ctx.sizes.uploadCount || short > 0) throw new Error(`uploaded ${files.length} of ${ctx.sizes.uploadCount} files, ${short} of the wrong size`);
      return {value: r.seconds[0], extra: {filesPerSecond: ctx.sizes.uploadCount / r.seconds[0]}};
    } finally {
      rmSync(target, {recursive: true, force: true});
      syncfs(ctx.share);
    }
  },
};

const clientsRow = {
  id: 'clients', label: (s) => `${s.clients} clients at once: connect + 4 KiB get + disconnect`, unit: 's', better: 'lower', variant: 'plain', showFailures: true,
  async run(server, ctx) {
    warmFile(join(ctx.share, 'small'));
    const r = await concurrentClients(server, ctx, ctx.sizes.clients, 'get small /dev/null', 120_000);
    if (r.failed === ctx.sizes.clients) throw new Error(`every client failed: ${r.reasons.join('; ')}`);
    return {value: r.seconds, failures: r.failed, reasons: r.reasons, extra: {failed: r.failed, reasons: r.reasons}};
  },
};

/** Wait until a server's process tree is back to `count` processes (smbd's per-connection children exit). */
async function settle(server, count, ms = 5000) {
  const end = Date.now() + ms;
  while (processTree(server.pid).length > count && Date.now() < end) await sleep(100);
  await sleep(300);
}

/**
 * How long a server is left quiet before its "idle after the workloads" memory is read: an idle server is
 * one that has had time to do its idle housekeeping (smbd: children exiting; ours: the allocator trim a
 * second or two after traffic stops, the GCM worker ending 5 s after its last message). Same for both.
 */
const IDLE_QUIET_MS = 8000;

const rssIdleAfterRow = {
  id: 'rss-idle-after', label: () => 'daemon RSS idle, after the workloads above', unit: 'MiB', better: 'lower', variant: 'plain',
  async run(server, ctx) {
    await settle(server, ctx.baseProcesses[server.name]);
    await sleep(IDLE_QUIET_MS);
    const m = treeMemory(server.pid);
    return {value: m.rssKiB / 1024, extra: {distinctMiB: m.distinctKiB / 1024, processes: m.processes}};
  },
};

const rssSessionsRow = {
  id: 'rss-sessions', label: (s) => `daemon RSS with ${s.sessions} sessions open`, unit: 'MiB', better: 'lower', variant: 'plain', showFailures: true,
  async run(server, ctx) {
    await settle(server, ctx.baseProcesses[server.name]);
    const h = await holdSessions(server, ctx, ctx.sizes.sessions, 60_000);
    try {
      if (h.ready === 0) throw new Error(`no session opened: ${h.reasons.join('; ')}`);
      await sleep(500);
      const m = treeMemory(server.pid);
      return {value: m.rssKiB / 1024, failures: h.failed, reasons: h.reasons, extra: {distinctMiB: m.distinctKiB / 1024, processes: m.processes, open: h.ready, failed: h.failed, reasons: h.reasons}};
    } finally {
      await h.close();
    }
  },
};

/** Rows in table order. `rss-idle` (fresh start) and `ceiling` are measured by the runner itself. */
export function workloads() {
  return [
    readRow('plain', ''),
    writeRow('plain', ''),
    listRow,
    uploadRow,
    readRow('signed', ', signing required'),
    writeRow('signed', ', signing required'),
    readRow('gcm', ', encrypted AES-128-GCM'),
    writeRow('gcm', ', encrypted AES-128-GCM'),
    readRow('ccm', ', encrypted AES-128-CCM'),
    writeRow('ccm', ', encrypted AES-128-CCM'),
    clientsRow,
    rssIdleAfterRow,
    rssSessionsRow,
  ];
}

/**
 * The Node ceiling: a plain Node TCP server (own process) streaming the same file to a plain Node TCP client
 * (own process) over 127.0.0.1; the client reports the time from connect to the last byte.
 */
export function ceilingSample(ctx) {
  return new Promise((resolve, reject) => {
    const script = join(ctx.benchDir, 'lib', 'ceiling.mjs');
    warmFile(join(ctx.share, 'big'));
    const srv = spawn(process.execPath, [script, 'serve', join(ctx.share, 'big')], {stdio: ['ignore', 'pipe', 'inherit']});
    let buf = '';
    let started = false;
    const fail = (e) => {
      srv.kill('SIGTERM');
      reject(e);
    };
    srv.stdout.on('data', (d) => {
      buf += d;
      const m = /PORT (\d+)/.exec(buf);
      if (!m || started) return;
      started = true;
      const cli = spawn(process.execPath, [script, 'fetch', m[1]], {stdio: ['ignore', 'pipe', 'inherit']});
      let out = '';
      cli.stdout.on('data', (d) => (out += d));
      const timer = setTimeout(() => cli.kill('SIGKILL'), transferTimeout(ctx.sizes.bigBytes));
      cli.on('close', (code) => {
        clearTimeout(timer);
        srv.kill('SIGTERM');
        const r = /BYTES (\d+) NS (\d+)/.exec(out);
        if (code !== 0 || !r) return reject(new Error(`ceiling client failed (exit ${code})`));
        if (Number(r[1]) !== ctx.sizes.bigBytes) return reject(new Error(`ceiling client got ${r[1]} bytes`));
        const seconds = Number(r[2]) / 1e9;
        resolve({value: mib(ctx.sizes.bigBytes, seconds), extra: {seconds}});
      });
    });
    srv.on('error', fail);
  });
}
