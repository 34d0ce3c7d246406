// From parsed sections to typed settings: defaults, synonyms, [global] share defaults, and a list of
// problems (errors make the whole file unusable; warnings are logged and the key ignored).
import {readFileSync} from 'node:fs';
import {ConfigError} from './errors.js';
import {type ConfFile, type ConfSection, emptyConf, globalSection, parseConf} from './conf-file.js';
import {isGlobalName, isIpcName, shareKey, IPC_SHARE} from './names.js';
import {allSpellings, findParam, isGlobalParam, isShareParam, normalizeKey, PARAMS, type Param} from './params.js';
import {parseValue, type TypedValue} from './values.js';

export interface ConfigIssue {
  severity: 'error' | 'warning';
  section: string;
  key?: string;
  line?: number;
  message: string;
}

export interface ShareConfig {
  name: string;
  /** Canonical parameter name -> typed value, explicit values only (see shareValue for defaults). */
  values: Map<string, TypedValue>;
  /** Values given in the share section itself (not inherited from [global]). */
  own: Map<string, TypedValue>;
  section?: ConfSection;
}

export interface LoadedConfig {
  file?: string;
  conf: ConfFile;
  /** Canonical name -> typed value of global parameters set in [global]. */
  global: Map<string, TypedValue>;
  /** Share parameters set in [global]: the defaults every share inherits. */
  shareDefaults: Map<string, TypedValue>;
  /** shareKey(name) -> share, IPC$ included. */
  shares: Map<string, ShareConfig>;
  issues: ConfigIssue[];
}

/** Levenshtein distance, for "did you mean" suggestions on unknown keys. */
function distance(a: string, b: string): number {
  const d = Array.from({length: b.length + 1}, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let prev = d[0]!;
    d[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const tmp = d[j]!;
      d[j] = Math.min(d[j]! + 1, d[j - 1]! + 1, prev + (a[i - 1] === b[j - 1] ? 0 : 1));
      prev = tmp;
    }
  }
  return d[b.length]!;
}

export function suggestKey(key: string): string | undefined {
  const k = normalizeKey(key);
  let best: string | undefined;
  let bestD = Infinity;
  for (const s of allSpellings()) {
    const dd = s.startsWith(k) || k.startsWith(s) ? Math.min(distance(k, s), 2) : distance(k, s);
    if (dd < bestD) {
      bestD = dd;
      best = s;
    }
  }
  return best !== undefined && bestD <= Math.max(2, Math.floor(k.length / 4)) ? best : undefined;
}

export function unknownKeyMessage(key: string): string {
  const s = suggestKey(key);
  return `unknown parameter \`${key.trim()}'` + (s ? ` (did you mean \`${s}'?)` : '');
}

/** Spellings of one parameter in precedence order: the canonical name first, then synonyms. */
function spellings(p: Param): string[] {
  return [p.name, ...(p.synonyms ?? [])];
}

/** Typed values of a section's keys for parameters allowed there; problems go to `issues`. */
function typedValues(section: ConfSection, asGlobal: boolean, issues: ConfigIssue[]): {global: Map<string, TypedValue>; share: Map<string, TypedValue>} {
  const global = new Map<string, TypedValue>();
  const share = new Map<string, TypedValue>();
  const seen = new Map<string, string>();
  // Visit keys so that a canonical spelling beats its synonyms whatever the file order.
  // Inverse synonyms (writable & co.) come last so that `read only` wins whatever the file order.
  const rank = (k: string) => {
    const p = findParam(k);
    return p ? (p.inverseOf ? 10 : 0) + spellings(p).indexOf(k) : 0;
  };
  const entries = [...section.params.entries()].sort(([a], [b]) => rank(a) - rank(b));
  for (const [nk, v] of entries) {
    const where = {section: section.name, key: v.key, line: v.line};
    const p = findParam(nk);
    if (!p) {
      issues.push({severity: 'warning', ...where, message: `${unknownKeyMessage(v.key)} ignored`});
      continue;
    }
    if (!asGlobal && !isShareParam(p)) {
      issues.push({severity: 'warning', ...where, message: `global parameter \`${v.key}' has no effect in a share; set it in [global]`});
      continue;
    }
    const parsed = parseValue(p, v.value);
    if (!parsed.ok) {
      issues.push({severity: 'error', ...where, message: `\`${v.key}': ${parsed.error}`});
      continue;
    }
    if (seen.has(p.name)) continue;
    seen.set(p.name, v.key);
    let value = parsed.value;
    let name = p.name;
    if (p.inverseOf) {
      name = p.inverseOf;
      value = !value;
      if (seen.has(name)) continue; // `read only` wins over writable & co.
      seen.set(name, v.key);
    }
    if (asGlobal && p.scope === 'global') global.set(name, value);
    else if (asGlobal && p.scope === 'both') {
      global.set(name, value);
      share.set(name, value);
    } else share.set(name, value);
  }
  return {global, share};
}

