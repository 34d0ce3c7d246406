// The files under RUNDIR that mirror the kernel's: `debug` (the text of /sys/class/ksmbd-control/debug,
// newline included) and `stats` (one figure a line, `name: value`). Written by rename so that a reader
// never sees half a file; they live on tmpfs, so no fsync.
import {renameSync, unlinkSync, writeFileSync} from 'node:fs';
import type {Counters} from '../src/control/protocol.js';

function writeRuntime(file: string, text: string): void {
  const tmp = `${file}.${process.pid}.tmp`;
  writeFileSync(tmp, text, {mode: 0o644});
  renameSync(tmp, file);
}

export function writeDebugFile(file: string, line: string): void {
  writeRuntime(file, line + '\n');
}

export interface StatsFigures extends Counters {
  state: string;
  port: number;
  uptimeSeconds: number;
}

export function statsText(s: StatsFigures): string {
  const rows: Array<[string, string | number]> = [
    ['state', s.state],
    ['port', s.port],
    ['uptime', s.uptimeSeconds],
    ['connections', s.connections],
    ['connections total', s.connectionsTotal],
    ['connections refused', s.connectionsRefused],
    ['sessions', s.sessions],
    ['trees', s.trees],
    ['opens', s.opens],
    ['bytes in', s.bytesIn],
    ['bytes out', s.bytesOut],
    ['login failures', s.loginFailures],
  ];
  return rows.map(([k, v]) => `${k}: ${v}\n`).join('');
}

export function writeStatsFile(file: string, s: StatsFigures): void {
  writeRuntime(file, statsText(s));
}

export function removeFiles(files: string[]): void {
  for (const f of files) {
    try {
      unlinkSync(f);
    } catch {
      /* never written or already gone */
    }
  }
}
