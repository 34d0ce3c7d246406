/**
 * samr (MS-SAMR, interface 12345778-1234-abcd-ef00-0123456789ac v1.0 on \PIPE\samr): the account database
 * as management tools see it (rpcclient enumdomusers/queryuser, impacket samrdump, Windows "Local Users").
 * Read-only: every Set/Create/Delete opnum is absent and faults op_rng_error.
 *
 * Handles: server (from a Connect), domain (OpenDomain: account or Builtin), user (OpenUser).
 */
import {MalformedPacket} from '../../wire/errors.js';
import {HANDLE_SIZE, sidEquals, type NdrReader, type NdrWriter} from '../ndr.js';
import {NT, SID_TYPE, opTable, type CallContext, type RpcInterface, type SamUser} from '../service.js';
import {
  BUILTIN_ALIASES,
  BUILTIN_SAM_NAME,
  BUILTIN_SID,
  BUILTIN_USERS_RID,
  DOMAIN_USERS_RID,
  domainSidOf,
  findUserByRid,
  resolveNameIn,
  resolveRid,
  resolveSid,
  type DomainKind,
} from './accounts.js';
import {DOMAIN_INFO_LEVELS, USER_INFO_LEVELS, USER_NORMAL_ACCOUNT, writeDomainInfo, writeUserInfo} from './samr-info.js';

/** MS-SAMR 3.1.5: the methods we serve, by opnum. */
export const SAMR_OP = {
  SamrConnect: 0,
  SamrCloseHandle: 1,
  SamrLookupDomainInSamServer: 5,
  SamrEnumerateDomainsInSamServer: 6,
  SamrOpenDomain: 7,
  SamrQueryInformationDomain: 8,
  SamrEnumerateGroupsInDomain: 11,
  SamrEnumerateUsersInDomain: 13,
  SamrEnumerateAliasesInDomain: 15,
  SamrGetAliasMembership: 16,
  SamrLookupNamesInDomain: 17,
  SamrLookupIdsInDomain: 18,
  SamrOpenUser: 34,
  SamrQueryInformationUser: 36,
  SamrGetGroupsForUser: 39,
  SamrGetUserDomainPasswordInformation: 44,
  SamrQueryInformationDomain2: 46,
  SamrQueryInformationUser2: 47,
  SamrConnect2: 57,
  SamrConnect4: 62,
  SamrConnect5: 64,
} as const;

const SERVER = 'samr-server';
const DOMAIN = 'samr-domain';
const USER = 'samr-user';
/** MS-SAMR 3.1.5.11.2: "Count ... MUST be less than or equal to 1000". */
const MAX_LOOKUP = 1000;
/** SE_GROUP_MANDATORY | SE_GROUP_ENABLED_BY_DEFAULT | SE_GROUP_ENABLED. */
const GROUP_ATTRIBUTES = 0x7;

interface UserHandle {
  user: SamUser;
}

function newHandle(call: CallContext, w: NdrWriter, kind: string, data: unknown): void {
  const h = call.handles.open(kind, data);
  w.handle(h ?? Buffer.alloc(HANDLE_SIZE));
  w.u32(h ? NT.SUCCESS : NT.INSUFFICIENT_RESOURCES);
}

function failHandle(w: NdrWriter, status: number): void {
  w.handle(Buffer.alloc(HANDLE_SIZE));
  w.u32(status);
}

function connect(call: CallContext, w: NdrWriter): void {
  newHandle(call, w, SERVER, null);
}

function samrConnect(call: CallContext, r: NdrReader, w: NdrWriter): void {
  r.topUnique(() => r.u16()); // PSAMPR_SERVER_NAME here is a pointer to its first character
  r.u32(); // DesiredAccess
  connect(call, w);
}

function samrConnect2(call: CallContext, r: NdrReader, w: NdrWriter): void {
  r.topUnique(() => r.wstring());
  r.u32();
  connect(call, w);
}

function samrConnect4(call: CallContext, r: NdrReader, w: NdrWriter): void {
  r.topUnique(() => r.wstring());
  r.u32(); // ClientRevision
  r.u32(); // DesiredAccess
  connect(call, w);
}

function samrConnect5(call: CallContext, r: NdrReader, w: NdrWriter): void {
  r.topUnique(() => r.wstring());
  r.u32(); // DesiredAccess
  const inVersion = r.u32();
  const tag = r.u32();
  // MS-SAMR 3.1.5.1.1: InVersion MUST be 1; the union has only that arm (SAMPR_REVISION_INFO_V1).
  if (inVersion !== 1 || tag !== 1) throw new MalformedPacket(`SamrConnect5 InVersion ${inVersion}`);
  r.u32(); // Revision
  r.u32(); // SupportedFeatures
  w.u32(1); // OutVersion
  w.u32(1).u32(3).u32(0); // OutRevisionInfo: V1 {Revision 3, SupportedFeatures 0}
  connect(call, w);
}

