// The lock file that serialises read-modify-write of ksmbd.conf and ksmbdpwd.db (src/files/atomic.ts):
// a dead holder's lock is taken over, a live one never is, and release removes only our own lock.
import {spawn, spawnSync} from 'node:child_process';
import {existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, utimesSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {acquireFileLock, FileIoError} from '../../../src/files/atomic.js';

let dir: string;
let file: string;
beforeEach(() => {
  dir = mkdtempSync(join(tmpdir(), 'ksmbd-lock-'));
  file = join(dir, 'ksmbd.conf');
});
afterEach(() => rmSync(dir, {recursive: true, force: true}));

/** A pid that is certainly not running: a child that has exited and been reaped. */
function deadPid(): number {
  const r = spawnSync(process.execPath, ['-e', 'process.stdout.write(String(process.pid))'], {encoding: 'utf8'});
  return Number(r.stdout);
}

describe('acquireFileLock', () => {
  it('creates <file>.lock holding our pid and a token, and removes it on release', () => {
    const release = acquireFileLock(file);
    expect(readFileSync(`${file}.lock`, 'utf8')).toMatch(new RegExp(`^${process.pid} [0-9a-f]{16}\n$`));
    release();
    expect(existsSync(`${file}.lock`)).toBe(false);
  });

  it('takes over the lock of a holder that died, leaving nothing aside', () => {
    writeFileSync(`${file}.lock`, `${deadPid()}\n`);
    const release = acquireFileLock(file, 2_000);
    expect(readFileSync(`${file}.lock`, 'utf8')).toMatch(new RegExp(`^${process.pid} [0-9a-f]{16}\n$`));
    release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('a takeover guard left behind by a process that died inside it does not block for ever', () => {
    writeFileSync(`${file}.lock`, `${deadPid()}\n`);
    writeFileSync(`${file}.lock.takeover`, '');
    const old = (Date.now() - 60_000) / 1000;
    utimesSync(`${file}.lock.takeover`, old, old);
    const release = acquireFileLock(file, 2_000);
    release();
    expect(readdirSync(dir)).toEqual([]);
  });

  it('waits for a live holder and reports it when the wait times out', () => {
    writeFileSync(`${file}.lock`, `${process.ppid}\n`);
    let err: unknown;
    try {
      acquireFileLock(file, 200);
    } catch (e) {
      err = e;
    }
    expect(err).toBeInstanceOf(FileIoError);
    expect((err as FileIoError).errno).toBe('ELOCKED');
    expect((err as Error).message).toContain(`held by process ${process.ppid}`);
    expect(readFileSync(`${file}.lock`, 'utf8')).toBe(`${process.ppid}\n`);
  });

  it('treats a lock left empty for long as dead, a freshly created empty one as held', () => {
    writeFileSync(`${file}.lock`, '');
    expect(() => acquireFileLock(file, 150)).toThrow(FileIoError);
    const old = (Date.now() - 60_000) / 1000;
    utimesSync(`${file}.lock`, old, old);
    const release = acquireFileLock(file, 2_000);
    expect(readFileSync(`${file}.lock`, 'utf8')).toMatch(new RegExp(`^${process.pid} [0-9a-f]{16}\n$`));
    release();
  });

  it('release leaves alone a lock file that is no longer the one it created', () => {
    const release = acquireFileLock(file);
    // Somebody else's lock now: made while ours still exists (so a different inode), then put in its place.
    writeFileSync(`${file}.lock.other`, `${process.ppid}\n`);
    renameSync(`${file}.lock.other`, `${file}.lock`);
    release();
    expect(readFileSync(`${file}.lock`, 'utf8')).toBe(`${process.ppid}\n`);
  });

  it('20 processes taking over locks of dead holders again and again: each update counted exactly once', () => {
    const dead = deadPid();
    writeFileSync(`${file}.lock`, `${dead}\n`);
    writeFileSync(file, '0');
    // Each child takes the lock, reads the counter, sleeps a little and writes counter + 1; then, instead of
    // releasing, it leaves the lock behind as if it had died holding it (a dead pid in the lock file), so
    // every next holder has to take over a stale lock while the others race it for the same takeover.
    const mod = new URL('../../../src/files/atomic.ts', import.meta.url).pathname;
    const script = `
      const {acquireFileLock} = await import(${JSON.stringify(mod.replace(/\/src\/(.*)\.ts$/, '/dist/src/$1.js'))});
      const fs = await import('node:fs');
      const f = ${JSON.stringify(file)};
      for (let i = 0; i < 5; i++) {
        const release = acquireFileLock(f, 60_000);
        const n = Number(fs.readFileSync(f, 'utf8'));
        Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 1);
        fs.writeFileSync(f, String(n + 1));
        if (i === 4) release();
        else fs.writeFileSync(f + '.lock', '${dead}\\n');
      }`;
    const children = Array.from({length: 20}, () =>
      new Promise<number>((resolve) => {
        const c = spawn(process.execPath, ['--input-type=module', '-e', script]);
        c.on('exit', (code) => resolve(code ?? -1));
      }),
    );
    return Promise.all(children).then((codes) => {
      expect(codes.every((c) => c === 0)).toBe(true);
      expect(readFileSync(file, 'utf8')).toBe('100');
      expect(readdirSync(dir).filter((n) => n.includes('.lock.'))).toEqual([]);
    });
  }, 60_000);
});

