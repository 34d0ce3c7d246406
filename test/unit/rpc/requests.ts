// Request stubs as a client marshals them, written from the IDL in MS-SRVS, MS-WKST, MS-LSAT/LSAD and
// MS-SAMR with our NdrWriter (each a comment away from its IDL signature).
import {NdrWriter, parseSid, type Sid} from '../../../src/rpc/ndr.js';

const stub = (f: (w: NdrWriter) => void): Buffer => {
  const w = new NdrWriter();
  f(w);
  return w.finish();
};

const server = (w: NdrWriter, name: string | null = '\\\\KSMBDTEST') => w.topUnique(name, (n) => w.wstring(n));

/** NetrShareEnum / NetrShareEnumSticky(ServerName, InfoStruct{Level, union}, PreferedMaximumLength, ResumeHandle) */
export const netShareEnum = (level: number, resume: number | null = 0, tag = level) =>
  stub((w) => {
    server(w);
    w.param(() => {
      w.u32(level).u32(tag);
      if ([0, 1, 2, 501, 502, 503].includes(tag)) w.unique({}, () => w.u32(0).u32(0));
    });
    w.u32(0xffffffff);
    w.topUnique(resume, (v) => w.u32(v));
  });

/** NetrShareGetInfo(ServerName, [string] NetName, Level) */
export const netShareGetInfo = (name: string, level: number) => stub((w) => (server(w), w.wstring(name), w.u32(level)));

/** NetrServerGetInfo(ServerName, Level) / NetrWkstaGetInfo(ServerName, Level) */
export const levelOnly = (level: number) => stub((w) => (server(w), w.u32(level)));

/** LsarOpenPolicy2(SystemName, ObjectAttributes, DesiredAccess) with the SQOS clients send */
export const lsaOpenPolicy2 = () =>
  stub((w) => {
    server(w);
    w.param(() => {
      w.u32(24).u32(0).u32(0).u32(0).u32(0);
      w.unique({}, () => w.u32(12).u16(2).u8(1).u8(0));
    });
    w.u32(0x02000000);
  });

/** LsarOpenPolicy(SystemName = pointer to one wchar_t, ObjectAttributes, DesiredAccess) */
export const lsaOpenPolicy = () =>
  stub((w) => {
    w.topUnique(0x5c, (c) => w.u16(c));
    w.param(() => w.u32(24).u32(0).u32(0).u32(0).u32(0).u32(0));
    w.u32(0x02000000);
  });

export const handleOnly = (h: Buffer) => stub((w) => w.handle(h));
export const handleLevel = (h: Buffer, level: number) => stub((w) => (w.handle(h), w.enum16(level)));

/** LsarLookupSids[2|3](handle, SidEnumBuffer, TranslatedNames{0, NULL}, LookupLevel, MappedCount[, options, revision]) */
export const lsaLookupSids = (h: Buffer | null, sids: Array<Sid | string>, version: 1 | 2 | 3) =>
  stub((w) => {
    if (h) w.handle(h);
    const list = sids.map((s) => (typeof s === 'string' ? parseSid(s)! : s));
    w.param(() => {
      w.u32(list.length);
      w.unique(list, (l) => w.conformantArray(l, (s) => w.unique(s, (v) => w.sid(v))));
    });
    w.param(() => w.u32(0).u32(0));
    w.enum16(1);
    w.u32(0);
    if (version > 1) w.u32(0).u32(2);
  });

/** LsarLookupNames[2|3|4](handle, Count, Names, TranslatedSids{0, NULL}, LookupLevel, MappedCount[, options, revision]) */
export const lsaLookupNames = (h: Buffer | null, names: string[], version: 1 | 2 | 3 | 4) =>
  stub((w) => {
    if (h) w.handle(h);
    w.u32(names.length);
    w.param(() => w.conformantArray(names, (n) => w.unicodeString(n)));
    w.param(() => w.u32(0).u32(0));
    w.enum16(1);
    w.u32(0);
    if (version > 1) w.u32(0).u32(2);
  });

/** LsarGetUserName(SystemName, UserName -> NULL, DomainName -> pointer to NULL) */
export const lsaGetUserName = (withDomain = true) =>
  stub((w) => {
    server(w);
    w.u32(0);
    w.topUnique(withDomain ? {} : null, () => w.u32(0));
  });

/** SamrConnect5(ServerName, DesiredAccess, InVersion 1, InRevisionInfo V1{3, 0}) */
export const samrConnect5 = () => stub((w) => (server(w), w.u32(0x02000000).u32(1).u32(1).u32(3).u32(0)));
/** SamrConnect2(ServerName, DesiredAccess) */
export const samrConnect2 = () => stub((w) => (server(w), w.u32(0x02000000)));
/** SamrConnect(ServerName = one wchar_t, DesiredAccess) */
export const samrConnect = () => stub((w) => (w.topUnique(0x5c, (c) => w.u16(c)), w.u32(0x02000000)));
/** SamrConnect4(ServerName, ClientRevision, DesiredAccess) */
export const samrConnect4 = () => stub((w) => (server(w), w.u32(2).u32(0x02000000)));
/** SamrLookupDomainInSamServer(handle, Name) */
export const samrLookupDomain = (h: Buffer, name: string) => stub((w) => (w.handle(h), w.param(() => w.unicodeString(name))));
/** SamrEnumerateDomainsInSamServer(handle, EnumerationContext, PreferedMaximumLength) */
export const samrEnumDomains = (h: Buffer) => stub((w) => w.handle(h).u32(0).u32(0xffffffff));
/** SamrOpenDomain(handle, DesiredAccess, DomainId) */
export const samrOpenDomain = (h: Buffer, sid: Sid) => stub((w) => (w.handle(h), w.u32(0x02000000), w.sid(sid)));
/** SamrEnumerateUsersInDomain(handle, EnumerationContext, UserAccountControl, PreferedMaximumLength) */
export const samrEnumUsers = (h: Buffer, uac = 0) => stub((w) => w.handle(h).u32(0).u32(uac).u32(0xffffffff));
/** SamrEnumerateGroups/AliasesInDomain(handle, EnumerationContext, PreferedMaximumLength) */
export const samrEnumOther = (h: Buffer) => stub((w) => w.handle(h).u32(0).u32(0xffffffff));
/** SamrOpenUser(handle, DesiredAccess, UserId) */
export const samrOpenUser = (h: Buffer, rid: number) => stub((w) => w.handle(h).u32(0x02000000).u32(rid));
/** SamrGetAliasMembership(handle, SidArray) */
export const samrGetAliasMembership = (h: Buffer, sids: Sid[]) =>
  stub((w) => {
    w.handle(h);
    w.param(() => {
      w.u32(sids.length);
      w.unique(sids, (l) => w.conformantArray(l, (s) => w.unique(s, (v) => w.sid(v))));
    });
  });
/** SamrLookupNamesInDomain(handle, Count, [size_is(1000), length_is(Count)] Names) */
export const samrLookupNames = (h: Buffer, names: string[]) =>
  stub((w) => {
    w.handle(h);
    w.u32(names.length);
    w.param(() => w.conformantVaryingArray(names, 1000, (n) => w.unicodeString(n)));
  });
/** SamrLookupIdsInDomain(handle, Count, [size_is(1000), length_is(Count)] RelativeIds) */
export const samrLookupIds = (h: Buffer, rids: number[]) =>
  stub((w) => {
    w.handle(h);
    w.u32(rids.length);
    w.param(() => w.conformantVaryingArray(rids, 1000, (r) => w.u32(r)));
  });