function samrCloseHandle(call: CallContext, r: NdrReader, w: NdrWriter): void {
  const ok = call.handles.close(r.handle());
  failHandle(w, ok ? NT.SUCCESS : NT.INVALID_HANDLE);
}

function domainName(call: CallContext, kind: DomainKind): string {
  return kind === 'account' ? call.server.netbiosName : BUILTIN_SAM_NAME;
}

function samrLookupDomain(call: CallContext, r: NdrReader, w: NdrWriter): void {
  const ok = call.handles.get(r.handle(), SERVER) !== undefined;
  const name = r.param(() => r.unicodeString()).get() ?? '';
  const up = name.toUpperCase();
  const kind: DomainKind | undefined = up === call.server.netbiosName.toUpperCase() ? 'account' : up === BUILTIN_SAM_NAME.toUpperCase() ? 'builtin' : undefined;
  w.topUnique(ok && kind ? domainSidOf(call.server, kind) : null, (s) => w.sid(s));
  w.u32(!ok ? NT.INVALID_HANDLE : kind ? NT.SUCCESS : NT.NO_SUCH_DOMAIN);
}

/** [out] PSAMPR_ENUMERATION_BUFFER*: {EntriesRead; [size_is] SAMPR_RID_ENUMERATION* {RelativeId; Name}}. */
function writeEnumeration(w: NdrWriter, entries: Array<{rid: number; name: string}> | null): void {
  w.topUnique(entries, (list) => {
    w.u32(list.length);
    w.unique(list, (l) =>
      w.conformantArray(l, (e) => {
        w.u32(e.rid);
        w.unicodeString(e.name);
      }),
    );
  });
}

/** The common shape of the Enumerate* calls: context in, buffer, count, status out; everything in one answer. */
function enumerate(w: NdrWriter, start: number, all: Array<{rid: number; name: string}> | null, status: number): void {
  const list = all ? all.slice(Math.min(start, all.length)) : null;
  w.u32(all ? all.length : 0); // EnumerationContext: past the end
  writeEnumeration(w, list);
  w.u32(list ? list.length : 0);
  w.u32(status);
}

function samrEnumDomains(call: CallContext, r: NdrReader, w: NdrWriter): void {
  const ok = call.handles.get(r.handle(), SERVER) !== undefined;
  const start = r.u32();
  r.u32(); // PreferedMaximumLength
  const all = [
    {rid: 0, name: call.server.netbiosName},
    {rid: 0, name: BUILTIN_SAM_NAME},
  ];
  enumerate(w, start, ok ? all : null, ok ? NT.SUCCESS : NT.INVALID_HANDLE);
}

function samrOpenDomain(call: CallContext, r: NdrReader, w: NdrWriter): void {
  const ok = call.handles.get(r.handle(), SERVER) !== undefined;
  r.u32(); // DesiredAccess
  const sid = r.param(() => r.sid());
  if (!ok) return failHandle(w, NT.INVALID_HANDLE);
  const kind: DomainKind | undefined = sidEquals(sid, call.server.domainSid) ? 'account' : sidEquals(sid, BUILTIN_SID) ? 'builtin' : undefined;
  if (!kind) return failHandle(w, NT.NO_SUCH_DOMAIN);
  newHandle(call, w, DOMAIN, kind);
}

function users(call: CallContext, kind: DomainKind): SamUser[] {
  return kind === 'account' ? call.server.users() : [];
}

function samrQueryDomainInfo(call: CallContext, r: NdrReader, w: NdrWriter): void {
  const kind = call.handles.get<DomainKind>(r.handle(), DOMAIN);
  const level = r.enum16();
  const served = (DOMAIN_INFO_LEVELS as readonly number[]).includes(level);
  const status = !kind ? NT.INVALID_HANDLE : served ? NT.SUCCESS : NT.INVALID_INFO_CLASS;
  w.topUnique(status === NT.SUCCESS ? kind! : null, (k) => {
    w.enum16(level);
    const facts = {kind: k, name: domainName(call, k), users: users(call, k).length, aliases: k === 'builtin' ? BUILTIN_ALIASES.length : 0};
    writeDomainInfo(w, level, facts, call.server);
  });
  w.u32(status);
}

