// ksmbd.addshare: the ksmbd-tools 3.5.x command line (and the 3.4.7 spellings -c, --add-share=S, --options).
import {changeShare} from '../../admin/shares.js';
import type {ChangeMode} from '../../admin/users.js';
import {AdminError} from '../../admin/report.js';
import {defaultConfigPath, defaultPwdDbPath} from '../../control/paths.js';
import {promptShareOptions} from '../share-prompt.js';
import {COMMON_OPTIONS, parseToolArgs, reportNotify, toolFailure, usageFailure, type ToolSpec} from './common.js';

const spec: ToolSpec = {
  tool: 'ksmbd.addshare',
  usage: 'Usage: ksmbd.addshare [-v] [-C CONF] [-P PWDDB] [-a | -u | -d] [-o OPT]... SHARE',
  help: `Configure shares of the configuration file of ksmbd.mountd.

Mode options:
  -a, --add               add SHARE to the configuration file
  -u, --update            update SHARE in the configuration file
  -d, --delete            delete SHARE from the configuration file
                          (no mode option: add SHARE or update it)

Options:
  -o, --option=OPT        use OPT (\`key = value', \`key =' removes it) as a share
                          parameter instead of prompting; may be repeated
  -C, --config=CONF       use CONF as the configuration file
  -P, --pwddb=PWDDB       use PWDDB as the user database
  -v, --verbose           be verbose
  -V, --version           output version information and exit
  -h, --help              display this help and exit

See ksmbd-addshare(8) for more details.
`,
  options: [
    {key: 'add', short: 'a', long: 'add', arg: 'none'},
    {key: 'update', short: 'u', long: 'update', arg: 'none'},
    {key: 'delete', short: 'd', long: 'delete', arg: 'none'},
    {key: 'option', short: 'o', long: 'option', arg: 'required'},
    {key: 'option', long: 'options', arg: 'required'},
    {key: 'config', short: 'C', long: 'config', arg: 'required'},
    {key: 'config', short: 'c', arg: 'required'},
    {key: 'pwddb', short: 'P', long: 'pwddb', arg: 'required'},
    {key: 'add-share', long: 'add-share', arg: 'required'},
    {key: 'update-share', long: 'update-share', arg: 'required'},
    {key: 'delete-share', long: 'del-share', arg: 'required'},
    ...COMMON_OPTIONS,
  ],
};

export async function addshareMain(argv: string[]): Promise<number> {
  const parsed = parseToolArgs(spec, argv);
  if (typeof parsed === 'number') return parsed;
  const {opts, log} = parsed;
  const operands = [...parsed.operands];
  let mode: ChangeMode = 'set';
  const options: string[] = [];
  let config = defaultConfigPath();
  let pwddb = defaultPwdDbPath();
  for (const o of opts) {
    if (o.key === 'add' || o.key === 'update' || o.key === 'delete') mode = o.key;
    else if (o.key === 'add-share' || o.key === 'update-share' || o.key === 'delete-share') {
      mode = o.key === 'add-share' ? 'add' : o.key === 'update-share' ? 'update' : 'delete';
      operands.push(o.value!);
    } else if (o.key === 'option') options.push(o.value!);
    else if (o.key === 'config') config = o.value!;
    else if (o.key === 'pwddb') pwddb = o.value!;
  }
  if (operands.length !== 1) return usageFailure(spec);
  try {
    const r = await changeShare({
      mode,
      name: operands[0]!,
      options,
      config,
      pwddb,
      compat: true,
      report: log,
      getOptions: async (current) => {
        if (!process.stdin.isTTY) throw new AdminError("Can't prompt: standard input is not a terminal", 'NO_TTY');
        return promptShareOptions(operands[0]!, current);
      },
    });
    reportNotify(log, r.notify);
    return 0;
  } catch (e) {
    return toolFailure(log, e);
  }
}
