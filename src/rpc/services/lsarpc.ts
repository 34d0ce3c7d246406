/**
 * lsarpc (MS-LSAT and MS-LSAD, interface 12345778-1234-abcd-ef00-0123456789ab v0.0 on \PIPE\lsarpc): policy
 * handles, domain information, name <-> SID translation and GetUserName, which macOS calls after every
 * connect and Windows calls to show owners in security dialogs.
 */
import {MalformedPacket} from '../../wire/errors.js';
import {HANDLE_SIZE, type NdrReader, type NdrWriter, type Sid} from '../ndr.js';
import {NT, SID_TYPE, opTable, type CallContext, type RpcInterface} from '../service.js';
import {domainNameOf, domainSidOf, resolveName, resolveSid, type DomainKind, type Resolved} from './accounts.js';

/** MS-LSAT 3.1.4 / MS-LSAD 3.1.4: the methods we serve, by opnum. */
export const LSARPC_OP = {
  LsarClose: 0,
  LsarOpenPolicy: 6,
  LsarQueryInformationPolicy: 7,
  LsarLookupNames: 14,
  LsarLookupSids: 15,
  LsarOpenPolicy2: 44,
  LsarGetUserName: 45,
  LsarQueryInformationPolicy2: 46,
  LsarLookupSids2: 57,
  LsarLookupNames2: 58,
  LsarLookupNames3: 68,
  LsarLookupSids3: 76,
  LsarLookupNames4: 77,
} as const;

/** POLICY_INFORMATION_CLASS (MS-LSAD 2.2.4.1) values we answer. */
export const POLICY_INFO = {
  PRIMARY_DOMAIN: 3,
  ACCOUNT_DOMAIN: 5,
  DNS_DOMAIN: 12,
  DNS_DOMAIN_INT: 13,
  LOCAL_ACCOUNT_DOMAIN: 14,
} as const;

const POLICY = 'lsa-policy';
/** MS-LSAT 3.1.4.5/3.1.4.9: "Count ... MUST be less than or equal to 1000" / 20480 SIDs. */
const MAX_NAMES = 1000;
const MAX_SIDS = 20480;

function policy(call: CallContext, r: NdrReader): boolean {
  return call.handles.get(r.handle(), POLICY) !== undefined;
}

/** LSAPR_OBJECT_ATTRIBUTES (MS-LSAD 2.2.9): read and ignored; the referents clients send are NULL but SQOS. */
function objectAttributes(r: NdrReader): void {
  r.u32(); // Length
  r.unique(() => r.u8()); // RootDirectory
  r.unique(() => {
    // STRING ObjectName {Length; MaximumLength; [size_is(MaximumLength), length_is(Length)] char* Buffer}
    r.u16();
    r.u16();
    r.unique(() => r.conformantVaryingArray(1, () => r.u8()));
  });
  r.u32(); // Attributes
  r.unique(() => {
    throw new MalformedPacket('LsarOpenPolicy: a security descriptor in ObjectAttributes is not supported');
  });
  r.unique(() => {
    // SECURITY_QUALITY_OF_SERVICE {Length; ImpersonationLevel (enum); ContextTrackingMode; EffectiveOnly}
    r.u32();
    r.enum16();
    r.u8();
    r.u8();
  });
}

function openPolicy(call: CallContext, r: NdrReader, w: NdrWriter, v2: boolean): void {
  // LsarOpenPolicy's SystemName is a pointer to one wchar_t; LsarOpenPolicy2's a string.
  r.topUnique(() => (v2 ? r.wstring() : String.fromCharCode(r.u16())));
  r.param(() => objectAttributes(r));
  r.u32(); // DesiredAccess: every caller may read what we serve
  const h = call.handles.open(POLICY, null);
  w.handle(h ?? Buffer.alloc(HANDLE_SIZE));
  w.u32(h ? NT.SUCCESS : NT.INSUFFICIENT_RESOURCES);
}

function lsarClose(call: CallContext, r: NdrReader, w: NdrWriter): void {
  const h = r.handle();
  const ok = call.handles.close(h);
  w.handle(Buffer.alloc(HANDLE_SIZE));
  w.u32(ok ? NT.SUCCESS : NT.INVALID_HANDLE);
}

function writeGuid(w: NdrWriter, g: Buffer): void {
  w.u32(g.readUInt32LE(0)).u16(g.readUInt16LE(4)).u16(g.readUInt16LE(6)).bytes(g.subarray(8, 16));
}