function samrEnumUsers(call: CallContext, r: NdrReader, w: NdrWriter): void {
  const kind = call.handles.get<DomainKind>(r.handle(), DOMAIN);
  const start = r.u32();
  const filter = r.u32(); // UserAccountControl: 0 = every account, else accounts with one of these bits
  r.u32(); // PreferedMaximumLength
  const list = kind && (filter === 0 || (filter & USER_NORMAL_ACCOUNT) !== 0) ? users(call, kind).map((u) => ({rid: u.rid, name: u.name})) : [];
  enumerate(w, start, kind ? list : null, kind ? NT.SUCCESS : NT.INVALID_HANDLE);
}

function samrEnumGroups(call: CallContext, r: NdrReader, w: NdrWriter): void {
  const kind = call.handles.get<DomainKind>(r.handle(), DOMAIN);
  const start = r.u32();
  r.u32();
  // Like Samba's standalone server: no domain groups to list (513 "None" only resolves).
  enumerate(w, start, kind ? [] : null, kind ? NT.SUCCESS : NT.INVALID_HANDLE);
}

function samrEnumAliases(call: CallContext, r: NdrReader, w: NdrWriter): void {
  const kind = call.handles.get<DomainKind>(r.handle(), DOMAIN);
  const start = r.u32();
  r.u32();
  const list = kind === 'builtin' ? BUILTIN_ALIASES.map((a) => ({rid: a.rid, name: a.name})) : [];
  enumerate(w, start, kind ? list : null, kind ? NT.SUCCESS : NT.INVALID_HANDLE);
}

/** SAMPR_ULONG_ARRAY {Count; [size_is(Count)] unsigned long* Element}, written as a top-level [ref] parameter. */
function writeUlongArray(w: NdrWriter, values: number[]): void {
  w.param(() => {
    w.u32(values.length);
    w.unique(values.length > 0 ? values : null, (v) => w.conformantArray(v, (x) => w.u32(x)));
  });
}

function samrGetAliasMembership(call: CallContext, r: NdrReader, w: NdrWriter): void {
  const kind = call.handles.get<DomainKind>(r.handle(), DOMAIN);
  // SAMPR_PSID_ARRAY {Count; [size_is(Count)] SAMPR_SID_INFORMATION* Sids}, each {PRPC_SID SidPointer}.
  const sids = r.param(() => {
    const n = r.u32();
    const arr = r.unique(() => r.conformantArray(4, () => r.unique(() => r.sid())));
    return {n, arr};
  });
  const list = (sids.arr.get() ?? []).map((d) => d.get());
  if (list.length !== sids.n) throw new MalformedPacket('GetAliasMembership: Count disagrees with the array');
  // Every account of ours is in Builtin\Users; nothing else has members.
  const isOurUser = list.some((s) => s && resolveSid(call.server, s)?.type === SID_TYPE.USER);
  writeUlongArray(w, kind === 'builtin' && isOurUser ? [BUILTIN_USERS_RID] : []);
  w.u32(kind ? NT.SUCCESS : NT.INVALID_HANDLE);
}

function lookupStatus(mapped: number, total: number): number {
  if (mapped === total) return NT.SUCCESS;
  return mapped === 0 ? NT.NONE_MAPPED : NT.SOME_NOT_MAPPED;
}

function samrLookupNames(call: CallContext, r: NdrReader, w: NdrWriter): void {
  const kind = call.handles.get<DomainKind>(r.handle(), DOMAIN);
  const count = r.u32();
  if (count > MAX_LOOKUP) throw new MalformedPacket(`LookupNamesInDomain: Count ${count}`);
  // [size_is(1000), length_is(Count)] RPC_UNICODE_STRING Names[*]
  const names = r.param(() => r.conformantVaryingArray(8, () => r.unicodeString(), MAX_LOOKUP)).map((d) => d.get() ?? '');
  if (names.length !== count) throw new MalformedPacket('LookupNamesInDomain: Count disagrees with the array');
  if (!kind) {
    writeUlongArray(w, []);
    writeUlongArray(w, []);
    return void w.u32(NT.INVALID_HANDLE);
  }
  const hits = names.map((n) => resolveNameIn(call.server, kind, n));
  writeUlongArray(w, hits.map((h) => h?.rid ?? 0));
  writeUlongArray(w, hits.map((h) => h?.type ?? SID_TYPE.UNKNOWN));
  w.u32(lookupStatus(hits.filter(Boolean).length, hits.length));
}

