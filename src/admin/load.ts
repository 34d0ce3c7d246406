// Loading the two files for an admin command, with ksmbd-tools' messages for the drop-ins.
import {mkdirSync} from 'node:fs';
import {dirname} from 'node:path';
import {ConfigError} from '../config/errors.js';
import {DEFAULT_CONFIG} from '../control/paths.js';
import {loadConfigFile, type LoadedConfig} from '../config/load.js';
import {FileIoError} from '../files/atomic.js';
import {loadPwdDb, type PwdDb} from '../users/pwddb.js';
import {AdminError} from './report.js';

/** File problems become AdminErrors; anything else (a prompt aborted, a bug) passes through unchanged. */
export function configFailure(e: unknown): unknown {
  if (e instanceof ConfigError) {
    const tools = e.code === 'CONF_SYNTAX' ? `Invalid smbconf entry \`${e.text}'` : e.code === 'PWDDB_SYNTAX' ? `Invalid pwddb entry \`${e.text}'` : e.message;
    const code = e.code.startsWith('PWDDB') ? 'PWDDB_INVALID' : 'CONFIG_INVALID';
    return new AdminError(e.located, code, 1, tools);
  }
  if (e instanceof FileIoError) return new AdminError(e.message, 'IO_ERROR', 1);
  return e;
}

export function readPwdDb(file: string): {db: PwdDb; missing: boolean} {
  try {
    return loadPwdDb(file);
  } catch (e) {
    throw configFailure(e);
  }
}

export function readConfig(file: string): {config: LoadedConfig; missing: boolean} {
  try {
    return loadConfigFile(file);
  } catch (e) {
    throw configFailure(e);
  }
}

/**
 * The first `ksmbd adduser` on a fresh machine writes to /etc/ksmbd, which no package created: make
 * that one directory. A directory named on the command line must exist (a typo should not grow trees).
 */
export function ensureDefaultDir(file: string): void {
  if (dirname(file) === dirname(DEFAULT_CONFIG)) mkdirSync(dirname(file), {recursive: true, mode: 0o755});
}
