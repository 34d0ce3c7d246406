// Running smbtorture (samba-testsuite) one process per test, classified like ksmbd's CI and the
// reference runner: PASS needs exit 0 and a `success:` line; SKIP, FAIL, ERROR and TIMEOUT do not pass.
import {spawn} from 'node:child_process';
import {readFileSync} from 'node:fs';

export interface ListedTest {
  name: string;
  /** Samba 4.17's own result on this machine, from the list's trailing comment. */
  samba: string;
}

export function readTortureList(file: string): ListedTest[] {
  const out: ListedTest[] = [];
  for (const raw of readFileSync(file, 'utf8').split('\n')) {
    const line = raw.replace(/\r$/, '');
    if (/^\s*(#|$)/.test(line)) continue;
    const m = /^\s*(.*?)\s*(?:#\s*samba-[\d.]+:\s*(\S+).*)?$/.exec(line)!;
    out.push({name: m[1]!, samba: m[2] ?? 'UNKNOWN'});
  }
  return out;
}

export type TortureStatus = 'PASS' | 'SKIP' | 'FAIL' | 'ERROR' | 'TIMEOUT';

export interface TortureResult {
  name: string;
  status: TortureStatus;
  seconds: number;
  output: string;
}

export function runTorture(opts: {name: string; port: number; share: string; user: string; password: string; clientConf: string; timeoutSec?: number}): Promise<TortureResult> {
  const timeoutSec = opts.timeoutSec ?? 120;
  const t0 = Date.now();
  return new Promise((resolve) => {
    const child = spawn(
      'smbtorture',
      [`//127.0.0.1/${opts.share}`, '-p', String(opts.port), `-U${opts.user}%${opts.password}`, '-s', opts.clientConf, `--maximum-runtime=${timeoutSec}`, opts.name],
      {stdio: ['ignore', 'pipe', 'pipe']},
    );
    let output = '';
    child.stdout.on('data', (d) => (output += d));
    child.stderr.on('data', (d) => (output += d));
    let timedOut = false;
    const timer = setTimeout(() => {
      timedOut = true;
      child.kill('SIGKILL');
    }, (timeoutSec + 10) * 1000);
    child.on('close', (code) => {
      clearTimeout(timer);
      let status: TortureStatus;
      if (timedOut) status = 'TIMEOUT';
      else if (code === 0) status = /^success: /m.test(output) ? 'PASS' : /^skip: /m.test(output) ? 'SKIP' : 'ERROR';
      else status = /^failure: /m.test(output) ? 'FAIL' : 'ERROR';
      resolve({name: opts.name, status, seconds: (Date.now() - t0) / 1000, output});
    });
  });
}