function queryInfoPolicy(call: CallContext, r: NdrReader, w: NdrWriter): void {
  const ok = policy(call, r);
  const cls = r.enum16();
  const srv = call.server;
  const served = (Object.values(POLICY_INFO) as number[]).includes(cls);
  const status = !ok ? NT.INVALID_HANDLE : served ? NT.SUCCESS : NT.INVALID_PARAMETER;
  // [out, switch_is(InformationClass)] PLSAPR_POLICY_INFORMATION* PolicyInformation: a unique pointer to the union.
  w.topUnique(status === NT.SUCCESS ? cls : null, (c) => {
    w.enum16(c);
    switch (c) {
      case POLICY_INFO.PRIMARY_DOMAIN:
        // LSAPR_POLICY_PRIMARY_DOM_INFO: a standalone server is in a workgroup, which has no SID.
        w.unicodeString(srv.workgroup, true);
        w.unique(null, () => undefined);
        break;
      case POLICY_INFO.ACCOUNT_DOMAIN:
      case POLICY_INFO.LOCAL_ACCOUNT_DOMAIN:
        w.unicodeString(srv.netbiosName, true);
        w.unique(srv.domainSid, (s) => w.sid(s));
        break;
      default:
        // LSAPR_POLICY_DNS_DOMAIN_INFO: no DNS domain, no forest, no GUID, no SID outside a domain.
        w.unicodeString(srv.workgroup, true);
        w.unicodeString(null);
        w.unicodeString(null);
        writeGuid(w, Buffer.alloc(16));
        w.unique(null, () => undefined);
    }
  });
  w.u32(status);
}

/** LSAPR_REFERENCED_DOMAIN_LIST under construction: each domain once, in order of first reference. */
class DomainList {
  readonly kinds: DomainKind[] = [];
  index(kind: DomainKind): number {
    let i = this.kinds.indexOf(kind);
    if (i < 0) i = this.kinds.push(kind) - 1;
    return i;
  }
  write(call: CallContext, w: NdrWriter): void {
    w.topUnique(this.kinds, (kinds) => {
      w.u32(kinds.length);
      w.unique(kinds, (ks) =>
        w.conformantArray(ks, (k) => {
          w.unicodeString(domainNameOf(call.server, k), true);
          w.unique(domainSidOf(call.server, k), (s) => w.sid(s));
        }),
      );
      w.u32(32); // MaxEntries
    });
  }
}

/** [in, out] translated names or SIDs as the client sends them: count, then an (empty) array we skip. */
function skipTranslated(r: NdrReader, readElement: () => void, elementSize: number): void {
  r.param(() => {
    r.u32();
    r.unique(() => r.conformantArray(elementSize, readElement));
  });
}

function statusFor(mapped: number, total: number): number {
  if (total === 0 || mapped === total) return NT.SUCCESS;
  return mapped === 0 ? NT.NONE_MAPPED : NT.SOME_NOT_MAPPED;
}

/** LsarLookupSids (15), LsarLookupSids2 (57), LsarLookupSids3 (76: no policy handle). */
function lookupSids(call: CallContext, r: NdrReader, w: NdrWriter, version: 1 | 2 | 3): void {
  const ok = version === 3 ? true : policy(call, r);
  // LSAPR_SID_ENUM_BUFFER {Entries; [size_is(Entries)] PLSAPR_SID_INFORMATION SidInfo}; each {PRPC_SID Sid}.
  const sids = r.param(() => {
    const n = r.u32();
    if (n > MAX_SIDS) throw new MalformedPacket(`LookupSids: ${n} SIDs`);
    const arr = r.unique(() => r.conformantArray(4, () => r.unique(() => r.sid())));
    return {n, arr};
  });
  const list = (sids.arr.get() ?? []).map((d) => d.get());
  if (list.length !== sids.n) throw new MalformedPacket('LookupSids: Entries disagrees with the array');
  skipTranslated(r, () => {
    r.enum16();
    r.unicodeString();
    r.i32();
    if (version > 1) r.u32();
  }, 16);
  r.enum16(); // LookupLevel: we are the only authority asked
  r.u32(); // MappedCount
  if (version > 1) {
    r.u32(); // LookupOptions
    r.u32(); // ClientRevision
  }
  if (!ok) {
    w.u32(0); // ReferencedDomains NULL
    w.u32(0).u32(0); // TranslatedNames: none
    w.u32(0).u32(NT.INVALID_HANDLE);
    return;
  }
  const domains = new DomainList();
  let mapped = 0;
  const names = list.map((sid) => {
    const hit = sid ? resolveSid(call.server, sid) : undefined;
    if (!hit) return {use: SID_TYPE.UNKNOWN, name: '', index: -1};
    mapped++;
    return {use: hit.type, name: hit.name, index: domains.index(hit.domain)};
  });
  domains.write(call, w);
  w.param(() => {
    w.u32(names.length);
    w.unique(names, (ns) =>
      w.conformantArray(ns, (n) => {
        w.enum16(n.use);
        w.unicodeString(n.name);
        w.i32(n.index);
        if (version > 1) w.u32(0); // Flags
      }),
    );
  });
  w.u32(mapped);
  w.u32(statusFor(mapped, names.length));
}

