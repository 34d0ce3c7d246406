// What the daemon serves: the configuration and the user database, loaded together and replaced
// together. A file that does not parse or validate whole is refused (DESIGN habit 6); without a
// config file the daemon runs on an embedded default so that a fresh install works at once.
import {ConfigError} from '../src/config/errors.js';
import {parseConf} from '../src/config/conf-file.js';
import {firstError, globalValue, interpretConf, loadConfigFile, type LoadedConfig} from '../src/config/load.js';
import {PARAMS, isGlobalParam} from '../src/config/params.js';
import {loadPwdDb, type PwdDb} from '../src/users/pwddb.js';

export const EMBEDDED_SHARE_PATH = '/srv/ksmbd/share';
export const EMBEDDED_NAME = '(embedded default configuration)';

export interface ServedState {
  config: LoadedConfig;
  configFile: string;
  embedded: boolean;
  db: PwdDb;
  pwddbFile: string;
  dbMissing: boolean;
  /** Non-fatal problems (unknown keys and the like), `file:line: text`. */
  warnings: string[];
  loadedAt: Date;
}

/** Defaults plus one writable share, for a machine without /etc/ksmbd/ksmbd.conf. */
export function embeddedConfig(sharePath = process.env.KSMBD_EMBEDDED_SHARE ?? EMBEDDED_SHARE_PATH): LoadedConfig {
  const text = `[global]\n[share]\n\tcomment = default share (embedded configuration)\n\tpath = ${sharePath}\n\tread only = no\n`;
  return interpretConf(parseConf(text, EMBEDDED_NAME));
}

export function loadState(configFile: string, pwddbFile: string): ServedState {
  const {config: fromFile, missing} = loadConfigFile(configFile);
  const config = missing ? embeddedConfig() : fromFile;
  const err = firstError(config);
  if (err) throw err;
  let db: PwdDb;
  let dbMissing: boolean;
  try {
    ({db, missing: dbMissing} = loadPwdDb(pwddbFile));
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    throw new ConfigError((e as Error).message, 'PWDDB_IO', pwddbFile);
  }
  const warnings = config.issues
    .filter((i) => i.severity === 'warning')
    .map((i) => `${config.file ?? configFile}${i.line ? `:${i.line}` : ''}: [${i.section}] ${i.message}`);
  return {config, configFile, embedded: missing, db, pwddbFile, dbMissing, warnings, loadedAt: new Date()};
}

/** Global parameters whose value differs: a reload keeps the old values until a restart. */
export function changedGlobals(before: LoadedConfig, after: LoadedConfig): string[] {
  const out: string[] = [];
  for (const p of PARAMS) {
    if (!isGlobalParam(p) || p.inverseOf) continue;
    if (JSON.stringify(globalValue(before, p.name)) !== JSON.stringify(globalValue(after, p.name))) out.push(p.name);
  }
  return out;
}

/** Parameters set in the file that we accept but do not act on yet (logged once at start). */
export function notActedOn(config: LoadedConfig): string[] {
  const names = new Set<string>();
  const idle = new Set(PARAMS.filter((p) => p.notActedOn).map((p) => p.name));
  for (const k of config.global.keys()) if (idle.has(k)) names.add(k);
  for (const s of config.shares.values()) for (const k of s.own.keys()) if (idle.has(k)) names.add(k);
  return [...names].sort();
}
