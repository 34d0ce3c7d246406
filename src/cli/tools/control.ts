// ksmbd.control: the ksmbd-tools 3.5.x command line. Each action runs as soon as it is parsed (so -v
// must come first, as there). The daemon is reached through src/control/.
import {controlRequest, ControlUnavailable, waitGone} from '../../control/client.js';
import {readLockEntry} from '../../control/lockfile.js';
import {notifyDaemon} from '../../control/notify.js';
import {runtimePaths} from '../../control/paths.js';
import type {ControlCommand, ControlResponse, DebugResult, ReloadResult, ShareSummary, VersionResult} from '../../control/protocol.js';
import {parseToggleName, toggleNames} from '../../log/components.js';
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

See ksmbd(8) for more details.
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
export function signalActionsFor(rundir?: string): ControlActions {
  return {
    async shutdown(log) {
      const e = readLockEntry(runtimePaths(rundir).lock);
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
      const n = notifyDaemon(rundir);
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
}

export const signalActions: ControlActions = signalActionsFor();

/** ksmbd-tools 3.5.x's share list: a bold header, then `%28s    %s` per share. */
export function shareListText(shares: ShareSummary[]): string {
  const row = (a: string, b: string) => `${a.padStart(28)}    ${b}`;
  return `\x1b[1m${row('Name', 'Comment')}\x1b[m\n` + shares.map((s) => row(s.name, s.comment) + '\n').join('');
}

/**
 * Through the control socket. When no daemon answers there (none running, or ksmbd-tools' own mountd)
 * each action falls back to the signal-only behaviour and its ksmbd-tools messages; a socket we may not
 * use (not root) is an error of its own, never silently turned into a signal.
 */
export function socketActions(rundir?: string): ControlActions {
  const fallback = signalActionsFor(rundir);
  type Outcome = {response: ControlResponse} | {code: number};
  const ask = async (log: ToolLog, cmd: ControlCommand, args: Record<string, unknown> | undefined, onMissing: () => Promise<number>): Promise<Outcome> => {
    try {
      return {response: await controlRequest(cmd, args, {rundir})};
    } catch (e) {
      // Quietly: the golden cases expect ksmbd-tools' exact lines when no daemon runs.
      if (e instanceof ControlUnavailable && e.reason === 'no-daemon') {
        return {code: await onMissing()};
      }
      log.error((e as Error).message);
      return {code: -1};
    }
  };
  return {
    async shutdown(log) {
      const o = await ask(log, 'shutdown', undefined, () => fallback.shutdown(log));
      if ('code' in o) return o.code < 0 ? (log.error("Can't terminate mountd"), 1) : o.code;
      if (o.response.ok && (await waitGone(rundir, 6000))) {
        log.info('Terminated mountd');
        return 0;
      }
      if (!o.response.ok) log.error(o.response.error.message);
      log.error("Can't terminate mountd");
      return 1;
    },
    async reload(log) {
      const o = await ask(log, 'reload', undefined, () => fallback.reload(log));
      if ('code' in o) return o.code < 0 ? (log.error("Can't notify mountd"), 1) : o.code;
      if (!o.response.ok) {
        log.error(`Reload refused, the previous configuration stays in force: ${o.response.error.message}`);
        return 1;
      }
      const r = o.response.result as ReloadResult;
      log.info('Notified mountd');
      if (r.restartNeeded.length > 0) log.info(`Changed global parameters take effect after a restart: ${r.restartNeeded.join(', ')}`);
      return 0;
    },
    async list(log) {
      const o = await ask(log, 'shares.list', undefined, () => fallback.list(log));
      if ('code' in o) return o.code < 0 ? (log.error("Can't list mountd shares"), 1) : o.code;
      if (!o.response.ok) {
        log.error(o.response.error.message);
        log.error("Can't list mountd shares");
        return 1;
      }
      process.stdout.write(shareListText((o.response.result as {shares: ShareSummary[]}).shares));
      log.info('Listed mountd shares');
      return 0;
    },
    async debug(log, component) {
      // ksmbd-tools passes anything to the kernel, which ignores unknown names; a typo deserves an error.
      if (parseToggleName(component) === undefined) {
        log.error(`Unknown debug component \`${component}' (expected ${toggleNames()})`);
        return 1;
      }
      const o = await ask(log, 'debug.toggle', {component}, () => fallback.debug(log, component));
      if ('code' in o) return o.code < 0 ? (log.error("Can't toggle ksmbd debug component"), 1) : o.code;
      if (!o.response.ok) {
        log.error(o.response.error.message);
        return 1;
      }
      log.info((o.response.result as DebugResult).line);
      return 0;
    },
    async version(log) {
      const o = await ask(log, 'version', undefined, () => fallback.version(log));
      if ('code' in o) return o.code < 0 ? (log.error("Can't output ksmbd version"), 1) : o.code;
      if (!o.response.ok) {
        log.error(o.response.error.message);
        return 1;
      }
      log.info(`ksmbd version : ${(o.response.result as VersionResult).version}`);
      return 0;
    },
  };
}

export async function controlMain(argv: string[], actions: ControlActions = socketActions()): Promise<number> {
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
