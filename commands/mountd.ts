import {Flags} from '@oclif/core';
import {defaultConfigPath, defaultPwdDbPath} from '../src/control/paths.js';
import {KsmbdCommand} from './base.js';
import {runMountd} from './mountd-run.js';

export default class Mountd extends KsmbdCommand {
  static override summary = 'Start the daemon (SMB server, RPC services, control socket)';
  static override description = `By default the daemon detaches and this command returns once it is ready, printing where it listens; it then logs to syslog (or to \`log file'). With -n it stays in the foreground and logs to standard error. Without a configuration file it serves an embedded default: one writable share [share] at /srv/ksmbd/share.`;
  static override examples = ['<%= config.bin %> mountd', '<%= config.bin %> mountd -n -p 4450 -C ./ksmbd.conf -P ./ksmbdpwd.db --rundir /tmp/ksmbd'];
  static override flags = {
    nodetach: Flags.boolean({char: 'n', description: 'stay in the foreground and log to standard error'}),
    port: Flags.integer({char: 'p', description: 'TCP port (overrides `tcp port`)', min: 1, max: 65535}),
    config: Flags.string({char: 'C', description: 'configuration file', default: defaultConfigPath()}),
    pwddb: Flags.string({char: 'P', description: 'user database', default: defaultPwdDbPath()}),
    rundir: Flags.string({description: 'runtime directory (KSMBD_RUNDIR, default /run/ksmbd)'}),
    verbose: Flags.boolean({char: 'v', description: 'turn on every debug component'}),
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(Mountd);
    // The same as the lean door the bin takes for a plain command line (commands/mountd-run.ts).
    await runMountd(flags);
  }
}
