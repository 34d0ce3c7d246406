import {Args, Flags} from '@oclif/core';
import {changeUser, listUsers} from '../src/admin/users.js';
import {silentReporter} from '../src/admin/report.js';
import {notifyJson, notifyText, printJson} from '../src/cli/output.js';
import {readPassword} from '../src/cli/password.js';
import {defaultConfigPath, defaultPwdDbPath} from '../src/control/paths.js';
import {ToolLog} from '../src/cli/tool-log.js';
import {KsmbdCommand} from './base.js';

export default class Adduser extends KsmbdCommand {
  static override summary = 'Add, update or delete a user of ksmbdpwd.db';
  static override description = `Without -a, -u or -d the user is added, or its password updated. Without -p the password is asked twice on a terminal, or read as one line from standard input. A user named by a share (valid users, write list, read list, force user, guest account) cannot be deleted. A running daemon is told to reload.`;
  static override examples = ['<%= config.bin %> adduser -a alice', 'printf "%s\\n" "$PW" | <%= config.bin %> adduser --password-stdin --json bob', '<%= config.bin %> adduser -d carol', '<%= config.bin %> adduser --list --json'];
  static override args = {user: Args.string({description: 'user name (1-47 bytes, no colon)'})};
  static override flags = {
    add: Flags.boolean({char: 'a', description: 'add USER; fail if it exists', exclusive: ['update', 'delete']}),
    update: Flags.boolean({char: 'u', description: 'update the password of USER; fail if it does not exist', exclusive: ['add', 'delete']}),
    delete: Flags.boolean({char: 'd', description: 'delete USER', exclusive: ['add', 'update']}),
    password: Flags.string({char: 'p', description: 'the password (visible in ps: prefer --password-stdin)'}),
    'password-stdin': Flags.boolean({description: 'read the password as one line from standard input', exclusive: ['password']}),
    pwddb: Flags.string({char: 'P', description: 'user database', default: defaultPwdDbPath()}),
    config: Flags.string({char: 'C', description: 'configuration file', default: defaultConfigPath()}),
    rundir: Flags.string({description: 'runtime directory of the daemon to notify (KSMBD_RUNDIR)'}),
    list: Flags.boolean({description: 'list the user names (never the hashes)'}),
    json: Flags.boolean({description: 'answer with one JSON object on standard output'}),
    verbose: Flags.boolean({char: 'v', description: 'say what is done step by step'}),
  };

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Adduser);
    try {
      if (flags.list) {
        const users = listUsers(flags.pwddb);
        if (flags.json) printJson({ok: true, users});
        else for (const u of users) this.log(u);
        return;
      }
      if (args.user === undefined) throw Object.assign(new Error('Missing USER argument'), {oclif: {exit: 2}});
      const mode = flags.add ? 'add' : flags.update ? 'update' : flags.delete ? 'delete' : 'set';
      const verbose = flags.verbose && !flags.json ? new ToolLog('ksmbd adduser') : undefined;
      if (verbose) verbose.verbose = true;
      const r = await changeUser({
        mode,
        name: args.user,
        password: flags.password,
        getPassword: () => readPassword({fromStdin: flags['password-stdin']}),
        pwddb: flags.pwddb,
        config: flags.config,
        rundir: flags.rundir,
        compat: false,
        report: verbose ?? silentReporter,
      });
      if (flags.json) printJson({ok: true, user: args.user, action: r.action, changed: r.action !== 'unchanged', daemon: notifyJson(r.notify)});
      else {
        this.log(r.action === 'unchanged' ? `User \`${args.user}' unchanged` : `${r.action[0]!.toUpperCase()}${r.action.slice(1)} user \`${args.user}'`);
        const n = notifyText(r.notify);
        if (n) this.log(n);
      }
    } catch (e) {
      this.fail(e);
    }
  }
}
