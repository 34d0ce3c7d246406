// Where log lines go. Foreground: standard error. Detached: the `log file` parameter if set, else syslog.
// Node cannot open the /dev/log datagram socket (it has no AF_UNIX SOCK_DGRAM), so syslog is reached
// through one long-lived util-linux `logger` child reading our lines on its stdin; `--prio-prefix` lets
// each line carry its own priority, so one child serves every level. If that child cannot run or dies,
// lines go to a fallback file so that nothing is silently lost.
import {spawn, type ChildProcess} from 'node:child_process';
import {appendFileSync, existsSync, mkdirSync} from 'node:fs';
import {dirname} from 'node:path';

export type Level = 'error' | 'warn' | 'info' | 'debug';

export interface LogSink {
  readonly description: string;
  write(level: Level, text: string): void;
  close(): Promise<void>;
}

const LEVEL_WORD: Record<Level, string> = {error: 'ERROR', warn: 'WARN', info: 'INFO', debug: 'DEBUG'};

/** ksmbd-tools' foreground style: `[ksmbd.mountd/PID]: LEVEL: message`. */
export class StderrSink implements LogSink {
  readonly description = 'standard error';
  constructor(private readonly tag = 'ksmbd.mountd') {}
  write(level: Level, text: string): void {
    try {
      process.stderr.write(`[${this.tag}/${process.pid}]: ${LEVEL_WORD[level]}: ${text}\n`);
    } catch {
      /* a closed stderr must not take the daemon down */
    }
  }
  async close(): Promise<void> {}
}

/** Appends timestamped lines; synchronous so that a crash loses nothing already logged. */
export class FileSink implements LogSink {
  readonly description: string;
  private broken = false;
  constructor(private readonly file: string) {
    this.description = `file ${file}`;
    mkdirSync(dirname(file), {recursive: true});
    appendFileSync(file, '', {mode: 0o640});
  }
  write(level: Level, text: string): void {
    if (this.broken) return;
    try {
      appendFileSync(this.file, `${new Date().toISOString()} ksmbd[${process.pid}]: ${LEVEL_WORD[level]}: ${text}\n`);
    } catch {
      this.broken = true; // a full disk must not stop the server; stop trying
    }
  }
  async close(): Promise<void> {}
}

// syslog(3) severities; facility LOCAL5 (21) as ksmbd-tools' mountd uses.
const SEVERITY: Record<Level, number> = {error: 3, warn: 4, info: 6, debug: 7};
const LOCAL5 = 21;

export class SyslogSink implements LogSink {
  readonly description = 'syslog (/dev/log, via logger(1))';
  private child: ChildProcess | undefined;
  private fallback: LogSink | undefined;

  constructor(private readonly fallbackFile: string) {
    this.child = spawn('logger', ['-t', 'ksmbd', `--id=${process.pid}`, '--prio-prefix', '-u', '/dev/log'], {
      stdio: ['pipe', 'ignore', 'ignore'],
      detached: false,
    });
    this.child.on('error', () => this.fail());
    this.child.on('exit', () => this.fail());
    this.child.stdin?.on('error', () => this.fail());
  }

  /** Is syslog reachable at all? (No /dev/log in most containers.) */
  static available(): boolean {
    return existsSync('/dev/log');
  }

  private fail(): void {
    this.child = undefined;
    if (!this.fallback) this.fallback = new FileSink(this.fallbackFile);
  }

  write(level: Level, text: string): void {
    if (this.child?.stdin?.writable) this.child.stdin.write(`<${LOCAL5 * 8 + SEVERITY[level]}>${text}\n`);
    else (this.fallback ?? (this.fallback = new FileSink(this.fallbackFile))).write(level, text);
  }

  async close(): Promise<void> {
    const c = this.child;
    if (!c?.stdin) return;
    this.child = undefined;
    await new Promise<void>((resolve) => {
      const t = setTimeout(resolve, 500);
      c.once('exit', () => {
        clearTimeout(t);
        resolve();
      });
      c.stdin!.end();
    });
  }
}

/** Lines kept until the real sink is chosen (boot messages written before the config is read). */
export class MemorySink implements LogSink {
  readonly description = 'memory';
  readonly lines: Array<[Level, string]> = [];
  write(level: Level, text: string): void {
    if (this.lines.length < 1000) this.lines.push([level, text]);
  }
  async close(): Promise<void> {}
}
