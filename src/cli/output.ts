// How `ksmbd` commands answer: plain lines for people, one JSON object on stdout for scripts (--json),
// and exit codes 0 ok, 1 failure, 2 usage error.
import chalk from 'chalk';
import {AdminError} from '../admin/report.js';
import {ConfigError, UsageError} from '../config/errors.js';
import type {NotifyResult} from '../control/notify.js';

export function printJson(value: unknown): void {
  process.stdout.write(JSON.stringify(value) + '\n');
}

export interface Failure {
  code: string;
  message: string;
  exit: 1 | 2;
}

export function describeFailure(e: unknown): Failure {
  if (e instanceof AdminError) return {code: e.code, message: e.message, exit: e.exit};
  if (e instanceof UsageError) return {code: e.code, message: e.message, exit: 2};
  if (e instanceof ConfigError) return {code: e.code, message: e.located, exit: 1};
  const err = e as {message?: string; oclif?: {exit?: number}};
  // oclif's own parse errors (unknown flag, missing argument) carry an exit code of 2.
  if (err?.oclif) {
    const lines = (err.message ?? String(e)).split('\n').map((l) => l.trim()).filter((l) => l && !/^See more help/.test(l));
    const message = lines[0] === 'The following errors occurred:' ? lines.slice(1).join('; ') : lines.join(' ');
    return {code: 'USAGE', message, exit: 2};
  }
  return {code: 'INTERNAL', message: err?.message ?? String(e), exit: 1};
}

/** Print a failure the way the caller asked for and return the exit code. */
export function reportFailure(command: string, e: unknown, json: boolean): number {
  const f = describeFailure(e);
  if (json) printJson({ok: false, error: {code: f.code, message: f.message}});
  else {
    const hint = f.exit === 2 ? `\nSee \`ksmbd ${command} --help'.` : '';
    process.stderr.write(`${chalk.red('ksmbd ' + command + ':')} ${f.message}${hint}\n`);
  }
  return f.exit;
}

export function notifyText(n: NotifyResult | undefined): string | undefined {
  if (!n) return undefined;
  if (n.notified && n.reloadError) return `mountd refused the reload, its previous configuration stays in force: ${n.reloadError}`;
  if (n.notified && n.restartNeeded?.length) return `Notified mountd (pid ${n.pid}); changed global parameters need a restart: ${n.restartNeeded.join(', ')}`;
  if (n.notified) return `Notified mountd (pid ${n.pid})`;
  if (n.reason === 'no-lock') return 'mountd is not running; the change applies when it starts';
  if (n.reason === 'signal-failed') return `Could not notify mountd: ${n.error}`;
  return `mountd is not running (lock file entry \`${n.entry}' is not a live process)`;
}

export function notifyJson(n: NotifyResult | undefined): unknown {
  if (!n) return {notified: false, reason: 'unchanged'};
  if (!n.notified) return {notified: false, reason: n.reason};
  const out: Record<string, unknown> = {notified: true, pid: n.pid};
  if (n.via) out.via = n.via;
  if (n.reloadError) out.reloadError = n.reloadError;
  if (n.restartNeeded?.length) out.restartNeeded = n.restartNeeded;
  return out;
}
