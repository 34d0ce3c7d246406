import {Flags} from '@oclif/core';
import {KsmbdCommand} from './base.js';
import {controlMain} from '../src/cli/tools/control.js';

export default class Control extends KsmbdCommand {
  static override summary = 'Control the running daemon: shutdown, reload, list shares, debug components';
  static override flags = {
    shutdown: Flags.boolean({char: 's', description: 'stop the daemon'}),
    reload: Flags.boolean({char: 'r', description: 'reload users and shares'}),
    list: Flags.boolean({char: 'l', description: "list the daemon's shares"}),
    debug: Flags.string({char: 'd', description: 'toggle a debug component: all smb auth vfs oplock ipc conn rdma'}),
    'check-version': Flags.boolean({char: 'c', description: "print the daemon's version"}),
    json: Flags.boolean({description: 'answer with one JSON object on standard output'}),
  };

  async run(): Promise<void> {
    await this.parse(Control);
    // Until the control socket exists this speaks ksmbd.control's language.
    process.exitCode = await controlMain(this.argv.filter((a) => a !== '--json'));
  }
}
