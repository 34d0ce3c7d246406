// ksmbd.mountd: the ksmbd-tools 3.5.x command line, mapped onto `ksmbd mountd`.
import {COMMON_OPTIONS, parseToolArgs, usageFailure, type ToolSpec} from './common.js';

const spec: ToolSpec = {
  tool: 'ksmbd.mountd',
  usage: 'Usage: ksmbd.mountd [-v] [-p PORT] [-n[WAY]] [-C CONF] [-P PWDDB]',
  help: `Run the ksmbd user mode daemon.

Options:
  -p, --port=PORT         bind to PORT instead of the \`tcp port' of CONF
  -n, --nodetach[=WAY]    do not detach from the terminal (WAY 1: become process
                          group leader, the default; 0: detach after all)
  -C, --config=CONF       use CONF as the configuration file
  -P, --pwddb=PWDDB       use PWDDB as the user database
  -v, --verbose           be verbose
  -V, --version           output version information and exit
  -h, --help              display this help and exit

See ksmbd(8) for more details.
`,
  options: [
    {key: 'port', short: 'p', long: 'port', arg: 'required'},
    {key: 'nodetach', short: 'n', long: 'nodetach', arg: 'optional'},
    {key: 'config', short: 'C', long: 'config', arg: 'required'},
    {key: 'config', short: 'c', arg: 'required'},
    {key: 'pwddb', short: 'P', long: 'pwddb', arg: 'required'},
    {key: 'pwddb', short: 'u', long: 'users', arg: 'required'},
    ...COMMON_OPTIONS,
  ],
};

/** Translate ksmbd.mountd's options into `ksmbd mountd` arguments, or an exit code. */
export function mountdArgs(argv: string[]): string[] | number {
  const parsed = parseToolArgs(spec, argv);
  if (typeof parsed === 'number') return parsed;
  if (parsed.operands.length > 0) return usageFailure(spec);
  const out: string[] = [];
  for (const o of parsed.opts) {
    if (o.key === 'port') out.push('--port', o.value!);
    else if (o.key === 'nodetach' && o.value !== '0') out.push('--nodetach');
    else if (o.key === 'config') out.push('--config', o.value!);
    else if (o.key === 'pwddb') out.push('--pwddb', o.value!);
    else if (o.key === 'verbose') out.push('--verbose');
  }
  return out;
}
