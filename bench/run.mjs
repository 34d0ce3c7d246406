#!/usr/bin/env node
// Benchmarks side by side with Samba's smbd (issue 8); the method is in bench/README.md.
//
//   npm run bench                      # build, then the full suite (1 GiB files, 10,000 entries, 50 clients)
//   npm run bench -- --quick           # tiny sizes, one sample each: proves the harness works
//   node bench/run.mjs [--iterations 5] [--warmup 1] [--only read-plain,list] [--out DIR] [--dir PARENT]
//                      [--cpu-prof DIR] [--keep]
//
// Runs as root (creates the `ksmbdbench` account, chowns the share). Prints one markdown table on stdout
// (progress on stderr) and writes the same as JSON to bench/results/<time>.json (quick-<time>.json in
// quick mode). Both servers listen on 127.0.0.1 only; everything lives in one temp dir that is removed.
import {chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {loadavg} from 'node:os';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';
import {live} from './lib/client.mjs';
import {machineInfo, machineLine, ratio, renderTable, stats} from './lib/report.mjs';
import {ensureUnixUser, processTree, sleep, startOurs, startSmbd, treeMemory} from './lib/servers.mjs';
import {ceilingSample, makeFixtures, SIZES, workloads} from './lib/workloads.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const root = resolve(benchDir, '..');
const {values: opt} = parseArgs({options: {
  quick: {type: 'boolean', default: false},
  iterations: {type: 'string'},
  warmup: {type: 'string'},
  only: {type: 'string'},
  out: {type: 'string'},
  dir: {type: 'string', default: '/var/tmp'},
  'cpu-prof': {type: 'string'},
  keep: {type: 'boolean', default: false},
}});

const mode = opt.quick ? 'quick' : 'full';
const iterations = Number(opt.iterations ?? (opt.quick ? 1 : 5));
const warmup = Number(opt.warmup ?? (opt.quick ? 0 : 1));
const only = opt.only ? new Set(opt.only.split(',')) : undefined;
const log = (s) => process.stderr.write(`${s}\n`);

if (process.getuid?.() !== 0) {
  log('bench: run as root (the share is chowned to the bench user, smbd needs root)');
  process.exit(1);
}
if (!existsSync(join(root, 'dist/commands/bin/ksmbd.js'))) {
  log('bench: dist/ is missing: npm run build first (npm run bench does)');
  process.exit(1);
}

const USER = 'ksmbdbench';
const PASSWORD = 'bench-pw-8';
const account = ensureUnixUser(USER);
mkdirSync(opt.dir, {recursive: true});
const base = mkdtempSync(join(opt.dir, 'ksmbd-bench-'));
chmodSync(base, 0o755); // the share below must be reachable for smbd running as the bench user
const ctx = {
  root, benchDir, base, user: USER, password: PASSWORD, uid: account.uid, gid: account.gid,
  share: join(base, 'share'), local: join(base, 'local'), tmp: join(base, 'tmp'), sizes: SIZES[mode],
  baseProcesses: {},
};
mkdirSync(ctx.tmp);
mkdirSync(ctx.local);
const servers = [];

let cleaned = false;
async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  for (const c of live) c.kill('SIGKILL');
  for (const s of servers) await s.stop().catch(() => {});
  if (!opt.keep) rmSync(base, {recursive: true, force: true});
  else log(`kept ${base}`);
}
for (const sig of ['SIGINT', 'SIGTERM']) {
  process.on(sig, () => {
    log(`\n${sig}: stopping servers and removing ${base}`);
    void cleanup().then(() => process.exit(130));
  });
}

/**
 * The distinct-pages view of a memory row (same samples): RSS summed over smbd's forked processes counts
 * every shared page (libraries, the parent's heap before copy-on-write) once per process; this counts
 * each physical page once. For our single process both are the same.
 */
function distinctRow(row) {
  const side = (s) => {
    if (!s) return undefined;
    const samples = s.extra.map((e) => e?.distinctMiB).filter((v) => v !== undefined);
    return {samples, extra: [], stats: stats(samples), error: s.error && 'see the RSS row'};
  };
  const r = {id: row.id.replace('rss-', 'mem-'), label: row.label.replace('daemon RSS', 'daemon memory, distinct pages,'), unit: 'MiB', better: 'lower',
    ours: side(row.ours), smbd: side(row.smbd)};
  r.ratio = ratio(r);
  return r;
}

