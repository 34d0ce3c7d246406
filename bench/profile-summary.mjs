#!/usr/bin/env node
// Top functions by self time in a V8 .cpuprofile (what `node --cpu-prof` writes; `bench/run.mjs --cpu-prof DIR`
// runs our daemon that way):  node bench/profile-summary.mjs DIR/CPU.*.cpuprofile [--top 25]
import {readFileSync} from 'node:fs';
import {parseArgs} from 'node:util';

const {values: opt, positionals} = parseArgs({allowPositionals: true, options: {top: {type: 'string', default: '25'}}});
for (const file of positionals) {
  const p = JSON.parse(readFileSync(file, 'utf8'));
  const byId = new Map(p.nodes.map((n) => [n.id, n]));
  const self = new Map(); // node id -> microseconds
  for (let i = 0; i < p.samples.length; i++) self.set(p.samples[i], (self.get(p.samples[i]) ?? 0) + (p.timeDeltas[i] ?? 0));
  const total = [...self.values()].reduce((a, b) => a + b, 0);
  const agg = new Map(); // "function file:line" -> microseconds
  for (const [id, us] of self) {
    const {callFrame: f} = byId.get(id);
    const where = f.url ? `${f.url.replace(/^file:\/\//, '').replace(/^.*\/(dist|node_modules)\//, '$1/')}:${f.lineNumber + 1}` : '';
    const key = `${f.functionName || '(anonymous)'} ${where}`.trim();
    agg.set(key, (agg.get(key) ?? 0) + us);
  }
  console.log(`${file}: ${(total / 1e6).toFixed(2)} s sampled`);
  for (const [k, us] of [...agg].sort((a, b) => b[1] - a[1]).slice(0, Number(opt.top))) {
    console.log(`${(100 * us / total).toFixed(1).padStart(5)}%  ${(us / 1e3).toFixed(0).padStart(7)} ms  ${k}`);
  }
}
