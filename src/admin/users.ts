// adduser: add, update or delete a ksmbdpwd.db entry (ksmbd-tools 3.5.x semantics, see
// ksmbd-adduser(8)); shared by `ksmbd adduser` and the ksmbd.adduser drop-in.
import {statSync} from 'node:fs';
import {userNameProblem} from '../config/names.js';
import {globalValue, type LoadedConfig} from '../config/load.js';
import {writeFileAtomic, withFileLock} from '../files/atomic.js';
import {hashForDb, passwordProblem, writePwdDb} from '../users/pwddb.js';
import {notifyDaemon, type NotifyResult} from '../control/notify.js';
import {configFailure, ensureDefaultDir, readConfig, readPwdDb} from './load.js';
import {AdminError, type Reporter} from './report.js';

export type ChangeMode = 'add' | 'update' | 'delete' | 'set';

export interface UserChange {
  mode: ChangeMode;
  name: string;
  password?: string;
  /** Called when no password was given (prompt or stdin). */
  getPassword?: () => Promise<string>;
  pwddb: string;
  config: string;
  rundir?: string;
  /** ksmbd-tools behaviour: create a missing db first, always rewrite, mode 0640. */
  compat: boolean;
  report: Reporter;
}

export interface UserChangeResult {
  action: 'added' | 'updated' | 'deleted' | 'unchanged';
  notify?: NotifyResult;
}

/** Parameters whose user lists keep a user from being deleted. */
const REQUIRING = ['valid users', 'write list', 'read list', 'admin users', 'force user', 'guest account'];

/** Why `name` may not be deleted: the server's guest account, or shares naming it. */
export function requiredBy(config: LoadedConfig, name: string): {server: boolean; shares: string[]} {
  const server = globalValue<string>(config, 'guest account') === name;
  const shares: string[] = [];
  const names = (values: Map<string, unknown>) =>
    REQUIRING.flatMap((p) => {
      const v = values.get(p);
      return v === undefined ? [] : Array.isArray(v) ? v.map(String) : [String(v)];
    });
  // [global] holds the defaults of every share: a user named there is needed by all of them.
  if (names(config.shareDefaults).includes(name)) shares.push('global');
  for (const share of config.shares.values()) if (names(share.own).includes(name)) shares.push(share.name);
  return {server, shares};
}

export function checkUserName(name: string): void {
  const problem = userNameProblem(name);
  if (problem) throw new AdminError(`Invalid user name \`${name}': ${problem.replace(/^User name /, '')}`, 'INVALID_USER_NAME', 2, `Invalid user name \`${name}'`, problem);
}

export async function changeUser(req: UserChange): Promise<UserChangeResult> {
  const {name, report} = req;
  checkUserName(name);
  let action: UserChangeResult['action'];
  try {
    ensureDefaultDir(req.pwddb);
    action = await withFileLock(req.pwddb, async () => {
      const {db, missing} = readPwdDb(req.pwddb);
      if (missing && req.compat) {
        writeFileAtomic(req.pwddb, '', {mode: 0o640});
        report.info(`Wrote \`${req.pwddb}'`);
      }
      const {config, missing: noConfig} = readConfig(req.config);
      if (noConfig) report.info('No configuration file');

      const exists = db.users.has(name);
      const mode = req.mode === 'set' ? (exists ? 'update' : 'add') : req.mode;
      if (mode === 'add' && exists) throw new AdminError(`User \`${name}' already exists`, 'USER_EXISTS');
      if (mode !== 'add' && !exists) throw new AdminError(`User \`${name}' does not exist`, 'USER_NOT_FOUND');

      let result: UserChangeResult['action'];
      if (mode === 'delete') {
        const need = requiredBy(config, name);
        if (need.server) throw new AdminError(`Server requires user \`${name}' (it is the guest account)`, 'USER_REQUIRED', 1, `Server requires user \`${name}'`);
        if (need.shares.length > 0)
          throw new AdminError(
            `Share${need.shares.length > 1 ? 's' : ''} ${need.shares.map((s) => `\`${s}'`).join(', ')} require${need.shares.length > 1 ? '' : 's'} user \`${name}'`,
            'USER_REQUIRED',
            1,
            `Share \`${need.shares[0]}' requires user \`${name}'`,
          );
        db.users.delete(name);
        result = 'deleted';
      } else {
        if (req.password === undefined && req.getPassword) report.info('Prompting for password');
        const password = req.password ?? (req.getPassword ? await req.getPassword() : undefined);
        if (password === undefined) throw new AdminError('No password given', 'PASSWORD_MISSING', 2);
        if (password === '') report.info('Password is empty');
        const problem = passwordProblem(password);
        if (problem) throw new AdminError(problem, 'PASSWORD_INVALID', 2);
        const hash = hashForDb(password);
        if (!req.compat && exists && db.users.get(name) === hash) return 'unchanged';
        db.users.set(name, hash);
        result = mode === 'add' ? 'added' : 'updated';
      }
      writeFileAtomic(req.pwddb, writePwdDb(db), {mode: dbMode(req.pwddb, missing, req.compat), keepOwner: !req.compat});
      report.info(`Wrote \`${req.pwddb}'`);
      return result;
    });
  } catch (e) {
    throw configFailure(e);
  }
  const verb = {added: 'Added', updated: 'Updated', deleted: 'Deleted', unchanged: 'Unchanged'}[action];
  report.info(`${verb} user \`${name}'`);
  if (action === 'unchanged') return {action};
  return {action, notify: notifyDaemon(req.rundir)};
}

/**
 * ksmbd-tools writes 0640. The db holds password equivalents, so `ksmbd adduser` creates it 0600 and
 * never leaves it readable by others.
 */
function dbMode(file: string, missing: boolean, compat: boolean): number {
  let current: number | undefined;
  try {
    current = statSync(file).mode & 0o777;
  } catch {
    current = undefined;
  }
  // The drop-in writes 0640 as ksmbd-tools does, but never loosens a file someone made private.
  if (compat) return current !== undefined && (current & 0o077) === 0 ? current : 0o640;
  if (missing || current === undefined) return 0o600;
  return current & 0o660;
}

export function listUsers(pwddb: string): string[] {
  const {db} = readPwdDb(pwddb);
  return [...db.users.keys()].sort();
}
