// ksmbd-tools' log lines: `[TOOL/PID]: LEVEL: message` on stdout, DEBUG only with -v.
import type {Reporter} from '../admin/report.js';

export class ToolLog implements Reporter {
  verbose = false;
  constructor(readonly tool: string) {}

  private line(level: string, message: string): void {
    process.stdout.write(`[${this.tool}/${process.pid}]: ${level}: ${message}\n`);
  }

  info(message: string): void {
    this.line('INFO', message);
  }

  error(message: string): void {
    this.line('ERROR', message);
  }

  debug(message: string): void {
    if (this.verbose) this.line('DEBUG', message);
  }
}

export const TOOLS_VERSION = '3.5.6';
