// What `ksmbd mountd` does once its flags are parsed, and a lean door to it that does not load oclif.
// The daemon is a long-lived process: loading @oclif/core (and chalk) only to read six flags kept
// ~8 MiB of RSS for its whole life (issue 8). So the bin (commands/bin/ksmbd.ts) and the ksmbd.mountd
// drop-in first try leanMountd(): it accepts only a plain, well-formed use of the flags below and
// otherwise answers "not mine", and then oclif parses the command line as before. Help, every usage error
// and its message and exit code therefore stay oclif's (commands/mountd.ts declares the same flags).
import {resolve} from 'node:path';
import {defaultConfigPath, defaultPwdDbPath} from '../src/control/paths.js';
import {CHILD_ENV, spawnDetached} from '../daemon/detach.js';
import {runDaemon} from '../daemon/main.js';

export interface MountdFlags {
  nodetach: boolean;
  port?: number;
  config: string;
  pwddb: string;
  rundir?: string;
  verbose: boolean;
}

/** Start the daemon (foreground, or detached and wait until it is ready), as `ksmbd mountd` does. */
export async function runMountd(flags: MountdFlags): Promise<void> {
  // The detached child runs with `/` as its working directory: make every path absolute first.
  const configFile = resolve(flags.config);
  const pwddbFile = resolve(flags.pwddb);
  const rundir = flags.rundir !== undefined ? resolve(flags.rundir) : process.env.KSMBD_RUNDIR ? resolve(process.env.KSMBD_RUNDIR) : undefined;
  const child = process.env[CHILD_ENV] === '1';
  if (child) delete process.env[CHILD_ENV];
  if (flags.nodetach || child) {
    const code = await runDaemon({configFile, pwddbFile, rundir, port: flags.port, verbose: flags.verbose, mode: child ? 'child' : 'foreground'});
    if (code !== 0) process.exit(code);
    return;
  }
  const args = ['--config', configFile, '--pwddb', pwddbFile];
  if (rundir) args.push('--rundir', rundir);
  if (flags.port !== undefined) args.push('--port', String(flags.port));
  if (flags.verbose) args.push('--verbose');
  const r = await spawnDetached(args);
  if (r.ok) process.stdout.write(r.message + '\n');
  else process.stderr.write(`ksmbd mountd: ${r.message}\n`);
  process.exitCode = r.ok ? 0 : 1;
}

const BOOLEAN: Record<string, 'nodetach' | 'verbose'> = {'-n': 'nodetach', '--nodetach': 'nodetach', '-v': 'verbose', '--verbose': 'verbose'};
const VALUED: Record<string, 'port' | 'config' | 'pwddb' | 'rundir'> = {
  '-p': 'port', '--port': 'port', '-C': 'config', '--config': 'config', '-P': 'pwddb', '--pwddb': 'pwddb', '--rundir': 'rundir',
};

/**
 * The flags of `ksmbd mountd ARGV` when ARGV is a plain use of them (each flag at most once; `-p 4450`,
 * `-p4450`, `--port 4450` or `--port=4450`; a value that is not empty and does not start with `-`; a port of
 * 1 to 65535 in decimal digits), else undefined: help, anything unknown, repeated or doubtful is left to oclif.
 */
export function parseMountdFlags(argv: readonly string[]): MountdFlags | undefined {
  const seen = new Set<string>();
  const values: Partial<Record<'port' | 'config' | 'pwddb' | 'rundir', string>> = {};
  let nodetach = false;
  let verbose = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    const b = BOOLEAN[a];
    if (b) {
      if (seen.has(b)) return undefined;
      seen.add(b);
      if (b === 'nodetach') nodetach = true;
      else verbose = true;
      continue;
    }
    let name: string;
    let value: string | undefined;
    const eq = a.indexOf('=');
    if (a.startsWith('--') && eq > 0) [name, value] = [a.slice(0, eq), a.slice(eq + 1)];
    else if (/^-[pCP][^=]/.test(a)) [name, value] = [a.slice(0, 2), a.slice(2)];
    else [name, value] = [a, argv[++i]];
    const key = VALUED[name];
    if (!key || seen.has(key) || value === undefined || value === '' || value.startsWith('-')) return undefined;
    seen.add(key);
    values[key] = value;
  }
  let port: number | undefined;
  if (values.port !== undefined) {
    if (!/^\d{1,5}$/.test(values.port)) return undefined;
    port = Number(values.port);
    if (port < 1 || port > 65535) return undefined;
  }
  return {nodetach, verbose, port, config: values.config ?? defaultConfigPath(), pwddb: values.pwddb ?? defaultPwdDbPath(), rundir: values.rundir};
}

/** Run `ksmbd mountd ARGV` without oclif when parseMountdFlags takes ARGV; false when oclif must. */
export async function leanMountd(argv: readonly string[]): Promise<boolean> {
  const flags = parseMountdFlags(argv);
  if (!flags) return false;
  try {
    await runMountd(flags);
  } catch (e) {
    // As KsmbdCommand.catch would (the same message and exit status); loaded only on this rare path.
    const {reportFailure} = await import('../src/cli/output.js');
    process.exitCode = reportFailure('mountd', e, false);
  }
  return true;
}
