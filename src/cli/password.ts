// Getting a password for `ksmbd adduser`: hidden prompt twice on a terminal, else one line of stdin.
import {password} from '@inquirer/prompts';
import {AdminError} from '../admin/report.js';
import {closeStdin, readStdinLine} from './line-input.js';

export async function readPassword(opts: {fromStdin?: boolean}): Promise<string> {
  if (opts.fromStdin || !process.stdin.isTTY) {
    try {
      const line = await readStdinLine();
      if (line === undefined) throw new AdminError('No password on standard input', 'PASSWORD_MISSING', 2);
      return line.endsWith('\r') ? line.slice(0, -1) : line;
    } finally {
      closeStdin();
    }
  }
  for (let attempt = 0; attempt < 3; attempt++) {
    const first = await password({message: 'New password:', mask: false});
    const second = await password({message: 'Retype password:', mask: false});
    if (first === second) return first;
    process.stderr.write('Passwords do not match, try again.\n');
  }
  throw new AdminError('Passwords do not match', 'PASSWORD_MISMATCH', 1);
}