function samrLookupIds(call: CallContext, r: NdrReader, w: NdrWriter): void {
  const kind = call.handles.get<DomainKind>(r.handle(), DOMAIN);
  const count = r.u32();
  if (count > MAX_LOOKUP) throw new MalformedPacket(`LookupIdsInDomain: Count ${count}`);
  const rids = r.param(() => r.conformantVaryingArray(4, () => r.u32(), MAX_LOOKUP));
  if (rids.length !== count) throw new MalformedPacket('LookupIdsInDomain: Count disagrees with the array');
  const hits = kind ? rids.map((rid) => resolveRid(call.server, kind, rid)) : [];
  // SAMPR_RETURNED_USTRING_ARRAY {Count; [size_is(Count)] PRPC_UNICODE_STRING Element}
  w.param(() => {
    w.u32(hits.length);
    w.unique(hits.length > 0 ? hits : null, (hs) => w.conformantArray(hs, (h) => w.unicodeString(h?.name ?? '')));
  });
  writeUlongArray(w, hits.map((h) => h?.type ?? SID_TYPE.UNKNOWN));
  w.u32(!kind ? NT.INVALID_HANDLE : lookupStatus(hits.filter(Boolean).length, hits.length));
}

function samrOpenUser(call: CallContext, r: NdrReader, w: NdrWriter): void {
  const kind = call.handles.get<DomainKind>(r.handle(), DOMAIN);
  r.u32(); // DesiredAccess
  const rid = r.u32();
  if (!kind) return failHandle(w, NT.INVALID_HANDLE);
  const user = kind === 'account' ? findUserByRid(call.server, rid) : undefined;
  if (!user) return failHandle(w, NT.NO_SUCH_USER);
  newHandle(call, w, USER, {user} satisfies UserHandle);
}

function samrQueryUserInfo(call: CallContext, r: NdrReader, w: NdrWriter): void {
  const u = call.handles.get<UserHandle>(r.handle(), USER);
  const level = r.enum16();
  const status = !u ? NT.INVALID_HANDLE : USER_INFO_LEVELS.has(level) ? NT.SUCCESS : NT.INVALID_INFO_CLASS;
  w.topUnique(status === NT.SUCCESS ? u!.user : null, (user) => {
    w.enum16(level);
    writeUserInfo(w, level, user);
  });
  w.u32(status);
}

function samrGetGroupsForUser(call: CallContext, r: NdrReader, w: NdrWriter): void {
  const u = call.handles.get<UserHandle>(r.handle(), USER);
  // PSAMPR_GET_GROUPS_BUFFER {MembershipCount; [size_is] PGROUP_MEMBERSHIP Groups}: the primary group.
  w.topUnique(u ? [DOMAIN_USERS_RID] : null, (rids) => {
    w.u32(rids.length);
    w.unique(rids, (l) =>
      w.conformantArray(l, (rid) => {
        w.u32(rid).u32(GROUP_ATTRIBUTES);
      }),
    );
  });
  w.u32(u ? NT.SUCCESS : NT.INVALID_HANDLE);
}

function samrGetUserPwInfo(call: CallContext, r: NdrReader, w: NdrWriter): void {
  const u = call.handles.get<UserHandle>(r.handle(), USER);
  // USER_DOMAIN_PASSWORD_INFORMATION {MinPasswordLength (u16); PasswordProperties (u32)}
  w.u16(0).u32(0);
  w.u32(u ? NT.SUCCESS : NT.INVALID_HANDLE);
}

export const SAMR: RpcInterface = {
  name: 'samr',
  syntax: {uuid: '12345778-1234-abcd-ef00-0123456789ac', major: 1, minor: 0},
  ops: opTable(SAMR_OP, {
    SamrConnect: samrConnect,
    SamrConnect2: samrConnect2,
    SamrConnect4: samrConnect4,
    SamrConnect5: samrConnect5,
    SamrCloseHandle: samrCloseHandle,
    SamrLookupDomainInSamServer: samrLookupDomain,
    SamrEnumerateDomainsInSamServer: samrEnumDomains,
    SamrOpenDomain: samrOpenDomain,
    SamrQueryInformationDomain: samrQueryDomainInfo,
    SamrQueryInformationDomain2: samrQueryDomainInfo,
    SamrEnumerateGroupsInDomain: samrEnumGroups,
    SamrEnumerateUsersInDomain: samrEnumUsers,
    SamrEnumerateAliasesInDomain: samrEnumAliases,
    SamrGetAliasMembership: samrGetAliasMembership,
    SamrLookupNamesInDomain: samrLookupNames,
    SamrLookupIdsInDomain: samrLookupIds,
    SamrOpenUser: samrOpenUser,
    SamrQueryInformationUser: samrQueryUserInfo,
    SamrQueryInformationUser2: samrQueryUserInfo,
    SamrGetGroupsForUser: samrGetGroupsForUser,
    SamrGetUserDomainPasswordInformation: samrGetUserPwInfo,
  }),
};
