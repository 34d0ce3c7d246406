// addshare: add, update or delete a share section of ksmbd.conf (ksmbd-tools 3.5.x semantics, see
// ksmbd-addshare(8)); shared by `ksmbd addshare` and the ksmbd.addshare drop-in.
import {type ConfFile, type ConfSection, getSection, writeConf} from '../config/conf-file.js';
import {isGlobalName, isIpcName, shareKey, shareNameProblem} from '../config/names.js';
import {unknownKeyMessage} from '../config/load.js';
import {findParam, isGlobalParam, isShareParam, normalizeKey, toolsKind, PARAMS} from '../config/params.js';
import {parseValue} from '../config/values.js';
import {writeFileAtomic, withFileLock} from '../files/atomic.js';
import {notifyDaemon, type NotifyResult} from '../control/notify.js';
import {configFailure, ensureDefaultDir, readConfig, readPwdDb} from './load.js';
import {AdminError, type Reporter} from './report.js';
import type {ChangeMode} from './users.js';

export interface ShareChange {
  mode: ChangeMode;
  name: string;
  /** `key = value` strings as given to -o; `key =` removes the key. */
  options: string[];
  /** Called for add/update without options (interactive prompt). */
  getOptions?: (current: Map<string, string>) => Promise<string[]>;
  config: string;
  pwddb: string;
  rundir?: string;
  compat: boolean;
  report: Reporter;
}

export interface ShareChangeResult {
  action: 'added' | 'updated' | 'deleted' | 'unchanged';
  /** The section name as written in the file. */
  section: string;
  notify?: NotifyResult;
}

interface Option {
  raw: string;
  key: string;
  value: string;
}

export function checkShareName(name: string): void {
  const problem = shareNameProblem(name);
  if (problem) throw new AdminError(`Invalid share name \`${name}': ${problem.replace(/^Share name /, '')}`, 'INVALID_SHARE_NAME', 2, `Invalid share name \`${name}'`, problem);
}

function splitOption(raw: string): Option | undefined {
  const eq = raw.indexOf('=');
  if (eq < 0) return undefined;
  const key = raw.slice(0, eq).trim();
  if (key === '') return undefined;
  return {raw, key, value: raw.slice(eq + 1).replace(/^[ \t]+/, '')};
}

/**
 * ksmbd-tools takes only share parameters of its own table (minus the ones it calls broken) and says
 * "Ignored option" for the rest, however misspelt.
 */
function toolsOptions(raw: string[], report: Reporter): Option[] {
  const out: Option[] = [];
  // 3.4.7 took one -o with newline-separated parameters; split so its scripts keep working.
  for (const r of raw.flatMap((o) => o.split('\n')).filter((o) => o.trim() !== '')) {
    const o = splitOption(r);
    const p = o && findParam(o.key);
    if (!o || toolsKind(o.key) !== 'share' || p?.toolsBroken || /[\x00-\x08\x0a-\x1f\x7f]/.test(o.value)) report.info(`Ignored option \`${r}'`);
    else out.push(o);
  }
  return out;
}

