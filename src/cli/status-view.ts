// `ksmbd status` for people: a short summary and tables. Colour comes from chalk, which turns itself
// off when stdout is not a terminal, so pipes and logs get plain text.
import chalk from 'chalk';
import type {ListenAddress, SessionSummary, ShareSummary, StatusResult} from '../control/protocol.js';

export function duration(seconds: number): string {
  const d = Math.floor(seconds / 86400);
  const h = Math.floor((seconds % 86400) / 3600);
  const m = Math.floor((seconds % 3600) / 60);
  const s = seconds % 60;
  return [d && `${d}d`, (d || h) && `${h}h`, (d || h || m) && `${m}m`, `${s}s`].filter(Boolean).join(' ');
}

function address(a: ListenAddress): string {
  return a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

/** Columns padded to the widest cell; the header bold. */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === cells.length - 1 ? c : c.padEnd(widths[i]!))).join('  ').trimEnd();
  return [chalk.bold(line(header)), ...rows.map(line)].join('\n');
}

function shareRows(shares: ShareSummary[]): string[][] {
  return shares.map((s) => [s.name, s.path || '-', s.readOnly ? 'read-only' : 'read-write', s.guestOk ? 'yes' : 'no', s.browseable ? 'yes' : 'no', s.comment]);
}

function sessionRows(sessions: SessionSummary[]): string[][] {
  return sessions.map((s) => [
    s.id,
    s.guest ? `${s.user} (guest)` : s.user,
    s.client,
    s.dialect ?? '-',
    [s.signing && 'signed', s.encryption && 'encrypted'].filter(Boolean).join(', ') || '-',
    duration(s.idleSeconds),
    s.trees.map((t) => t.share).join(', ') || '-',
    String(s.opens),
  ]);
}

export function statusText(s: StatusResult): string {
  const c = s.counters;
  const out = [
    `${chalk.green('●')} ksmbd is ${chalk.bold('running')} (pid ${s.pid}, version ${s.version}, up ${duration(s.uptimeSeconds)})`,
    `  Listening: ${s.listening.map(address).join(', ') || '-'}`,
    `  Config:    ${s.config.embedded ? `embedded default (no ${s.config.file})` : s.config.file}; ${s.config.users} user(s) in ${s.config.pwddb}`,
    `  Engine:    ${s.engine}`,
    `  Runtime:   ${s.rundir}; log: ${s.log}`,
    `  Debug:     ${s.debug.trimEnd()}`,
    '',
    table(['SHARE', 'PATH', 'ACCESS', 'GUEST', 'BROWSE', 'COMMENT'], shareRows(s.shares)),
    '',
    s.sessions.length === 0 ? 'No sessions.' : table(['SESSION', 'USER', 'CLIENT', 'DIALECT', 'SECURITY', 'IDLE', 'TREES', 'OPENS'], sessionRows(s.sessions)),
    '',
    `Connections ${c.connections} (total ${c.connectionsTotal}, refused ${c.connectionsRefused}), sessions ${c.sessions}, trees ${c.trees}, open files ${c.opens}, ` +
      `bytes in ${c.bytesIn} / out ${c.bytesOut}, failed logins ${c.loginFailures}`,
  ];
  return out.join('\n') + '\n';
}
