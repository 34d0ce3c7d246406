import {describe, expect, it} from 'vitest';
import {NdrReader, parseSid, sidAppend, sidToString} from '../../../src/rpc/ndr.js';
import {NT, SID_TYPE} from '../../../src/rpc/service.js';
import {BUILTIN_SID} from '../../../src/rpc/services/accounts.js';
import {LSARPC, LSARPC_OP} from '../../../src/rpc/services/lsarpc.js';
import {SAMR, SAMR_OP} from '../../../src/rpc/services/samr.js';
import {serverData, samUsers, domainSid} from '../../../src/rpc/server-data.js';
import {accountDbFrom, parseAccounts} from '../../../src/ipc/accounts.js';
import {parsePwdDb, hashForDb} from '../../../src/users/pwddb.js';
import {interpretConf} from '../../../src/config/load.js';
import {parseConf} from '../../../src/config/conf-file.js';
import {ALICE, DOMAIN_SID_TEXT, TestClient, newPipes} from './helpers.js';
import * as q from './requests.js';

const DOMAIN = parseSid(DOMAIN_SID_TEXT)!;
const status = (b: Buffer) => b.readUInt32LE(b.length - 4);

function lsa() {
  const {pipes} = newPipes();
  const c = new TestClient(pipes, 'lsarpc');
  c.bind(LSARPC.syntax);
  const h = c.ok(LSARPC_OP.LsarOpenPolicy2, q.lsaOpenPolicy2()).subarray(0, 20);
  return {c, h};
}

describe('lsarpc', () => {
  it('QueryInformationPolicy: account domain = NetBIOS name + S-1-5-21-A-B-C; primary domain = workgroup without SID', () => {
    const {c, h} = lsa();
    let r = new NdrReader(c.ok(LSARPC_OP.LsarQueryInformationPolicy, q.handleLevel(h, 5)));
    const info = r.topUnique(() => {
      expect(r.enum16()).toBe(5);
      return {name: r.unicodeString(), sid: r.unique(() => r.sid())};
    })!;
    expect(info.name.get()).toBe('KSMBDTEST');
    expect(sidToString(info.sid.get()!)).toBe(DOMAIN_SID_TEXT);
    expect(r.u32()).toBe(NT.SUCCESS);

    r = new NdrReader(c.ok(LSARPC_OP.LsarQueryInformationPolicy2, q.handleLevel(h, 3)));
    const p = r.topUnique(() => (r.enum16(), {name: r.unicodeString(), sid: r.unique(() => r.sid())}))!;
    expect(p.name.get()).toBe('WORKGROUP');
    expect(p.sid.get()).toBeNull();
    expect(status(c.ok(LSARPC_OP.LsarQueryInformationPolicy, q.handleLevel(h, 2)))).toBe(NT.INVALID_PARAMETER);
  });

  it('a closed or forged policy handle is STATUS_INVALID_HANDLE', () => {
    const {c, h} = lsa();
    expect(status(c.ok(LSARPC_OP.LsarClose, q.handleOnly(h)))).toBe(NT.SUCCESS);
    expect(status(c.ok(LSARPC_OP.LsarClose, q.handleOnly(h)))).toBe(NT.INVALID_HANDLE);
    expect(status(c.ok(LSARPC_OP.LsarQueryInformationPolicy, q.handleLevel(h, 5)))).toBe(NT.INVALID_HANDLE);
    expect(status(c.ok(LSARPC_OP.LsarLookupNames, q.lsaLookupNames(Buffer.alloc(20, 1), ['alice'], 1)))).toBe(NT.INVALID_HANDLE);
  });

  it('LookupNames3: users, domain-qualified names, Builtin aliases, the domain; unknown names unmapped', () => {
    const {c, h} = lsa();
    const stub = c.ok(LSARPC_OP.LsarLookupNames3, q.lsaLookupNames(h, ['alice', 'KSMBDTEST\\testuser', 'BUILTIN\\Administrators', 'ksmbdtest', 'zed'], 3));
    const r = new NdrReader(stub);
    const domains = r.topUnique(() => {
      const n = r.u32();
      const arr = r.unique(() => r.conformantArray(12, () => ({name: r.unicodeString(), sid: r.unique(() => r.sid())})));
      r.u32();
      return {n, arr};
    })!;
    const sids = r.param(() => {
      r.u32();
      return r.unique(() => r.conformantArray(16, () => ({use: r.enum16(), sid: r.unique(() => r.sid()), index: r.i32(), flags: r.u32()})));
    });
    const mapped = r.u32();
    expect(r.u32()).toBe(NT.SOME_NOT_MAPPED);
    r.end();
    expect(mapped).toBe(4);
    expect(domains.arr.get()!.map((d) => d.name.get())).toEqual(['KSMBDTEST', 'BUILTIN']);
    const rows = sids.get()!.map((x) => [x.use, x.sid.get() ? sidToString(x.sid.get()!) : null, x.index]);
    expect(rows).toEqual([
      [SID_TYPE.USER, `${DOMAIN_SID_TEXT}-1001`, 0],
      [SID_TYPE.USER, `${DOMAIN_SID_TEXT}-1000`, 0],
      [SID_TYPE.ALIAS, 'S-1-5-32-544', 1],
      [SID_TYPE.DOMAIN, DOMAIN_SID_TEXT, 0],
      [SID_TYPE.UNKNOWN, null, -1],
    ]);
  });

  it('LookupSids2: names and types, NONE_MAPPED when nothing resolves', () => {
    const {c, h} = lsa();
    const stub = c.ok(LSARPC_OP.LsarLookupSids2, q.lsaLookupSids(h, [sidAppend(DOMAIN, 1000), sidAppend(BUILTIN_SID, 545), sidAppend(DOMAIN, 513)], 2));
    expect(status(stub)).toBe(NT.SUCCESS);
    const text = stub.toString('utf16le', 1);
    expect(stub.toString('utf16le')).toContain('testuser');
    expect(stub.toString('utf16le') + text).toContain('Users');
    expect(status(c.ok(LSARPC_OP.LsarLookupSids, q.lsaLookupSids(h, ['S-1-5-21-1-2-3-4'], 1)))).toBe(NT.NONE_MAPPED);
  });

  it('GetUserName: the session user and the server as authority', () => {
    const {c} = lsa();
    const r = new NdrReader(c.ok(LSARPC_OP.LsarGetUserName, q.lsaGetUserName(true)));
    expect(r.topUnique(() => r.param(() => r.unicodeString()).get())).toBe(ALICE.user);
    expect(r.topUnique(() => r.topUnique(() => r.param(() => r.unicodeString()).get()))).toBe('KSMBDTEST');
    expect(r.u32()).toBe(NT.SUCCESS);
    r.end();
  });

  it('OpenPolicy (one-character server name) works as OpenPolicy2', () => {
    const {c} = lsa();
    expect(status(c.ok(LSARPC_OP.LsarOpenPolicy, q.lsaOpenPolicy()))).toBe(NT.SUCCESS);
  });
});

