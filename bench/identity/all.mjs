#!/usr/bin/env node
// Runs bench/identity/run.mjs for every mode at concurrency 1 and 16, REPEAT times each (median),
// and prints a markdown table. Run as root after building (npm run build, or see README.md):
//   node bench/identity/all.mjs [--seconds 2] [--repeat 3] [--threads 4]
import {execFileSync} from 'node:child_process';
import {cpus} from 'node:os';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {parseArgs} from 'node:util';

const here = dirname(fileURLToPath(import.meta.url));
const {values: opt} = parseArgs({options: {
  seconds: {type: 'string', default: '2'},
  repeat: {type: 'string', default: '3'},
  threads: {type: 'string', default: '4'},
}});
const modes = ['fs', 'native', 'worker'];
const table = new Map(); // row name -> mode -> rates[]
for (let r = 0; r < Number(opt.repeat); r++) {
  for (const conc of [1, 16]) {
    for (const mode of modes) {
      const out = execFileSync(process.execPath, [join(here, 'run.mjs'), '--mode', mode, '--conc', String(conc),
        '--seconds', opt.seconds, '--threads', opt.threads], {encoding: 'utf8'});
      for (const res of JSON.parse(out.trim().split('\n').pop()).results) {
        const row = `${res.name} (${res.unit}${res.unit === 'MiB/s' ? '' : `, ${conc} in flight`})`;
        if (!table.has(row)) table.set(row, new Map());
        const m = table.get(row);
        if (!m.has(mode)) m.set(mode, []);
        m.get(mode).push(res.rate);
      }
    }
  }
}
const median = (a) => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
const fmt = (v) => (v === undefined ? '—' : v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1));
console.log(`${cpus().length} CPUs, Node ${process.version}, native threads ${opt.threads}, median of ${opt.repeat} x ${opt.seconds} s\n`);
console.log('| operation | node:fs as root | (a) native addon | (b) worker process | (a)/(b) |');
console.log('|---|---:|---:|---:|---:|');
const order = (row) => [row.startsWith('open+fstat+close,') ? 1 : row.startsWith('open') ? 0 : row.startsWith('mkdir') ? 2
  : row.startsWith('readdir') ? 3 : 4, row.includes('16 in flight') ? 1 : 0];
const rows = [...table].sort(([x], [y]) => {
  const [a, b] = [order(x), order(y)];
  return a[0] - b[0] || a[1] - b[1];
});
for (const [row, m] of rows) {
  const f = m.get('fs') && median(m.get('fs'));
  const a = m.get('native') && median(m.get('native'));
  const b = m.get('worker') && median(m.get('worker'));
  console.log(`| ${row} | ${fmt(f)} | ${fmt(a)} | ${fmt(b)} | ${a && b ? (a / b).toFixed(2) : '—'} |`);
}