async function main() {
  const machine = machineInfo(root, base);
  log(`bench ${mode}: ${iterations} sample(s) per server per row after ${warmup} warm-up; ${machineLine(machine)}`);
  if (/tmpfs|ramfs/.test(machine.shareFilesystem)) log(`warning: ${base} is on ${machine.shareFilesystem}, not a disk: use --dir`);
  log(`fixtures in ${base} ...`);
  const t0 = Date.now();
  makeFixtures(ctx);
  log(`fixtures ready in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
  if (opt['cpu-prof']) mkdirSync(opt['cpu-prof'], {recursive: true});
  const start = {
    ours: () => startOurs({...ctx, cpuProfDir: opt['cpu-prof'] && resolve(opt['cpu-prof'])}),
    smbd: () => startSmbd(ctx),
  };
  servers.push(await start.ours(), await start.smbd());
  for (const s of servers) log(`${s.name}: pid ${s.pid} on 127.0.0.1:${s.port}, log ${s.logFile}`);
  await sleep(1000);

  const rows = [];
  const want = (id) => !only || only.has(id);
  if (want('rss-idle')) {
    const row = {id: 'rss-idle', label: 'daemon RSS idle, fresh start', unit: 'MiB', better: 'lower'};
    for (const s of servers) {
      ctx.baseProcesses[s.name] = processTree(s.pid).length;
      const m = treeMemory(s.pid);
      row[s.name] = {samples: [m.rssKiB / 1024], extra: [{distinctMiB: m.distinctKiB / 1024, processes: m.processes}], stats: stats([m.rssKiB / 1024])};
    }
    row.ratio = ratio(row);
    rows.push(row, distinctRow(row));
  }
  for (const s of servers) ctx.baseProcesses[s.name] ??= processTree(s.pid).length;

  // The Node ceiling is sampled right after each read-plain pair (A B C A B C), so that its ratio compares
  // figures taken under the same machine load; alone (no read-plain row) it runs on its own.
  const ceiling = want('ceiling')
    ? {id: 'ceiling', label: 'Node ceiling: plain Node TCP server sends the read file to a Node client', unit: 'MiB/s', better: 'higher',
      ours: {samples: [], extra: []}}
    : undefined;
  async function ceilingOnce(i) {
    if (!ceiling || ceiling.ours.error) return;
    try {
      const r = await ceilingSample(ctx);
      log(`ceiling ${i < 0 ? 'warm-up' : `#${i + 1}`}: ${r.value.toFixed(1)} MiB/s`);
      if (i >= 0) {
        ceiling.ours.samples.push(r.value);
        ceiling.ours.extra.push({...r.extra, load1: loadavg()[0]});
      }
    } catch (e) {
      ceiling.ours.error = `ceiling: ${e.message}`;
    }
  }

  for (const w of workloads()) {
    if (!want(w.id)) continue;
    const row = {id: w.id, label: w.label(ctx.sizes), unit: w.unit, better: w.better, variant: w.variant,
      ours: {samples: [], extra: []}, smbd: {samples: [], extra: []}};
    rows.push(row);
    for (let i = -warmup; i < iterations; i++) {
      for (let k = 0; k < servers.length; k++) {
        const server = servers[k];
        const side = row[server.name];
        if (side.error) continue; // a server that failed a row is not asked again for it
        const what = `${w.id} ${server.name} ${i < 0 ? 'warm-up' : `#${i + 1}`}`;
        try {
          const r = await w.run(server, ctx);
          log(`${what}: ${r.value.toFixed(3)} ${w.unit}${r.failures ? ` (${r.failures} failed)` : ''}`);
          if (i >= 0) {
            side.samples.push(r.value);
            side.extra.push({...r.extra, load1: loadavg()[0]});
            if (r.failures) {
              side.failures = (side.failures ?? 0) + r.failures;
              side.failureReasons = [...new Set([...(side.failureReasons ?? []), ...r.reasons])];
            }
          }
        } catch (e) {
          side.error = `${server.name}, ${w.id}: ${String(e.message ?? e).split('\n')[0]}`;
          log(`${what}: FAILED ${side.error}`);
        }
        if (!server.alive()) {
          side.error = `${server.name}, ${w.id}: the server exited (log ${server.logFile}); restarted`;
          log(side.error);
          await server.stop();
          servers[k] = await start[server.name]();
          ctx.baseProcesses[server.name] = processTree(servers[k].pid).length;
        }
      }
      if (w.id === 'read-plain') await ceilingOnce(i);
    }
    for (const s of ['ours', 'smbd']) row[s].stats = stats(row[s].samples);
    row.ratio = ratio(row);
    if (row.id.startsWith('rss-')) rows.push(distinctRow(row));
  }

  if (ceiling) {
    if (!want('read-plain')) for (let i = -warmup; i < iterations; i++) await ceilingOnce(i);
    ceiling.ours.stats = stats(ceiling.ours.samples);
    const read = rows.find((r) => r.id === 'read-plain')?.ours?.stats?.median;
    ceiling.ratio = read && ceiling.ours.stats ? read / ceiling.ours.stats.median : undefined;
    rows.push(ceiling);
  }

  machine.loadavgAtEnd = loadavg();
  const table = renderTable(rows);
  process.stdout.write(`\n${machineLine(machine)}; ${iterations} sample(s) after ${warmup} warm-up, A B A B\n\n${table}\n`);
  const stamp = new Date().toISOString().replace(/[:.]/g, '-');
  const outDir = resolve(opt.out ?? join(benchDir, 'results'));
  mkdirSync(outDir, {recursive: true});
  const file = join(outDir, `${mode === 'quick' ? 'quick-' : ''}${stamp}.json`);
  const sizes = ctx.sizes;
  writeFileSync(file, JSON.stringify({date: new Date().toISOString(), mode, iterations, warmup, order: 'A B A B (ours, smbd)', sizes, machine, rows, table}, null, 2) + '\n');
  process.stdout.write(`\nJSON: ${file}\n`);
}

try {
  await main();
} catch (e) {
  log(`bench: ${e.stack ?? e}`);
  process.exitCode = 1;
} finally {
  await cleanup();
}
