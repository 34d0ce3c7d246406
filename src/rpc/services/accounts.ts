// Names and SIDs as lsarpc and samr see them. A standalone server has two SAM domains (MS-SAMR 3.1.1.1):
// the account domain, named after the server's NetBIOS name with SID S-1-5-21-A-B-C (the subauth file),
// whose users are the ksmbdpwd.db users with a Unix account and their uid as RID (as ksmbd does); and the
// Builtin domain S-1-5-32 with its well-known aliases (MS-DTYP 2.4.2.4).
import {ridOf, sidAppend, sidEquals, type Sid} from '../ndr.js';
import {SID_TYPE, type RpcServerData, type SamUser} from '../service.js';

export const BUILTIN_SID: Sid = {revision: 1, authority: 5, subAuthorities: [32]};
/** LSA spells the Builtin domain upper case; SAMR enumerates it as "Builtin". */
export const BUILTIN_LSA_NAME = 'BUILTIN';
export const BUILTIN_SAM_NAME = 'Builtin';

export const BUILTIN_ALIASES: ReadonlyArray<{rid: number; name: string}> = [
  {rid: 544, name: 'Administrators'},
  {rid: 545, name: 'Users'},
  {rid: 546, name: 'Guests'},
];

/** DOMAIN_GROUP_RID_USERS (MS-DTYP 2.4.2.4): on a standalone server it is named "None". */
export const DOMAIN_USERS_RID = 513;
export const DOMAIN_USERS_NAME = 'None';
/** Builtin\Users: every account of the account domain is a member. */
export const BUILTIN_USERS_RID = 545;

export type DomainKind = 'account' | 'builtin';

export interface Resolved {
  sid: Sid;
  /** The account name alone (for a domain: the domain name). */
  name: string;
  type: number;
  domain: DomainKind;
  /** undefined for a domain itself. */
  rid?: number;
}

export function domainSidOf(server: RpcServerData, kind: DomainKind): Sid {
  return kind === 'account' ? server.domainSid : BUILTIN_SID;
}

export function domainNameOf(server: RpcServerData, kind: DomainKind): string {
  return kind === 'account' ? server.netbiosName : BUILTIN_LSA_NAME;
}

function eq(a: string, b: string): boolean {
  return a.toUpperCase() === b.toUpperCase();
}

/** A user by name: exact first (ksmbdpwd.db names are case-sensitive), then a unique case-insensitive match. */
export function findUser(server: RpcServerData, name: string): SamUser | undefined {
  const users = server.users();
  const exact = users.find((u) => u.name === name);
  if (exact) return exact;
  const loose = users.filter((u) => eq(u.name, name));
  return loose.length === 1 ? loose[0] : undefined;
}

export function findUserByRid(server: RpcServerData, rid: number): SamUser | undefined {
  return server.users().find((u) => u.rid === rid);
}

/** An account of one domain by RID. */
export function resolveRid(server: RpcServerData, kind: DomainKind, rid: number): Resolved | undefined {
  const dom = domainSidOf(server, kind);
  if (kind === 'account') {
    const u = findUserByRid(server, rid);
    if (u) return {sid: sidAppend(dom, rid), name: u.name, type: SID_TYPE.USER, domain: kind, rid};
    if (rid === DOMAIN_USERS_RID) return {sid: sidAppend(dom, rid), name: DOMAIN_USERS_NAME, type: SID_TYPE.GROUP, domain: kind, rid};
    return undefined;
  }
  const a = BUILTIN_ALIASES.find((x) => x.rid === rid);
  return a ? {sid: sidAppend(dom, rid), name: a.name, type: SID_TYPE.ALIAS, domain: kind, rid} : undefined;
}

/** An account of one domain by name (no domain prefix). */
export function resolveNameIn(server: RpcServerData, kind: DomainKind, name: string): Resolved | undefined {
  const dom = domainSidOf(server, kind);
  if (kind === 'account') {
    const u = findUser(server, name);
    if (u) return {sid: sidAppend(dom, u.rid), name: u.name, type: SID_TYPE.USER, domain: kind, rid: u.rid};
    if (eq(name, DOMAIN_USERS_NAME)) return {sid: sidAppend(dom, DOMAIN_USERS_RID), name: DOMAIN_USERS_NAME, type: SID_TYPE.GROUP, domain: kind, rid: DOMAIN_USERS_RID};
    return undefined;
  }
  const a = BUILTIN_ALIASES.find((x) => eq(x.name, name));
  return a ? {sid: sidAppend(dom, a.rid), name: a.name, type: SID_TYPE.ALIAS, domain: kind, rid: a.rid} : undefined;
}

function domainEntry(server: RpcServerData, kind: DomainKind): Resolved {
  return {sid: domainSidOf(server, kind), name: domainNameOf(server, kind), type: SID_TYPE.DOMAIN, domain: kind};
}

/** Which domain a name (`DOMAIN` or `BUILTIN`) denotes. */
export function domainByName(server: RpcServerData, name: string): DomainKind | undefined {
  if (eq(name, server.netbiosName)) return 'account';
  if (eq(name, BUILTIN_LSA_NAME)) return 'builtin';
  return undefined;
}

/** MS-LSAT 3.1.4.5 name forms we resolve: `name`, `DOMAIN\name`, `DOMAIN\`, `DOMAIN`. */
export function resolveName(server: RpcServerData, full: string): Resolved | undefined {
  const slash = full.indexOf('\\');
  if (slash >= 0) {
    const kind = domainByName(server, full.slice(0, slash));
    if (!kind) return undefined;
    const account = full.slice(slash + 1);
    return account === '' ? domainEntry(server, kind) : resolveNameIn(server, kind, account);
  }
  const hit = resolveNameIn(server, 'account', full) ?? resolveNameIn(server, 'builtin', full);
  if (hit) return hit;
  const kind = domainByName(server, full);
  return kind ? domainEntry(server, kind) : undefined;
}

export function resolveSid(server: RpcServerData, sid: Sid): Resolved | undefined {
  for (const kind of ['account', 'builtin'] as const) {
    const dom = domainSidOf(server, kind);
    if (sidEquals(sid, dom)) return domainEntry(server, kind);
    const rid = ridOf(sid, dom);
    if (rid !== undefined) return resolveRid(server, kind, rid);
  }
  return undefined;
}
