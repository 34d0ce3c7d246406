// ksmbd.adduser: the ksmbd-tools 3.5.x command line (and the 3.4.7 spellings -i, -c, --add-user=USER).
import {changeUser, type ChangeMode} from '../../admin/users.js';
import {defaultConfigPath, defaultPwdDbPath} from '../../control/paths.js';
import {closeStdin, readHiddenLine, readStdinLine} from '../line-input.js';
import type {ToolLog} from '../tool-log.js';
import {COMMON_OPTIONS, parseToolArgs, reportNotify, toolFailure, usageFailure, type ToolSpec} from './common.js';

const spec: ToolSpec = {
  tool: 'ksmbd.adduser',
  usage: 'Usage: ksmbd.adduser [-v] [-P PWDDB] [-c CONF] [-a | -u | -d] [-p PWD] USER',
  help: `Configure users of the user database of ksmbd.mountd.

Mode options:
  -a, --add               add USER to the user database
  -u, --update            update the password of USER
  -d, --delete            delete USER from the user database
                          (no mode option: add USER or update its password)

Options:
  -p, --password=PWD      use PWD as the password instead of prompting
  -P, --pwddb=PWDDB       use PWDDB as the user database
  -C, --config=CONF       use CONF as the configuration file
  -v, --verbose           be verbose
  -V, --version           output version information and exit
  -h, --help              display this help and exit

See ksmbd-adduser(8) for more details.
`,
  options: [
    {key: 'add', short: 'a', long: 'add', arg: 'none'},
    {key: 'update', short: 'u', long: 'update', arg: 'none'},
    {key: 'delete', short: 'd', long: 'delete', arg: 'none'},
    {key: 'password', short: 'p', long: 'password', arg: 'required'},
    {key: 'pwddb', short: 'P', long: 'pwddb', arg: 'required'},
    {key: 'pwddb', short: 'i', long: 'import-users', arg: 'required'},
    {key: 'config', short: 'C', long: 'config', arg: 'required'},
    {key: 'config', short: 'c', arg: 'required'},
    {key: 'add-user', long: 'add-user', arg: 'required'},
    {key: 'update-user', long: 'update-user', arg: 'required'},
    {key: 'delete-user', long: 'del-user', arg: 'required'},
    ...COMMON_OPTIONS,
  ],
};

/** ksmbd-tools' prompt: `\r\e[2K` clears the line, `\eD` moves down; both on stdout, even for a pipe. */
async function promptPassword(): Promise<string> {
  const read = process.stdin.isTTY ? readHiddenLine : readStdinLine;
  try {
    for (;;) {
      process.stdout.write('\r\x1b[2KNew password: ');
      const first = await read();
      if (first === undefined) throw new AbortPrompt();
      process.stdout.write('\x1bD\r\x1b[2KRetype password: ');
      const second = await read();
      if (second === undefined) throw new AbortPrompt();
      process.stdout.write('\x1bD\r\x1b[2K');
      if (first === second) return first;
      process.stdout.write('\x1b[1mPasswords do not match!\x1b[m\x1bD');
    }
  } finally {
    closeStdin();
  }
}

class AbortPrompt extends Error {}

export async function adduserMain(argv: string[]): Promise<number> {
  const parsed = parseToolArgs(spec, argv);
  if (typeof parsed === 'number') return parsed;
  const {opts, log} = parsed;
  const operands = [...parsed.operands];
  let mode: ChangeMode = 'set';
  let password: string | undefined;
  let pwddb = defaultPwdDbPath();
  let config = defaultConfigPath();
  for (const o of opts) {
    if (o.key === 'add' || o.key === 'update' || o.key === 'delete') mode = o.key;
    else if (o.key === 'add-user' || o.key === 'update-user' || o.key === 'delete-user') {
      mode = o.key === 'add-user' ? 'add' : o.key === 'update-user' ? 'update' : 'delete';
      operands.push(o.value!);
    } else if (o.key === 'password') password = o.value;
    else if (o.key === 'pwddb') pwddb = o.value!;
    else if (o.key === 'config') config = o.value!;
  }
  if (operands.length !== 1) return usageFailure(spec);
  return runAdduser(log, {mode, name: operands[0]!, password, pwddb, config});
}

async function runAdduser(log: ToolLog, a: {mode: ChangeMode; name: string; password?: string; pwddb: string; config: string}): Promise<number> {
  try {
    const r = await changeUser({...a, compat: true, report: log, getPassword: promptPassword});
    reportNotify(log, r.notify);
    return 0;
  } catch (e) {
    if (e instanceof AbortPrompt) return 1;
    return toolFailure(log, e);
  }
}