/** Build typed settings from a parsed file. Never throws: problems are in `issues`. */
export function interpretConf(conf: ConfFile): LoadedConfig {
  const issues: ConfigIssue[] = [];
  const g = globalSection(conf);
  const fromGlobal = g ? typedValues(g, true, issues) : {global: new Map(), share: new Map()};
  const shares = new Map<string, ShareConfig>();
  for (const [key, section] of conf.sections) {
    if (isGlobalName(section.name)) continue;
    const own = typedValues(section, false, issues).share;
    const values = new Map([...fromGlobal.share, ...own]);
    shares.set(key, {name: section.name, values, own, section});
    if (!isIpcName(section.name) && !own.has('path') && !fromGlobal.share.has('path'))
      issues.push({severity: 'warning', section: section.name, line: section.line, message: `share [${section.name}] has no \`path' and is not served`});
  }
  if (!shares.has('ipc$')) {
    shares.set('ipc$', {name: IPC_SHARE, values: new Map([['comment', 'IPC share']]), own: new Map()});
  } else {
    const ipc = shares.get('ipc$')!;
    if (!ipc.values.has('comment')) ipc.values.set('comment', 'IPC share');
  }
  return {file: conf.file, conf, global: fromGlobal.global, shareDefaults: fromGlobal.share, shares, issues};
}

/** Read and interpret a config file; a missing file is an empty config (`missing` tells). */
export function loadConfigFile(file: string): {config: LoadedConfig; missing: boolean} {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    const err = e as NodeJS.ErrnoException;
    if (err.code === 'ENOENT') return {config: interpretConf(emptyConf(file)), missing: true};
    throw new ConfigError(`cannot read configuration: ${err.message}`, 'CONF_IO', file);
  }
  return {config: interpretConf(parseConf(text, file)), missing: false};
}

/** The first error of a config as a ConfigError, for callers that need a whole valid file. */
export function firstError(config: LoadedConfig): ConfigError | undefined {
  const e = config.issues.find((i) => i.severity === 'error');
  return e && new ConfigError(`[${e.section}] ${e.message}`, 'CONF_VALUE', config.file, e.line);
}

const paramByName = new Map(PARAMS.map((p) => [p.name, p]));

function defaultOf(p: Param, asGlobal: boolean): TypedValue {
  const raw = asGlobal ? (p.globalDef ?? p.def) : p.def;
  const parsed = parseValue(p, raw);
  if (!parsed.ok) throw new Error(`bad default for ${p.name}: ${parsed.error}`);
  return parsed.value;
}

/** A global parameter's value: [global] or the built-in default. */
export function globalValue<T extends TypedValue>(config: LoadedConfig, name: string): T {
  const p = paramByName.get(name);
  if (!p || !isGlobalParam(p)) throw new Error(`not a global parameter: ${name}`);
  return (config.global.get(name) ?? defaultOf(p, true)) as T;
}

/** A share parameter's value: the share, else [global]'s default for shares, else the built-in default. */
export function shareValue<T extends TypedValue>(share: ShareConfig, name: string): T {
  const p = paramByName.get(name);
  if (!p || !isShareParam(p)) throw new Error(`not a share parameter: ${name}`);
  return (share.values.get(name) ?? defaultOf(p, false)) as T;
}

export function findShare(config: LoadedConfig, name: string): ShareConfig | undefined {
  return config.shares.get(shareKey(name));
}
