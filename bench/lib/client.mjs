// smbclient driven the same way for both servers.
//
// Timing: one smbclient per sample reads its commands from stdin; between commands it runs `!date +%s%N`
// (smbclient's shell escape) appending to a marks file. The connect, session setup and tree connect happen
// before the first mark, so a timed step covers only its own commands. Two back-to-back marks measure what
// one mark costs (fork + exec of sh and date, ~1-2 ms); that is subtracted from every step.
import {spawn} from 'node:child_process';
import {readFileSync, rmSync} from 'node:fs';
import {join} from 'node:path';

export const live = new Set(); // running clients, killed on abort

/** smbclient argument list for a server and a transport variant (see VARIANTS). */
export function clientArgs(server, ctx, variant = 'plain') {
  return [`//127.0.0.1/bench`, '-p', String(server.port), '-U', `${ctx.user}%${ctx.password}`, '-m', 'SMB3_11',
    ...VARIANTS[variant].map((o) => `--option=${o}`)];
}

/**
 * Client options per row family. Signing and encryption are required by the client, so both servers run
 * with their default configuration and the same smbclient decides; both servers prefer AES-128-GMAC for
 * signing 3.1.1 sessions.
 */
export const VARIANTS = {
  plain: ['client signing=if_required', 'client smb encrypt=off'],
  signed: ['client signing=required', 'client smb encrypt=off'],
  gcm: ['client smb encrypt=required', 'client smb3 encryption algorithms=AES-128-GCM'],
  ccm: ['client smb encrypt=required', 'client smb3 encryption algorithms=AES-128-CCM'],
};

/** The first line that shows smbclient met an error, or undefined. */
export function clientError(out) {
  const m = /^.*(NT_STATUS_[A-Z0-9_]+|Connection to .* failed|session setup failed|tree connect failed).*$/m.exec(out);
  if (!m) return undefined;
  return m[0].trim().slice(0, 200);
}

export class ClientFailure extends Error {}

/**
 * smbclient with `args` (stdin 'pipe' or 'ignore'), tracked in `live`, stdout and stderr collected, killed
 * after `timeoutMs`; `done(code, signal, out)` once it has closed. Returns the child.
 */
function startClient(args, stdin, timeoutMs, done) {
  const child = spawn('smbclient', args, {stdio: [stdin, 'pipe', 'pipe']});
  live.add(child);
  let out = '';
  child.stdout.on('data', (d) => (out += d));
  child.stderr.on('data', (d) => (out += d));
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  child.on('close', (code, signal) => {
    clearTimeout(timer);
    live.delete(child);
    done(code, signal, out);
  });
  return child;
}

/**
 * Run one smbclient session: `setup` commands (untimed), then each step of `steps` timed.
 * Returns {seconds: number[] per step, out}. Throws ClientFailure with smbclient's error line.
 */
export function timedSession(server, ctx, {variant = 'plain', setup = [], steps, timeoutMs}) {
  const marks = join(ctx.tmp, `marks-${process.pid}-${Date.now()}-${Math.random().toString(36).slice(2)}`);
  const mark = `!date +%s%N >> ${marks}`;
  const lines = [...setup, mark, mark];
  for (const s of steps) lines.push(...s, mark);
  lines.push('exit');
  return new Promise((resolve, reject) => {
    const child = startClient(clientArgs(server, ctx, variant), 'pipe', timeoutMs, (code, signal, out) => {
      let ns = [];
      try {
        ns = readFileSync(marks, 'utf8').trim().split('\n').filter(Boolean).map((l) => BigInt(l));
      } catch {
        // no marks: failed before the first command
      }
      rmSync(marks, {force: true});
      if (signal) return reject(new ClientFailure(`smbclient killed after ${timeoutMs / 1000} s (${signal})${clientError(out) ? `: ${clientError(out)}` : ''}`));
      const err = clientError(out);
      if (err) return reject(new ClientFailure(err));
      if (code !== 0) return reject(new ClientFailure(`smbclient exit ${code}: ${out.trim().split('\n').pop()?.slice(0, 200)}`));
      if (ns.length !== steps.length + 2) return reject(new ClientFailure(`smbclient ran ${ns.length} of ${steps.length + 2} marks: ${out.trim().split('\n').pop()?.slice(0, 200)}`));
      const overhead = Number(ns[1] - ns[0]);
      const seconds = steps.map((_, i) => Math.max(0, Number(ns[i + 2] - ns[i + 1]) - overhead) / 1e9);
      resolve({seconds, out, markOverheadMs: overhead / 1e6});
    });
    child.stdin.on('error', () => {}); // smbclient may exit before reading everything (connect failure)
    child.stdin.end(lines.join('\n') + '\n');
  });
}