/** Our own rules: every key must be known, allowed where it goes, and its value must parse. */
function checkedOptions(raw: string[], global: boolean): Option[] {
  return raw.map((r) => {
    const o = splitOption(r);
    if (!o) throw new AdminError(`Invalid option \`${r}': expected \`key = value' (\`key =' removes the key)`, 'INVALID_OPTION', 2);
    const p = findParam(o.key);
    if (!p) throw new AdminError(`Invalid option \`${r}': ${unknownKeyMessage(o.key)}`, 'UNKNOWN_PARAMETER', 2);
    if (!global && !isShareParam(p))
      throw new AdminError(`Invalid option \`${r}': \`${p.name}' is a global parameter; set it with \`ksmbd addshare -u global'`, 'GLOBAL_PARAMETER', 2);
    if (global && !isGlobalParam(p) && !isShareParam(p)) throw new AdminError(`Invalid option \`${r}'`, 'INVALID_OPTION', 2);
    // The file format cannot carry these: a line break would start a new line, `;`/`#` a comment.
    if (/[\x00-\x08\x0a-\x1f\x7f]/.test(o.value)) throw new AdminError(`Invalid option \`${r.replace(/[\x00-\x1f\x7f]/g, '?')}': a value cannot contain control characters`, 'INVALID_VALUE', 2);
    if (/[;#]/.test(o.value)) throw new AdminError(`Invalid option \`${r}': a value cannot contain \`;' or \`#' (they start a comment in ksmbd.conf)`, 'INVALID_VALUE', 2);
    if (o.value.trim() !== '') {
      const v = parseValue(p, o.value);
      if (!v.ok) throw new AdminError(`Invalid option \`${r}': ${v.error}`, 'INVALID_VALUE', 2);
    }
    return o;
  });
}

/** All spellings that mean the same parameter (read only / writable / writeable / write ok). */
function relatedKeys(key: string): Set<string> {
  const p = findParam(key);
  const keys = new Set([normalizeKey(key)]);
  if (!p) return keys;
  const family = PARAMS.filter((q) => q === p || q.name === p.inverseOf || q.inverseOf === p.name);
  for (const q of family) for (const s of [q.name, ...(q.synonyms ?? [])]) keys.add(s);
  return keys;
}

function applyOptions(section: ConfSection, options: Option[], compat: boolean): void {
  for (const o of options) {
    const nk = normalizeKey(o.key);
    // ksmbd-tools replaces only the same key; we also drop synonyms that would silently win over it.
    const drop = compat ? new Set([nk]) : relatedKeys(o.key);
    for (const k of drop) section.params.delete(k);
    if (o.value !== '') section.params.set(nk, {key: o.key, value: o.value, line: 0});
  }
}

function sameParams(a: ConfSection, b: ConfSection): boolean {
  if (a.params.size !== b.params.size) return false;
  for (const [k, v] of a.params) {
    const w = b.params.get(k);
    if (!w || w.key !== v.key || w.value !== v.value) return false;
  }
  return true;
}

function cloneSection(s: ConfSection): ConfSection {
  return {name: s.name, line: s.line, params: new Map([...s.params].map(([k, v]) => [k, {...v}]))};
}

export async function changeShare(req: ShareChange): Promise<ShareChangeResult> {
  const {name, report} = req;
  checkShareName(name);
  const global = isGlobalName(name);
  let result: ShareChangeResult;
  try {
    ensureDefaultDir(req.config);
    result = await withFileLock(req.config, async () => {
      const {missing: noDb} = readPwdDb(req.pwddb);
      if (noDb) report.info('No user database');
      const {config, missing} = readConfig(req.config);
      if (missing && req.compat) {
        writeFileAtomic(req.config, '', {mode: 0o640});
        report.info(`Wrote \`${req.config}'`);
      }
      const conf: ConfFile = config.conf;
      const existing = getSection(conf, name);
      const exists = global || existing !== undefined;
      const mode = req.mode === 'set' ? (exists ? 'update' : 'add') : req.mode;
      if (mode === 'add' && exists) throw new AdminError(`Share \`${name}' already exists`, 'SHARE_EXISTS');
      if (mode !== 'add' && !exists) throw new AdminError(`Share \`${name}' does not exist`, 'SHARE_NOT_FOUND');

      let action: ShareChangeResult['action'];
      let sectionName = existing?.name ?? name;
      if (mode === 'delete') {
        if (global) {
          // -d global clears the default share parameters and keeps the global ones.
          if (existing) for (const [k, v] of [...existing.params]) if (toolsKind(v.key) === 'share' || findParam(k)?.scope === 'share') existing.params.delete(k);
          action = 'updated';
        } else {
          conf.sections.delete(shareKey(name));
          action = 'deleted';
        }
      } else {
        let raw = req.options;
        if (raw.length === 0) {
          if (!req.getOptions) throw new AdminError('No share parameters given: pass -o "key = value"', 'NO_OPTIONS', 2);
          report.info('Prompting for options');
          const current = new Map([...(existing?.params.values() ?? [])].map((v) => [v.key, v.value]));
          raw = await req.getOptions(current);
        }
        const options = req.compat ? toolsOptions(raw, report) : checkedOptions(raw, global);
        const section = existing ? cloneSection(existing) : {name, line: 0, params: new Map()};
        applyOptions(section, options, req.compat);
        if (!req.compat && !global && !isIpcName(name) && !section.params.has('path'))
          throw new AdminError(`Share \`${name}' needs a path: add -o "path = /some/dir"`, 'PATH_MISSING', 2);
        if (!req.compat && existing && sameParams(existing, section)) return {action: 'unchanged' as const, section: sectionName};
        conf.sections.set(shareKey(name), section);
        sectionName = section.name;
        action = mode === 'add' ? 'added' : 'updated';
      }
      writeFileAtomic(req.config, writeConf(conf), {mode: 0o640, keepOwner: !req.compat});
      report.info(`Wrote \`${req.config}'`);
      return {action, section: sectionName};
    });
  } catch (e) {
    throw configFailure(e);
  }
  const verb = {added: 'Added', updated: 'Updated', deleted: 'Deleted', unchanged: 'Unchanged'}[result.action];
  report.info(`${verb} share \`${name}'`);
  if (result.action === 'unchanged') return result;
  return {...result, notify: notifyDaemon(req.rundir)};
}

export interface ShareSummary {
  name: string;
  path: string;
  comment: string;
  parameters: Record<string, string>;
}

function summary(s: ConfSection): ShareSummary {
  const parameters: Record<string, string> = {};
  for (const v of s.params.values()) parameters[v.key] = v.value;
  const get = (k: string) => s.params.get(k)?.value ?? '';
  return {name: s.name, path: get('path'), comment: get('comment'), parameters};
}

export function listShares(configFile: string): ShareSummary[] {
  const {config} = readConfig(configFile);
  return [...config.conf.sections.values()].filter((s) => !isGlobalName(s.name)).map(summary);
}

export function showShare(configFile: string, name: string): ShareSummary {
  checkShareName(name);
  const {config} = readConfig(configFile);
  const s = getSection(config.conf, name);
  if (!s) throw new AdminError(`Share \`${name}' does not exist`, 'SHARE_NOT_FOUND');
  return summary(s);
}
