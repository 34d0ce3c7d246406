// Shared plumbing of the ksmbd-tools drop-ins: option tables, usage, error printing.
import {AdminError} from '../../admin/report.js';
import type {NotifyResult} from '../../control/notify.js';
import {getopt, type OptSpec, type ParsedOpt} from '../getopt.js';
import {ToolLog, TOOLS_VERSION} from '../tool-log.js';

export interface ToolSpec {
  tool: string;
  usage: string;
  help: string;
  options: OptSpec[];
}

export type ToolArgs = {opts: ParsedOpt[]; operands: string[]; log: ToolLog};

function printUsage(spec: ToolSpec): void {
  process.stdout.write(`${spec.usage}\nTry \`${spec.tool} --help' for more information.\n`);
}

/** Parse argv; on a getopt error or -h/-V, print as ksmbd-tools 3.5.x does and return the exit code. */
export function parseToolArgs(spec: ToolSpec, argv: string[]): ToolArgs | number {
  const log = new ToolLog(spec.tool);
  const r = getopt(spec.tool, argv, spec.options);
  if (!r.ok) {
    process.stderr.write(r.message + '\n');
    printUsage(spec);
    return 1;
  }
  for (const o of r.opts) {
    if (o.key === 'verbose') log.verbose = true;
    if (o.key === 'help') {
      process.stdout.write(`${spec.usage}\n\n${spec.help}`);
      return 0;
    }
    if (o.key === 'version') {
      log.info(`ksmbd-tools version : ${TOOLS_VERSION}`);
      return 0;
    }
  }
  return {opts: r.opts, operands: r.operands, log};
}

export function usageFailure(spec: ToolSpec): number {
  printUsage(spec);
  return 1;
}

/** Print an admin failure in ksmbd-tools' words and return its exit code (always 1 there). */
export function toolFailure(log: ToolLog, e: unknown): number {
  if (e instanceof AdminError) {
    if (e.detail) log.debug(e.detail);
    log.error(e.toolsMessage ?? e.message);
    return 1;
  }
  log.error((e as Error).message);
  return 1;
}

export const COMMON_OPTIONS: OptSpec[] = [
  {key: 'verbose', short: 'v', long: 'verbose', arg: 'none'},
  {key: 'version', short: 'V', long: 'version', arg: 'none'},
  {key: 'help', short: 'h', long: 'help', arg: 'none'},
];

/** Run a drop-in's main and exit with its status once stdout has drained. */
export function runTool(main: (argv: string[]) => Promise<number>): void {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (e: unknown) => {
      process.stderr.write(`internal error: ${(e as Error).stack ?? String(e)}\n`);
      process.exitCode = 1;
    },
  );
}

/** ksmbd-tools' closing line after a change: the daemon was told, or there was none to tell. */
export function reportNotify(log: ToolLog, n: NotifyResult | undefined): void {
  if (n?.notified) {
    log.info('Notified mountd');
    if (n.reloadError) log.error(`mountd refused the reload: ${n.reloadError}`);
    return;
  }
  if (n?.reason === 'invalid-lock' || n?.reason === 'stale-lock') log.error(`Invalid lock entry \`${n.entry}'`);
  log.info('Ignored lock file');
}
