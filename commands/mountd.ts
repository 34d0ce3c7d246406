import {resolve} from 'node:path';
import {Flags} from '@oclif/core';
import {defaultConfigPath, defaultPwdDbPath} from '../src/control/paths.js';
import {KsmbdCommand} from './base.js';
import {CHILD_ENV, spawnDetached} from '../daemon/detach.js';
import {runDaemon} from '../daemon/main.js';

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
    // The detached child runs with `/` as its working directory: make every path absolute first.
    const configFile = resolve(flags.config);
    const pwddbFile = resolve(flags.pwddb);
    const rundir = flags.rundir !== undefined ? resolve(flags.rundir) : process.env.KSMBD_RUNDIR ? resolve(process.env.KSMBD_RUNDIR) : undefined;
    const child = process.env[CHILD_ENV] === '1';
    if (child) delete process.env[CHILD_ENV];
    if (flags.nodetach || child) {
      const code = await runDaemon({configFile, pwddbFile, rundir, port: flags.port, verbose: flags.verbose, mode: child ? 'child' : 'foreground'});
      if (code !== 0) process.exit(code);
      return;
    }
    const args = ['--config', configFile, '--pwddb', pwddbFile];
    if (rundir) args.push('--rundir', rundir);
    if (flags.port !== undefined) args.push('--port', String(flags.port));
    if (flags.verbose) args.push('--verbose');
    const r = await spawnDetached(args);
    if (r.ok) process.stdout.write(r.message + '\n');
    else process.stderr.write(`ksmbd mountd: ${r.message}\n`);
    process.exitCode = r.ok ? 0 : 1;
  }
}
