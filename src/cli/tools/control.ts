// ksmbd.control: the ksmbd-tools 3.5.x command line. Each action runs as soon as it is parsed (so -v
// must come first, as there). The daemon is reached through src/control/.
import {readLockEntry} from '../../control/lockfile.js';
import {notifyDaemon} from '../../control/notify.js';
import {runtimePaths} from '../../control/paths.js';
import {COMMON_OPTIONS, parseToolArgs, usageFailure, type ToolSpec} from './common.js';
import type {ToolLog} from '../tool-log.js';

const spec: ToolSpec = {
  tool: 'ksmbd.control',
  usage: `Usage: ksmbd.control [-v] -s
       ksmbd.control [-v] -r
       ksmbd.control [-v] -l
       ksmbd.control [-v] -d COMPONENT
       ksmbd.control [-v] -c`,
  help: `Control ksmbd.mountd user mode and ksmbd kernel mode daemons.

Options:
  -s, --shutdown          shutdown both ksmbd.mountd and ksmbd and exit
  -r, --reload            notify ksmbd.mountd of changes and exit
  -l, --list              list ksmbd.mountd shares and exit
  -d, --debug=COMPONENT   toggle ksmbd debug printing for COMPONENT and exit;
                          COMPONENT is \`all', \`smb', \`auth', \`vfs', \`oplock',
                          \`ipc', \`conn', or \`rdma'
  -c, --ksmbd-version     output ksmbd version information and exit
  -v, --verbose           be verbose
  -V, --version           output version information and exit
  -h, --help              display this help and exit

See ksmbd-control(8) for more details.
`,
  options: [
    {key: 'shutdown', short: 's', long: 'shutdown', arg: 'none'},
    {key: 'reload', short: 'r', long: 'reload', arg: 'none'},
    {key: 'list', short: 'l', long: 'list', arg: 'none'},
    {key: 'debug', short: 'd', long: 'debug', arg: 'required'},
    {key: 'ksmbd-version', short: 'c', long: 'ksmbd-version', arg: 'none'},
    ...COMMON_OPTIONS,
  ],
};

/** The actions, pluggable so that the daemon's control socket can serve them. */
export interface ControlActions {
  shutdown(log: ToolLog): Promise<number>;
  reload(log: ToolLog): Promise<number>;
  list(log: ToolLog): Promise<number>;
  debug(log: ToolLog, component: string): Promise<number>;
  version(log: ToolLog): Promise<number>;
}

/** Without a daemon that speaks the control protocol: signals through the lock file only. */
export const signalActions: ControlActions = {
  async shutdown(log) {
    const e = readLockEntry(runtimePaths().lock);
    if (e.state === 'live') {
      try {
        process.kill(e.pid, 'SIGTERM');
        log.info('Terminated mountd');
        return 0;
      } catch {
        /* fall through */
      }
    }
    log.error("Can't terminate mountd");
    return 1;
  },
  async reload(log) {
    const n = notifyDaemon();
    if (n.notified) {
      log.info('Notified mountd');
      return 0;
    }
    log.error("Can't notify mountd");
    return 1;
  },
  async list(log) {
    log.error("Can't list mountd shares");
    return 1;
  },
  async debug(log) {
    log.debug("Can't open `/sys/class/ksmbd-control/debug': No such file or directory");
    log.error("Can't toggle ksmbd debug component");
    return 1;
  },
  async version(log) {
    log.error("Can't output ksmbd version");
    return 1;
  },
};

export async function controlMain(argv: string[], actions: ControlActions = signalActions): Promise<number> {
  const parsed = parseToolArgs(spec, argv);
  if (typeof parsed === 'number') return parsed;
  const {opts, operands, log} = parsed;
  if (operands.length > 0) return usageFailure(spec);
  log.verbose = false;
  for (const o of opts) {
    switch (o.key) {
      case 'verbose':
        log.verbose = true;
        break;
      case 'shutdown':
        return actions.shutdown(log);
      case 'reload':
        return actions.reload(log);
      case 'list':
        return actions.list(log);
      case 'debug':
        return actions.debug(log, o.value!);
      case 'ksmbd-version':
        return actions.version(log);
    }
  }
  return usageFailure(spec);
}
