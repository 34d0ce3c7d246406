// The RpcServerData the services answer from, built from one configuration snapshot: the names in
// [global], the shares as src/ipc presents them, and the SAM accounts = ksmbdpwd.db users that have a Unix
// account, each with its uid as RID under S-1-5-21-A-B-C (ksmbd does the same; a user without a Unix
// account has no stable RID and is left out).
import {globalValue, type LoadedConfig} from '../config/load.js';
import type {AccountDb} from '../ipc/accounts.js';
import type {ShareInfo} from '../ipc/types.js';
import type {PwdDb} from '../users/pwddb.js';
import type {Sid} from './ndr.js';
import type {RpcServerData, SamUser} from './service.js';

export function domainSid(subauth: readonly [number, number, number]): Sid {
  return {revision: 1, authority: 5, subAuthorities: [21, ...subauth.map((n) => n >>> 0)]};
}

export function samUsers(db: PwdDb, accounts: AccountDb): SamUser[] {
  const out: SamUser[] = [];
  const seen = new Set<number>();
  for (const name of [...db.users.keys()].sort()) {
    const u = accounts.user(name);
    if (!u || seen.has(u.uid)) continue;
    seen.add(u.uid);
    out.push({name, rid: u.uid});
  }
  return out;
}

export interface ServerDataSource {
  config: LoadedConfig;
  db: PwdDb;
  accounts: AccountDb;
  subauth: readonly [number, number, number];
  shares: () => ShareInfo[];
  share: (name: string) => ShareInfo | undefined;
  currentUses?: (share: string) => number;
}

export function serverData(src: ServerDataSource): RpcServerData {
  let users: SamUser[] | undefined;
  return {
    netbiosName: globalValue<string>(src.config, 'netbios name'),
    serverString: globalValue<string>(src.config, 'server string'),
    workgroup: globalValue<string>(src.config, 'workgroup'),
    domainSid: domainSid(src.subauth),
    shares: src.shares,
    share: src.share,
    users: () => (users ??= samUsers(src.db, src.accounts)),
    currentUses: src.currentUses,
  };
}
