import {Flags} from '@oclif/core';
import {KsmbdCommand} from './base.js';
import {controlMain, socketActions} from '../src/cli/tools/control.js';
import {controlRequest, ControlUnavailable, waitGone} from '../src/control/client.js';
import {notifyDaemon} from '../src/control/notify.js';
import type {ControlCommand} from '../src/control/protocol.js';
import {parseToggleName, toggleNames} from '../src/log/components.js';
import {printJson} from '../src/cli/output.js';

/** Drop our own flags (the ksmbd.control parser does not know them), keep the order of the rest. */
function toolArgv(argv: string[]): string[] {
  const out: string[] = [];
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--json' || a.startsWith('--rundir=')) continue;
    if (a === '--rundir') {
      i++;
      continue;
    }
    out.push(a);
  }
  return out;
}

export default class Control extends KsmbdCommand {
  static override summary = 'Control the running daemon: shutdown, reload, list shares, debug components';
  static override description = `Speaks to the daemon over its control socket (RUNDIR/control.sock, root only). The first action given runs, as with ksmbd.control. Without --json the output is ksmbd.control's; -d prints the debug component line in the kernel's format, enabled components in brackets.`;
  static override examples = ['<%= config.bin %> control -d smb', '<%= config.bin %> control -r --json', '<%= config.bin %> control -l'];
  static override flags = {
    shutdown: Flags.boolean({char: 's', description: 'stop the daemon'}),
    reload: Flags.boolean({char: 'r', description: 'reload users and shares'}),
    list: Flags.boolean({char: 'l', description: "list the daemon's shares"}),
    debug: Flags.string({char: 'd', description: `toggle a debug component: ${toggleNames()}`}),
    'check-version': Flags.boolean({char: 'c', description: "print the daemon's version"}),
    verbose: Flags.boolean({char: 'v', description: 'be verbose'}),
    rundir: Flags.string({description: 'runtime directory of the daemon (KSMBD_RUNDIR)'}),
    json: Flags.boolean({description: 'answer with one JSON object on standard output'}),
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(Control);
    if (!flags.json) {
      process.exitCode = await controlMain(toolArgv(this.argv), socketActions(flags.rundir));
      return;
    }
    const action: [string, ControlCommand, Record<string, unknown>?] | undefined = flags.shutdown
      ? ['shutdown', 'shutdown']
      : flags.reload
        ? ['reload', 'reload']
        : flags.list
          ? ['list', 'shares.list']
          : flags.debug !== undefined
            ? ['debug', 'debug.toggle', {component: flags.debug}]
            : flags['check-version']
              ? ['version', 'version']
              : undefined;
    if (!action) {
      printJson({ok: false, error: {code: 'USAGE', message: 'give one of -s, -r, -l, -d COMPONENT, -c'}});
      process.exitCode = 2;
      return;
    }
    const [name, cmd, args] = action;
    if (name === 'debug' && parseToggleName(flags.debug!) === undefined) {
      printJson({ok: false, error: {code: 'BAD_ARGS', message: `unknown debug component \`${flags.debug}' (expected ${toggleNames()})`}});
      process.exitCode = 1;
      return;
    }
    try {
      const r = await controlRequest(cmd, args, {rundir: flags.rundir});
      if (!r.ok) {
        printJson({ok: false, action: name, error: r.error});
        process.exitCode = 1;
        return;
      }
      if (name === 'shutdown' && !(await waitGone(flags.rundir, 6000))) {
        printJson({ok: false, action: name, error: {code: 'TIMEOUT', message: 'the daemon did not stop in time'}});
        process.exitCode = 1;
        return;
      }
      printJson({ok: true, action: name, via: 'socket', result: r.result});
    } catch (e) {
      if (e instanceof ControlUnavailable && e.reason === 'no-daemon' && name === 'reload') {
        // A daemon without our socket (ksmbd-tools' mountd) still understands SIGHUP.
        const n = notifyDaemon(flags.rundir);
        if (n.notified) {
          printJson({ok: true, action: name, via: 'signal', result: {pid: n.pid}});
          return;
        }
      }
      const code = e instanceof ControlUnavailable ? (e.reason === 'no-daemon' ? 'NOT_RUNNING' : e.reason === 'forbidden' ? 'FORBIDDEN' : 'UNAVAILABLE') : 'INTERNAL';
      printJson({ok: false, action: name, error: {code, message: (e as Error).message}});
      process.exitCode = 1;
    }
  }
}
