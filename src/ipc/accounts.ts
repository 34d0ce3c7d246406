// Unix accounts for identity mapping. Node has no getpwnam(3), so we read /etc/passwd and /etc/group
// (re-read when they change). Accounts served only through NSS modules (LDAP, sssd) are not seen;
// such users fall back to the guest account's identity and the log says so.
import {readFileSync, statSync} from 'node:fs';
import type {UnixIdentity} from './types.js';

export interface AccountDb {
  user(name: string): {name: string; uid: number; gid: number} | undefined;
  group(name: string): {name: string; gid: number; members: string[]} | undefined;
  /** Supplementary groups of a user, the primary gid first. */
  groupsOf(name: string, primaryGid: number): number[];
}

interface Tables {
  users: Map<string, {name: string; uid: number; gid: number}>;
  groups: Map<string, {name: string; gid: number; members: string[]}>;
}

function readLines(file: string): string[] {
  try {
    return readFileSync(file, 'utf8').split('\n');
  } catch {
    return [];
  }
}

export function parseAccounts(passwd: string[], group: string[]): Tables {
  const users = new Map<string, {name: string; uid: number; gid: number}>();
  for (const line of passwd) {
    const f = line.split(':');
    if (f.length < 4 || line.startsWith('#') || !/^\d+$/.test(f[2]!) || !/^\d+$/.test(f[3]!)) continue;
    if (!users.has(f[0]!)) users.set(f[0]!, {name: f[0]!, uid: Number(f[2]), gid: Number(f[3])});
  }
  const groups = new Map<string, {name: string; gid: number; members: string[]}>();
  for (const line of group) {
    const f = line.split(':');
    if (f.length < 3 || line.startsWith('#') || !/^\d+$/.test(f[2]!)) continue;
    if (!groups.has(f[0]!)) groups.set(f[0]!, {name: f[0]!, gid: Number(f[2]), members: (f[3] ?? '').split(',').filter(Boolean)});
  }
  return {users, groups};
}

export function accountDbFrom(t: Tables): AccountDb {
  return {
    user: (name) => t.users.get(name),
    group: (name) => t.groups.get(name),
    groupsOf(name, primaryGid) {
      const out = [primaryGid];
      for (const g of t.groups.values()) if (g.members.includes(name) && !out.includes(g.gid)) out.push(g.gid);
      return out;
    },
  };
}

/** /etc/passwd and /etc/group, re-read when either file's mtime changes. */
export class SystemAccounts implements AccountDb {
  private tables: Tables = {users: new Map(), groups: new Map()};
  private stamp = '';

  constructor(
    private readonly passwdFile = '/etc/passwd',
    private readonly groupFile = '/etc/group',
  ) {}

  private fresh(): AccountDb {
    const m = (f: string) => {
      try {
        return String(statSync(f).mtimeMs);
      } catch {
        return 'missing';
      }
    };
    const stamp = m(this.passwdFile) + '/' + m(this.groupFile);
    if (stamp !== this.stamp) {
      this.tables = parseAccounts(readLines(this.passwdFile), readLines(this.groupFile));
      this.stamp = stamp;
    }
    return accountDbFrom(this.tables);
  }

  user(name: string) {
    return this.fresh().user(name);
  }
  group(name: string) {
    return this.fresh().group(name);
  }
  groupsOf(name: string, primaryGid: number) {
    return this.fresh().groupsOf(name, primaryGid);
  }
}

/** The Unix identity of an account, or undefined when it does not exist. */
export function identityOf(db: AccountDb, name: string): UnixIdentity | undefined {
  const u = db.user(name);
  if (!u) return undefined;
  return {name: u.name, uid: u.uid, gid: u.gid, groups: db.groupsOf(u.name, u.gid)};
}
