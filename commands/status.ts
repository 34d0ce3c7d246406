import {Flags} from '@oclif/core';
import {readLockEntry} from '../src/control/lockfile.js';
import {runtimePaths} from '../src/control/paths.js';
import {printJson} from '../src/cli/output.js';
import {KsmbdCommand} from './base.js';

export default class Status extends KsmbdCommand {
  static override summary = 'Is the daemon running? (exit 0 running, 3 not running)';
  static override flags = {
    json: Flags.boolean({description: 'answer with one JSON object on standard output'}),
    rundir: Flags.string({description: 'runtime directory of the daemon (KSMBD_RUNDIR)'}),
  };

  async run(): Promise<void> {
    const {flags} = await this.parse(Status);
    const e = readLockEntry(runtimePaths(flags.rundir).lock);
    const running = e.state === 'live';
    if (flags.json) printJson({ok: true, running, pid: running ? e.pid : null});
    else this.log(running ? `ksmbd is running (pid ${e.pid})` : 'ksmbd is not running');
    process.exitCode = running ? 0 : 3;
  }
}