/**
 * smbclient's own figure for a get/put, in seconds, from its "(N KiloBytes/sec)" / "(N kb/s)": KiB per second
 * over the transfer alone (open and close excluded), so a little below the marked time.
 */
export function clientReportedSeconds(out, bytes) {
  const m = /(?:getting|putting) file .*?\(([\d.]+) (?:KiloBytes\/sec|kb\/s)\)/.exec(out);
  if (!m) return undefined;
  const rate = Number(m[1]);
  return rate > 0 ? bytes / 1024 / rate : undefined;
}

/**
 * `n` smbclients started at once, each `-c <command>` (connect, command, disconnect): wall time from the
 * first spawn to the last exit, and how many failed (exit code, NT_STATUS in output or timeout).
 */
export function concurrentClients(server, ctx, n, command, timeoutMs) {
  return new Promise((resolve) => {
    const t0 = process.hrtime.bigint();
    let left = n;
    let failed = 0;
    const reasons = new Set();
    for (let i = 0; i < n; i++) {
      startClient([...clientArgs(server, ctx), '-c', command], 'ignore', timeoutMs, (code, signal, out) => {
        const err = signal ? `killed after ${timeoutMs / 1000} s` : clientError(out) ?? (code !== 0 ? `exit ${code}` : undefined);
        if (err) {
          failed++;
          reasons.add(err);
        }
        if (--left === 0) resolve({seconds: Number(process.hrtime.bigint() - t0) / 1e9, failed, reasons: [...reasons]});
      });
    }
  });
}

/**
 * `n` smbclient sessions held open (connected, authenticated, tree connected, idle): resolves once all
 * printed READY, with a close() that ends them. Failures are counted, not thrown.
 */
export function holdSessions(server, ctx, n, timeoutMs) {
  const kids = [];
  let ready = 0;
  let failed = 0;
  const reasons = new Set();
  let timer;
  const settled = new Promise((resolve) => {
    const check = () => {
      if (ready + failed === n) {
        clearTimeout(timer);
        resolve();
      }
    };
    for (let i = 0; i < n; i++) {
      const child = spawn('smbclient', clientArgs(server, ctx), {stdio: ['pipe', 'pipe', 'pipe']});
      live.add(child);
      kids.push(child);
      let out = '';
      let done = false;
      const onData = (d) => {
        out += d;
        if (!done && out.includes('BENCH-READY')) {
          done = true;
          ready++;
          check();
        }
      };
      child.stdout.on('data', onData);
      child.stderr.on('data', onData);
      child.stdin.on('error', () => {});
      child.on('close', () => {
        live.delete(child);
        if (!done) {
          done = true;
          failed++;
          reasons.add(clientError(out) ?? 'exited before READY');
          check();
        }
      });
      child.stdin.write('!echo BENCH-READY\n');
    }
    timer = setTimeout(() => {
      for (const k of kids) if (k.exitCode === null) k.kill('SIGKILL');
    }, timeoutMs);
  });
  return settled.then(() => ({
    ready, failed, reasons: [...reasons],
    close: () => Promise.all(kids.map((k) => new Promise((r) => {
      if (k.exitCode !== null || k.signalCode !== null) return r();
      k.once('close', r);
      k.stdin.end('exit\n');
    }))),
  }));
}