function samr() {
  const {pipes} = newPipes();
  const c = new TestClient(pipes, 'samr');
  c.bind(SAMR.syntax);
  const sh = c.ok(SAMR_OP.SamrConnect5, q.samrConnect5()).subarray(16, 36);
  const dh = c.ok(SAMR_OP.SamrOpenDomain, q.samrOpenDomain(sh, DOMAIN)).subarray(0, 20);
  return {c, sh, dh};
}

function decodeEnumeration(stub: Buffer) {
  const r = new NdrReader(stub);
  const ctx = r.u32();
  const list = r.topUnique(() => {
    r.u32();
    return r.unique(() => r.conformantArray(12, () => ({rid: r.u32(), name: r.unicodeString()})));
  });
  const count = r.u32();
  const st = r.u32();
  r.end();
  return {ctx, count, status: st, entries: (list?.get() ?? []).map((e) => ({rid: e.rid, name: e.name.get()}))};
}

describe('samr', () => {
  it('enumerates the domains and resolves them', () => {
    const {c, sh} = samr();
    expect(decodeEnumeration(c.ok(SAMR_OP.SamrEnumerateDomainsInSamServer, q.samrEnumDomains(sh))).entries.map((e) => e.name)).toEqual(['KSMBDTEST', 'Builtin']);
    const r = new NdrReader(c.ok(SAMR_OP.SamrLookupDomainInSamServer, q.samrLookupDomain(sh, 'ksmbdtest')));
    expect(sidToString(r.topUnique(() => r.sid())!)).toBe(DOMAIN_SID_TEXT);
    expect(status(c.ok(SAMR_OP.SamrLookupDomainInSamServer, q.samrLookupDomain(sh, 'OTHER')))).toBe(NT.NO_SUCH_DOMAIN);
    expect(status(c.ok(SAMR_OP.SamrOpenDomain, q.samrOpenDomain(sh, parseSid('S-1-5-21-9-9-9')!)))).toBe(NT.NO_SUCH_DOMAIN);
  });

  it('enumerates users with their uid as RID; Builtin has none but three aliases', () => {
    const {c, sh, dh} = samr();
    const e = decodeEnumeration(c.ok(SAMR_OP.SamrEnumerateUsersInDomain, q.samrEnumUsers(dh)));
    expect(e.status).toBe(NT.SUCCESS);
    expect(e.entries).toEqual([{rid: 1001, name: 'alice'}, {rid: 1000, name: 'testuser'}]);
    const bh = c.ok(SAMR_OP.SamrOpenDomain, q.samrOpenDomain(sh, BUILTIN_SID)).subarray(0, 20);
    expect(decodeEnumeration(c.ok(SAMR_OP.SamrEnumerateUsersInDomain, q.samrEnumUsers(bh))).entries).toEqual([]);
    expect(decodeEnumeration(c.ok(SAMR_OP.SamrEnumerateAliasesInDomain, q.samrEnumOther(bh))).entries.map((x) => x.rid)).toEqual([544, 545, 546]);
    expect(decodeEnumeration(c.ok(SAMR_OP.SamrEnumerateUsersInDomain, q.samrEnumUsers(dh, 0x80))).entries).toEqual([]);
  });

  it('OpenUser + QueryInformationUser(2) level 21, never a password hash', () => {
    const {c, dh} = samr();
    const uh = c.ok(SAMR_OP.SamrOpenUser, q.samrOpenUser(dh, 1001)).subarray(0, 20);
    const stub = c.ok(SAMR_OP.SamrQueryInformationUser2, q.handleLevel(uh, 21));
    expect(status(stub)).toBe(NT.SUCCESS);
    const r = new NdrReader(stub);
    r.pointerId();
    expect(r.enum16()).toBe(21);
    for (let i = 0; i < 12; i++) r.u32(); // six OLD_LARGE_INTEGERs
    const strings = Array.from({length: 10}, () => r.unicodeString());
    const lm = r.unicodeString();
    const nt = r.unicodeString();
    expect([lm.referentId, nt.referentId]).toEqual([0, 0]);
    r.unicodeString();
    r.u32();
    r.pointerId();
    expect(r.u32()).toBe(1001); // UserId
    expect(r.u32()).toBe(513); // PrimaryGroupId
    expect(r.u32()).toBe(0x210); // normal account, password never expires
    r.u32();
    r.u16();
    r.unique(() => r.conformantVaryingArray(1, () => r.u8()));
    r.u16();
    r.u16();
    r.u16();
    r.u16();
    expect([r.u8(), r.u8()]).toEqual([0, 0]); // Lm/NtPasswordPresent
    r.u8();
    r.u8();
    r.flush();
    expect(strings[0]!.get()).toBe('alice');
    expect(r.u32()).toBe(NT.SUCCESS);
    r.end();
    expect(status(c.ok(SAMR_OP.SamrQueryInformationUser, q.handleLevel(uh, 15)))).toBe(NT.INVALID_INFO_CLASS);
    expect(status(c.ok(SAMR_OP.SamrOpenUser, q.samrOpenUser(dh, 4242)))).toBe(NT.NO_SUCH_USER);
  });

  it('groups, alias membership and lookups', () => {
    const {c, sh, dh} = samr();
    const uh = c.ok(SAMR_OP.SamrOpenUser, q.samrOpenUser(dh, 1000)).subarray(0, 20);
    const g = c.ok(SAMR_OP.SamrGetGroupsForUser, q.handleOnly(uh));
    expect(g.readUInt32LE(4)).toBe(1); // one membership
    expect(g.subarray(16, 24)).toEqual(Buffer.from('0102000007000000', 'hex')); // RID 513, attributes 7
    const bh = c.ok(SAMR_OP.SamrOpenDomain, q.samrOpenDomain(sh, BUILTIN_SID)).subarray(0, 20);
    const m = c.ok(SAMR_OP.SamrGetAliasMembership, q.samrGetAliasMembership(bh, [sidAppend(DOMAIN, 1000)]));
    expect(m.readUInt32LE(0)).toBe(1);
    expect(m.readUInt32LE(12)).toBe(545);
    expect(c.ok(SAMR_OP.SamrGetAliasMembership, q.samrGetAliasMembership(dh, [sidAppend(DOMAIN, 1000)])).readUInt32LE(0)).toBe(0);

    const ln = c.ok(SAMR_OP.SamrLookupNamesInDomain, q.samrLookupNames(dh, ['TESTUSER', 'ghost']));
    expect(status(ln)).toBe(NT.SOME_NOT_MAPPED);
    expect(ln.readUInt32LE(12)).toBe(1000);
    const li = c.ok(SAMR_OP.SamrLookupIdsInDomain, q.samrLookupIds(dh, [1001, 513]));
    expect(status(li)).toBe(NT.SUCCESS);
    expect(li.toString('utf16le')).toContain('alice');
    expect(status(c.ok(SAMR_OP.SamrLookupIdsInDomain, q.samrLookupIds(dh, [9, 10])))).toBe(NT.NONE_MAPPED);
  });

  it('QueryInformationDomain level 2 counts the users; handles of the wrong kind are refused', () => {
    const {c, sh, dh} = samr();
    const stub = c.ok(SAMR_OP.SamrQueryInformationDomain, q.handleLevel(dh, 2));
    expect(status(stub)).toBe(NT.SUCCESS);
    expect(stub.toString('utf16le')).toContain('KSMBDTEST');
    expect(status(c.ok(SAMR_OP.SamrQueryInformationDomain, q.handleLevel(sh, 2)))).toBe(NT.INVALID_HANDLE);
    expect(status(c.ok(SAMR_OP.SamrQueryInformationDomain, q.handleLevel(dh, 10)))).toBe(NT.INVALID_INFO_CLASS);
    expect(status(c.ok(SAMR_OP.SamrEnumerateUsersInDomain, q.samrEnumUsers(sh)))).toBe(NT.INVALID_HANDLE);
    expect(status(c.ok(SAMR_OP.SamrCloseHandle, q.handleOnly(dh)))).toBe(NT.SUCCESS);
    expect(status(c.ok(SAMR_OP.SamrEnumerateUsersInDomain, q.samrEnumUsers(dh)))).toBe(NT.INVALID_HANDLE);
  });

  it('QueryInformationDomain levels 7 and 9 send their enums as 32 bits (what rpcclient reads)', () => {
    const {c, dh} = samr();
    for (const [level, value] of [[7, 3], [9, 1]] as const) {
      // unique pointer, union discriminant (16 bits), 2 octets of alignment, the enum (32 bits), NTSTATUS
      const stub = c.ok(SAMR_OP.SamrQueryInformationDomain, q.handleLevel(dh, level));
      expect(stub.length).toBe(16);
      expect(stub.readUInt16LE(4)).toBe(level);
      expect(stub.readUInt32LE(8)).toBe(value);
      expect(status(stub)).toBe(NT.SUCCESS);
    }
  });

  it('every Connect variant opens a server handle', () => {
    const {c} = samr();
    expect(status(c.ok(SAMR_OP.SamrConnect, q.samrConnect()))).toBe(NT.SUCCESS);
    expect(status(c.ok(SAMR_OP.SamrConnect2, q.samrConnect2()))).toBe(NT.SUCCESS);
    expect(status(c.ok(SAMR_OP.SamrConnect4, q.samrConnect4()))).toBe(NT.SUCCESS);
  });
});

describe('server data from the configuration', () => {
  it('SAM users are ksmbdpwd.db users with a Unix account, uid as RID; the SID comes from the subauths', () => {
    const accounts = accountDbFrom(parseAccounts(['alice:x:1000:1000::/:/bin/sh', 'bob:x:1001:1001::/:/bin/sh'], []));
    const db = parsePwdDb(['alice', 'bob', 'ghost'].map((u) => `${u}:${hashForDb('pw')}\n`).join(''));
    expect(samUsers(db, accounts)).toEqual([{name: 'alice', rid: 1000}, {name: 'bob', rid: 1001}]);
    expect(sidToString(domainSid([1, 2, 4294967295]))).toBe('S-1-5-21-1-2-4294967295');
    const config = interpretConf(parseConf('[global]\n\tnetbios name = BOX\n\tworkgroup = HOME\n\tserver string = files\n', 't.conf'));
    const d = serverData({config, db, accounts, subauth: [7, 8, 9], shares: () => [], share: () => undefined});
    expect([d.netbiosName, d.workgroup, d.serverString, sidToString(d.domainSid)]).toEqual(['BOX', 'HOME', 'files', 'S-1-5-21-7-8-9']);
  });
});
