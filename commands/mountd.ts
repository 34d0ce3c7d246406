import {Flags} from '@oclif/core';
import {KsmbdCommand} from './base.js';

export default class Mountd extends KsmbdCommand {
  static override summary = 'Start the daemon (SMB server, RPC services, control socket)';
  static override flags = {
    nodetach: Flags.boolean({char: 'n', description: 'stay in the foreground and log to standard error'}),
    port: Flags.integer({char: 'p', description: 'TCP port (overrides `tcp port`)'}),
    config: Flags.string({char: 'C', description: 'configuration file'}),
    pwddb: Flags.string({char: 'P', description: 'user database'}),
    rundir: Flags.string({description: 'runtime directory (KSMBD_RUNDIR, default /run/ksmbd)'}),
    verbose: Flags.boolean({char: 'v', description: 'turn on every debug component'}),
  };

  async run(): Promise<void> {
    await this.parse(Mountd);
    process.stderr.write('ksmbd mountd: the daemon is not built yet in this version\n');
    process.exitCode = 1;
  }
}