/** LsarLookupNames (14), 2 (58), 3 (68), 4 (77: no policy handle). */
function lookupNames(call: CallContext, r: NdrReader, w: NdrWriter, version: 1 | 2 | 3 | 4): void {
  const ok = version === 4 ? true : policy(call, r);
  const count = r.u32();
  if (count > MAX_NAMES) throw new MalformedPacket(`LookupNames: Count ${count} over ${MAX_NAMES}`);
  // [in, size_is(Count)] PRPC_UNICODE_STRING Names: a conformant array of RPC_UNICODE_STRING.
  const names = r.param(() => r.conformantArray(8, () => r.unicodeString())).map((d) => d.get() ?? '');
  if (names.length !== count) throw new MalformedPacket('LookupNames: Count disagrees with the array');
  skipTranslated(r, () => {
    r.enum16();
    if (version >= 3) r.unique(() => r.sid());
    else r.u32();
    r.i32();
    if (version > 1) r.u32();
  }, 12);
  r.enum16(); // LookupLevel
  r.u32(); // MappedCount
  if (version > 1) {
    r.u32(); // LookupOptions
    r.u32(); // ClientRevision
  }
  if (!ok) {
    w.u32(0);
    w.u32(0).u32(0);
    w.u32(0).u32(NT.INVALID_HANDLE);
    return;
  }
  const domains = new DomainList();
  let mapped = 0;
  const out = names.map((name) => {
    const hit: Resolved | undefined = resolveName(call.server, name);
    if (!hit) return {use: SID_TYPE.UNKNOWN, rid: 0, sid: null as Sid | null, index: -1};
    mapped++;
    // A domain translates to itself: no RID (MS-LSAT 2.2.18 uses 0xFFFFFFFF) and the domain SID.
    return {use: hit.type, rid: hit.rid ?? 0xffffffff, sid: hit.sid, index: domains.index(hit.domain)};
  });
  domains.write(call, w);
  w.param(() => {
    w.u32(out.length);
    w.unique(out, (xs) =>
      w.conformantArray(xs, (x) => {
        w.enum16(x.use);
        if (version >= 3) w.unique(x.sid, (s) => w.sid(s));
        else w.u32(x.rid);
        w.i32(x.index);
        if (version > 1) w.u32(0); // Flags
      }),
    );
  });
  w.u32(mapped);
  w.u32(statusFor(mapped, out.length));
}

/** LsarGetUserName (45): who the caller is, and the domain of that account. */
function getUserName(call: CallContext, r: NdrReader, w: NdrWriter): void {
  r.topUnique(() => r.wstring()); // SystemName
  // [in, out] PRPC_UNICODE_STRING* UserName: the inner pointer (clients send NULL).
  r.topUnique(() => r.param(() => r.unicodeString()));
  // [in, out, unique] PRPC_UNICODE_STRING* DomainName: outer unique, inner unique.
  const wantsDomain = r.pointerId() !== 0;
  if (wantsDomain) r.topUnique(() => r.param(() => r.unicodeString()));
  const s = call.session;
  const user = s ? (s.guest ? s.identity.name || 'nobody' : s.user) : 'nobody';
  w.topUnique(user, (u) => w.unicodeString(u));
  w.topUnique(wantsDomain ? call.server.netbiosName : null, (d) => w.unique(d, (v) => w.unicodeString(v)));
  w.u32(NT.SUCCESS);
}

export const LSARPC: RpcInterface = {
  name: 'lsarpc',
  syntax: {uuid: '12345778-1234-abcd-ef00-0123456789ab', major: 0, minor: 0},
  ops: opTable(LSARPC_OP, {
    LsarClose: lsarClose,
    LsarOpenPolicy: (c, r, w) => openPolicy(c, r, w, false),
    LsarOpenPolicy2: (c, r, w) => openPolicy(c, r, w, true),
    LsarQueryInformationPolicy: queryInfoPolicy,
    LsarQueryInformationPolicy2: queryInfoPolicy,
    LsarLookupSids: (c, r, w) => lookupSids(c, r, w, 1),
    LsarLookupSids2: (c, r, w) => lookupSids(c, r, w, 2),
    LsarLookupSids3: (c, r, w) => lookupSids(c, r, w, 3),
    LsarLookupNames: (c, r, w) => lookupNames(c, r, w, 1),
    LsarLookupNames2: (c, r, w) => lookupNames(c, r, w, 2),
    LsarLookupNames3: (c, r, w) => lookupNames(c, r, w, 3),
    LsarLookupNames4: (c, r, w) => lookupNames(c, r, w, 4),
    LsarGetUserName: getUserName,
  }),
};
