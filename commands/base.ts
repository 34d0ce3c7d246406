import {Command} from '@oclif/core';
import {reportFailure} from '../src/cli/output.js';

/** Every `ksmbd` command: failures (including oclif's parse errors) become our messages and exit codes. */
export abstract class KsmbdCommand extends Command {
  protected get wantsJson(): boolean {
    return this.argv.includes('--json');
  }

  protected fail(e: unknown): void {
    process.exitCode = reportFailure(this.id ?? '', e, this.wantsJson);
  }

  protected override async catch(err: Error & {exitCode?: number}): Promise<void> {
    // oclif's own exit() and help flow through here as well; leave them alone.
    if ((err as {oclif?: {exit?: number}}).oclif?.exit === 0) throw err;
    this.fail(err);
  }
}
