// Where the daemon keeps its runtime state and where the tools find it. `--rundir` / KSMBD_RUNDIR move
// it so that several daemons (tests) run side by side; /run/ksmbd.lock stays where ksmbd-tools and
// systemd's PIDFile= expect it for the default location.
import {join} from 'node:path';

export const DEFAULT_RUNDIR = '/run/ksmbd';
export const DEFAULT_CONFIG = '/etc/ksmbd/ksmbd.conf';
export const DEFAULT_PWDDB = '/etc/ksmbd/ksmbdpwd.db';

export interface RuntimePaths {
  rundir: string;
  lock: string;
  socket: string;
  debug: string;
  stats: string;
}

export function runtimePaths(rundir?: string): RuntimePaths {
  const dir = rundir ?? process.env.KSMBD_RUNDIR ?? DEFAULT_RUNDIR;
  return {
    rundir: dir,
    lock: dir === DEFAULT_RUNDIR ? '/run/ksmbd.lock' : join(dir, 'ksmbd.lock'),
    socket: join(dir, 'control.sock'),
    debug: join(dir, 'debug'),
    stats: join(dir, 'stats'),
  };
}

export function defaultConfigPath(): string {
  return process.env.KSMBD_CONFIG ?? DEFAULT_CONFIG;
}

export function defaultPwdDbPath(): string {
  return process.env.KSMBD_PWDDB ?? DEFAULT_PWDDB;
}
