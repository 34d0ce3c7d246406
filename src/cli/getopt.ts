// GNU getopt_long as the ksmbd-tools drop-ins need it: clustered short options, attached or separate
// arguments, optional arguments only attached, abbreviated long options, --opt=val, operands anywhere,
// `--` ends options. Error texts are glibc's, so scripts that scrape them keep working.

export interface OptSpec {
  key: string;
  short?: string;
  long?: string;
  arg: 'none' | 'required' | 'optional';
}

export interface ParsedOpt {
  key: string;
  value?: string;
}

export type GetoptResult = {ok: true; opts: ParsedOpt[]; operands: string[]} | {ok: false; message: string};

export function getopt(prog: string, argv: string[], specs: OptSpec[]): GetoptResult {
  const opts: ParsedOpt[] = [];
  const operands: string[] = [];
  const fail = (message: string): GetoptResult => ({ok: false, message: `${prog}: ${message}`});

  for (let i = 0; i < argv.length; i++) {
    const a = argv[i]!;
    if (a === '--') {
      operands.push(...argv.slice(i + 1));
      break;
    }
    if (a.startsWith('--')) {
      const eq = a.indexOf('=');
      const name = a.slice(2, eq < 0 ? undefined : eq);
      const attached = eq < 0 ? undefined : a.slice(eq + 1);
      const exact = specs.find((s) => s.long === name);
      const prefixed = exact ? [exact] : specs.filter((s) => s.long?.startsWith(name));
      if (prefixed.length === 0) return fail(`unrecognized option '--${name}'`);
      if (prefixed.length > 1 && new Set(prefixed.map((s) => s.key)).size > 1)
        return fail(`option '--${name}' is ambiguous; possibilities:${prefixed.map((s) => ` '--${s.long}'`).join('')}`);
      const spec = prefixed[0]!;
      if (spec.arg === 'none') {
        if (attached !== undefined) return fail(`option '--${spec.long}' doesn't allow an argument`);
        opts.push({key: spec.key});
      } else if (spec.arg === 'optional') {
        opts.push({key: spec.key, value: attached});
      } else if (attached !== undefined) {
        opts.push({key: spec.key, value: attached});
      } else if (i + 1 < argv.length) {
        opts.push({key: spec.key, value: argv[++i]!});
      } else {
        return fail(`option '--${spec.long}' requires an argument`);
      }
      continue;
    }
    if (a.startsWith('-') && a.length > 1) {
      for (let j = 1; j < a.length; j++) {
        const c = a[j]!;
        const spec = specs.find((s) => s.short === c);
        if (!spec) return fail(`invalid option -- '${c}'`);
        if (spec.arg === 'none') {
          opts.push({key: spec.key});
          continue;
        }
        const rest = a.slice(j + 1);
        if (spec.arg === 'optional') opts.push({key: spec.key, value: rest === '' ? undefined : rest});
        else if (rest !== '') opts.push({key: spec.key, value: rest});
        else if (i + 1 < argv.length) opts.push({key: spec.key, value: argv[++i]!});
        else return fail(`option requires an argument -- '${c}'`);
        break;
      }
      continue;
    }
    operands.push(a);
  }
  return {ok: true, opts, operands};
}
