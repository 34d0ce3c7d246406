import {Flags} from '@oclif/core';
import {controlRequest, ControlUnavailable} from '../src/control/client.js';
import {readLockEntry} from '../src/control/lockfile.js';
import {runtimePaths} from '../src/control/paths.js';
import {statusText} from '../src/cli/status-view.js';
import {printJson} from '../src/cli/output.js';
import {KsmbdCommand} from './base.js';

/** Exit status when the daemon does not run, as `systemctl status` uses it. */
const NOT_RUNNING = 3;
/** LSB's "status unknown": we may not ask (the control socket is root-only). */
const UNKNOWN = 4;

export default class Status extends KsmbdCommand {
  static override summary = 'Is the daemon running? What does it serve? (exit 0 running, 3 not running)';
  static override description = `Asks the daemon over its control socket for its pid, version, uptime, listening addresses, shares, sessions and counters. --json prints one object (documented in ksmbd(8)); --watch repeats every --interval seconds until interrupted.`;
  static override examples = ['<%= config.bin %> status', '<%= config.bin %> status --json', '<%= config.bin %> status --watch'];
  static override flags = {
    json: Flags.boolean({description: 'answer with one JSON object on standard output'}),
    watch: Flags.boolean({char: 'w', description: 'refresh until interrupted'}),
    interval: Flags.integer({description: 'seconds between refreshes with --watch', default: 2, min: 1}),
    rundir: Flags.string({description: 'runtime directory of the daemon (KSMBD_RUNDIR)'}),
  };

  /** One look at the daemon; prints it and returns the exit status. */
  private async once(json: boolean, rundir: string | undefined): Promise<number> {
    try {
      const r = await controlRequest('status', undefined, {rundir, timeoutMs: 5000});
      if (!r.ok) throw new Error(r.error.message);
      if (json) printJson({ok: true, running: true, ...(r.result as object)});
      else process.stdout.write(statusText(r.result as never));
      return 0;
    } catch (e) {
      const lock = readLockEntry(runtimePaths(rundir).lock);
      const reason = e instanceof ControlUnavailable ? e.reason : 'protocol';
      if (reason === 'forbidden') {
        // The socket exists but is root-only: we cannot tell more, and must not claim "not running".
        if (json) printJson({ok: false, running: null, error: {code: 'FORBIDDEN', message: (e as Error).message}});
        else process.stderr.write(`ksmbd status: ${(e as Error).message}\n`);
        return UNKNOWN;
      }
      if (lock.state === 'live') {
        // Running, but not answering us: ksmbd-tools' mountd, ours still starting, or no permission.
        const why = `its control socket does not answer (${(e as Error).message})`;
        if (json) printJson({ok: true, running: true, pid: lock.pid, controlSocket: false, error: {code: 'UNAVAILABLE', message: why}});
        else process.stdout.write(`ksmbd is running (pid ${lock.pid}), but ${why}\n`);
        return 0;
      }
      if (json) printJson({ok: true, running: false, pid: null});
      else process.stdout.write('ksmbd is not running\n');
      return NOT_RUNNING;
    }
  }

  async run(): Promise<void> {
    const {flags} = await this.parse(Status);
    if (!flags.watch) {
      process.exitCode = await this.once(flags.json, flags.rundir);
      return;
    }
    for (;;) {
      if (!flags.json && process.stdout.isTTY) process.stdout.write('\x1b[H\x1b[2J');
      process.exitCode = await this.once(flags.json, flags.rundir);
      await new Promise((r) => setTimeout(r, flags.interval * 1000));
    }
  }
}
