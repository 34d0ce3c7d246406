import {Args, Flags} from '@oclif/core';
import {changeShare, listShares, showShare} from '../src/admin/shares.js';
import {AdminError, silentReporter} from '../src/admin/report.js';
import {notifyJson, notifyText, printJson} from '../src/cli/output.js';
import {promptShareOptions} from '../src/cli/share-prompt.js';
import {ToolLog} from '../src/cli/tool-log.js';
import {defaultConfigPath, defaultPwdDbPath} from '../src/control/paths.js';
import {KsmbdCommand} from './base.js';

export default class Addshare extends KsmbdCommand {
  static override summary = 'Add, update or delete a share of ksmbd.conf';
  static override description = `Without -a, -u or -d the share is added, or updated. Each -o sets one parameter ("key = value"; "key =" removes it); keys and values are checked against ksmbd.conf(5). SHARE "global" edits the defaults for every share and the global parameters. Without -o on a terminal the common parameters are asked for. A running daemon is told to reload.`;
  static override examples = [
    '<%= config.bin %> addshare TimeMachine -o "path = /srv/tm" -o "fruit:time machine = yes" -o "read only = no"',
    '<%= config.bin %> addshare -u Data -o "comment = Team data" --json',
    '<%= config.bin %> addshare -d Old',
    '<%= config.bin %> addshare --list --json',
  ];
  static override args = {share: Args.string({description: 'share name (1-63 bytes, no brackets), or "global"'})};
  static override flags = {
    add: Flags.boolean({char: 'a', description: 'add SHARE; fail if it exists', exclusive: ['update', 'delete']}),
    update: Flags.boolean({char: 'u', description: 'update SHARE; fail if it does not exist', exclusive: ['add', 'delete']}),
    delete: Flags.boolean({char: 'd', description: 'delete SHARE', exclusive: ['add', 'update']}),
    option: Flags.string({char: 'o', description: 'a parameter, "key = value" ("key =" removes it); repeatable', multiple: true}),
    config: Flags.string({char: 'C', description: 'configuration file', default: defaultConfigPath()}),
    pwddb: Flags.string({char: 'P', description: 'user database', default: defaultPwdDbPath()}),
    rundir: Flags.string({description: 'runtime directory of the daemon to notify (KSMBD_RUNDIR)'}),
    list: Flags.boolean({description: 'list the shares'}),
    show: Flags.string({description: 'show the parameters of one share'}),
    json: Flags.boolean({description: 'answer with one JSON object on standard output'}),
    verbose: Flags.boolean({char: 'v', description: 'say what is done step by step'}),
  };

  async run(): Promise<void> {
    const {args, flags} = await this.parse(Addshare);
    try {
      if (flags.list) {
        const shares = listShares(flags.config);
        if (flags.json) printJson({ok: true, shares: shares.map(({name, path, comment}) => ({name, path, comment}))});
        else for (const s of shares) this.log(`${s.name.padEnd(20)} ${s.path.padEnd(30)} ${s.comment}`.trimEnd());
        return;
      }
      if (flags.show !== undefined) {
        const s = showShare(flags.config, flags.show);
        if (flags.json) printJson({ok: true, share: {name: s.name, parameters: s.parameters}});
        else {
          this.log(`[${s.name}]`);
          for (const [k, v] of Object.entries(s.parameters)) this.log(`\t${k} = ${v}`);
        }
        return;
      }
      if (args.share === undefined) throw Object.assign(new Error('Missing SHARE argument'), {oclif: {exit: 2}});
      const share = args.share;
      const mode = flags.add ? 'add' : flags.update ? 'update' : flags.delete ? 'delete' : 'set';
      const verbose = flags.verbose && !flags.json ? new ToolLog('ksmbd addshare') : undefined;
      if (verbose) verbose.verbose = true;
      const r = await changeShare({
        mode,
        name: share,
        options: flags.option ?? [],
        getOptions: async (current) => {
          if (!process.stdin.isTTY || flags.json)
            throw new AdminError('No parameters given and standard input is not a terminal: pass -o "key = value"', 'NO_OPTIONS', 2);
          return promptShareOptions(share, current);
        },
        config: flags.config,
        pwddb: flags.pwddb,
        rundir: flags.rundir,
        compat: false,
        report: verbose ?? silentReporter,
      });
      if (flags.json) printJson({ok: true, share: r.section, action: r.action, changed: r.action !== 'unchanged', daemon: notifyJson(r.notify)});
      else {
        this.log(r.action === 'unchanged' ? `Share \`${r.section}' unchanged` : `${r.action[0]!.toUpperCase()}${r.action.slice(1)} share \`${r.section}'`);
        const n = notifyText(r.notify);
        if (n) this.log(n);
      }
    } catch (e) {
      this.fail(e);
    }
  }
}
