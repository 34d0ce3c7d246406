// systemd readiness. sd_notify(3) is a datagram on the AF_UNIX socket in $NOTIFY_SOCKET, and Node has
// no Unix datagram sockets, so we run systemd-notify(1) with --pid naming us. systemd accepts that only
// with NotifyAccess=all (the sender is a child), which is why the shipped unit uses Type=forking with
// PIDFile= instead (the ksmbd-tools way: the foreground parent exits once the daemon is ready); this
// path serves units written as Type=notify + NotifyAccess=all with `ksmbd mountd -n`.
import {spawn} from 'node:child_process';
import type {Logger} from '../src/log/logger.js';

let warned = false;

export function sdNotify(assignments: string[], log: Logger): void {
  if (!process.env.NOTIFY_SOCKET) return;
  const child = spawn('systemd-notify', [`--pid=${process.pid}`, ...assignments], {stdio: 'ignore'});
  const complain = (why: string) => {
    if (warned) return;
    warned = true;
    log.warn(`NOTIFY_SOCKET is set but systemd-notify failed (${why}); use Type=forking with PIDFile= or NotifyAccess=all`);
  };
  child.on('error', (e) => complain(e.message));
  child.on('exit', (code) => {
    if (code !== 0) complain(`exit status ${code}`);
  });
}
