// Medians, ratios, the table (markdown, also what bench/README.md shows) and the JSON record.
import {spawnSync} from 'node:child_process';
import {cpus, freemem, loadavg, release, totalmem} from 'node:os';

export function stats(values) {
  if (values.length === 0) return undefined;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  const median = s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
  return {median, min: s[0], max: s[s.length - 1], n: s.length};
}

/** ours/smbd where higher is better, smbd/ours where lower is better: > 1 always means we do better. */
export function ratio(row) {
  const a = row.ours?.stats?.median;
  const b = row.smbd?.stats?.median;
  if (a === undefined || b === undefined || a === 0 || b === 0) return undefined;
  return row.better === 'higher' ? a / b : b / a;
}

function fmt(v, unit) {
  if (v === undefined) return '—';
  if (unit === 's') return v >= 10 ? v.toFixed(1) : v >= 1 ? v.toFixed(2) : v.toFixed(3);
  if (unit === 'MiB') return v.toFixed(1);
  return v >= 100 ? Math.round(v).toLocaleString('en-US') : v.toFixed(1);
}

function cell(side, unit, notes, who) {
  if (!side) return {median: '—', range: '—'};
  let median = fmt(side.stats?.median, unit);
  if (side.failures > 0) {
    notes.push(`${who}: ${side.failures} failed: ${(side.failureReasons ?? []).join('; ')}`);
    median += ` (${side.failures} failed [${notes.length}])`;
  }
  if (side.error) {
    notes.push(side.error);
    median = side.stats ? `${median} [${notes.length}]` : `failed [${notes.length}]`;
  }
  const range = side.stats ? `${fmt(side.stats.min, unit)}–${fmt(side.stats.max, unit)}` : '—';
  return {median, range};
}

/** The markdown table and its numbered failure notes. */
export function renderTable(rows) {
  const notes = [];
  const lines = [
    '| workload | unit | ours (median) | smbd (median) | ratio (>1: we do better) | ours min–max | smbd min–max |',
    '|---|---|---:|---:|---:|---:|---:|',
  ];
  for (const row of rows) {
    const a = cell(row.ours, row.unit, notes, `ours, ${row.id}`);
    const b = cell(row.smbd, row.unit, notes, `smbd, ${row.id}`);
    let r = row.ratio === undefined ? '—' : row.ratio.toFixed(2);
    if (row.id === 'ceiling' && row.ratio !== undefined) r = `${r} (our read ÷ ceiling)`;
    lines.push(`| ${row.label} | ${row.unit} | ${a.median} | ${b.median} | ${r} | ${a.range} | ${b.range} |`);
  }
  const foot = notes.map((n, i) => `[${i + 1}] ${n}`);
  return lines.join('\n') + (foot.length ? '\n\n' + foot.join('\n') : '');
}

function version(cmd, args) {
  const r = spawnSync(cmd, args, {encoding: 'utf8'});
  return r.status === 0 ? r.stdout.trim().split('\n')[0] : 'unknown';
}

export function machineInfo(root, sharePath) {
  const commit = version('git', ['-C', root, 'rev-parse', 'HEAD']);
  const dirty = spawnSync('git', ['-C', root, 'status', '--porcelain', '--untracked-files=no'], {encoding: 'utf8'}).stdout.trim() !== '';
  return {
    nproc: cpus().length,
    memoryBytes: totalmem(),
    memoryFreeBytesAtStart: freemem(),
    cpuModel: cpus()[0]?.model ?? 'unknown',
    kernel: release(),
    node: process.version,
    samba: version('smbd', ['--version']).replace(/^Version\s+/, ''),
    smbclient: version('smbclient', ['--version']).replace(/^Version\s+/, ''),
    shareFilesystem: version('findmnt', ['-n', '-o', 'FSTYPE', '-T', sharePath]).replace(/^unknown$/, version('stat', ['-f', '-c', '%T', sharePath])),
    loadavgAtStart: loadavg(),
    gitCommit: commit,
    gitDirty: dirty,
  };
}

export function machineLine(m) {
  return `${m.nproc} CPUs (${m.cpuModel}), ${(m.memoryBytes / 2 ** 30).toFixed(1)} GiB, Linux ${m.kernel}, ` +
    `Node ${m.node}, Samba ${m.samba}, share on ${m.shareFilesystem}, load ${m.loadavgAtStart.map((x) => x.toFixed(2)).join(' ')}`;
}
