// Running the built CLI the way a user or a script would.
import {spawn, spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';

export const ROOT = join(dirname(fileURLToPath(import.meta.url)), '..', '..');
export const KSMBD = join(ROOT, 'dist/commands/bin/ksmbd.js');
export const COMPAT = (tool: 'adduser' | 'addshare' | 'control' | 'mountd') => join(ROOT, `dist/commands/compat/ksmbd.${tool}.js`);

export interface RunResult {
  code: number;
  stdout: string;
  stderr: string;
}

export interface RunOptions {
  input?: string;
  env?: Record<string, string>;
  cwd?: string;
}

/** Environment for a run that can reach no real daemon. */
function env(extra?: Record<string, string>): NodeJS.ProcessEnv {
  return {...process.env, KSMBD_RUNDIR: process.env.KSMBD_TEST_RUNDIR ?? '/nonexistent/ksmbd-test-rundir', FORCE_COLOR: '0', ...extra};
}

export function ksmbd(args: string[], opts: RunOptions = {}): RunResult {
  return runNode(KSMBD, args, opts);
}

export function runNode(script: string, args: string[], opts: RunOptions = {}): RunResult {
  const r = spawnSync(process.execPath, [script, ...args], {input: opts.input ?? '', env: env(opts.env), cwd: opts.cwd, encoding: 'utf8'});
  return {code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr};
}

export function ksmbdAsync(args: string[], opts: RunOptions = {}): Promise<RunResult> {
  return new Promise((resolve) => {
    const child = spawn(process.execPath, [KSMBD, ...args], {env: env(opts.env), cwd: opts.cwd});
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d) => (stdout += d));
    child.stderr.on('data', (d) => (stderr += d));
    child.stdin.end(opts.input ?? '');
    child.on('close', (code) => resolve({code: code ?? -1, stdout, stderr}));
  });
}

export function tempDir(prefix = 'ksmbd-test-'): {dir: string; cleanup: () => void} {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  return {dir, cleanup: () => rmSync(dir, {recursive: true, force: true})};
}

/** Run any command, collecting stdout and stderr together; killed after `timeoutMs`. */
export function runCommand(cmd: string, args: string[], timeoutMs = 120_000): Promise<{code: number | null; out: string}> {
  return new Promise((resolve) => {
    const child = spawn(cmd, args, {stdio: ['ignore', 'pipe', 'pipe']});
    let out = '';
    child.stdout.on('data', (d) => (out += d));
    child.stderr.on('data', (d) => (out += d));
    const t = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
    child.on('close', (code) => {
      clearTimeout(t);
      resolve({code, out});
    });
  });
}
