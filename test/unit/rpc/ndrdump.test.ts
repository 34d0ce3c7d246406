// Cross-check against an independent NDR implementation: Samba's ndrdump parses each request we build and
// each response we send with Samba's generated parsers, and with --validate pushes what it parsed again
// and compares the bytes. ndrdump comes with samba-testsuite, which test/setup.sh installs; without it the
// suite fails rather than skips.
import {spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, describe, expect, it} from 'vitest';
import {parseSid, sidAppend} from '../../../src/rpc/ndr.js';
import {LSARPC, LSARPC_OP} from '../../../src/rpc/services/lsarpc.js';
import {SAMR, SAMR_OP} from '../../../src/rpc/services/samr.js';
import {SRVSVC, SRVSVC_OP} from '../../../src/rpc/services/srvsvc.js';
import {WKSSVC, WKSSVC_OP} from '../../../src/rpc/services/wkssvc.js';
import {BUILTIN_SID} from '../../../src/rpc/services/accounts.js';
import {DOMAIN_SID_TEXT, TestClient, newPipes} from './helpers.js';
import * as q from './requests.js';

const dir = mkdtempSync(join(tmpdir(), 'ndrdump-'));
afterAll(() => rmSync(dir, {recursive: true, force: true}));

let n = 0;
function ndrdump(pipe: string, opnum: number, inStub: Buffer, outStub: Buffer): string {
  const i = join(dir, `${n}.in`);
  const o = join(dir, `${n++}.out`);
  writeFileSync(i, inStub);
  writeFileSync(o, outStub);
  const a = spawnSync('ndrdump', [pipe, String(opnum), 'in', i, '--validate'], {encoding: 'utf8'});
  const b = spawnSync('ndrdump', [pipe, String(opnum), 'out', o, '-c', i, '--validate'], {encoding: 'utf8'});
  const text = `${a.stdout}${a.stderr}\n----\n${b.stdout}${b.stderr}`;
  expect(a.status, text).toBe(0);
  expect(b.status, text).toBe(0);
  expect(text).toContain('dump OK');
  expect(text).not.toMatch(/dump FAILED|returned (?!Success)|unread bytes|WARNING|validate/i);
  return b.stdout;
}

const DOMAIN = parseSid(DOMAIN_SID_TEXT)!;

describe('Samba ndrdump parses our stubs', () => {
  it('ndrdump is installed (samba-testsuite)', () => {
    expect(spawnSync('ndrdump', ['--help']).error, 'ndrdump missing: run test/setup.sh (apt-get install samba-testsuite)').toBeUndefined();
  });
  it('srvsvc', () => {
    const {pipes} = newPipes();
    const c = new TestClient(pipes, 'srvsvc');
    c.bind(SRVSVC.syntax);
    for (const level of [0, 1, 2, 501, 502, 7]) {
      const req = q.netShareEnum(level);
      ndrdump('srvsvc', SRVSVC_OP.NetrShareEnum, req, c.ok(SRVSVC_OP.NetrShareEnum, req));
    }
    const req36 = q.netShareEnum(1);
    ndrdump('srvsvc', SRVSVC_OP.NetrShareEnumSticky, req36, c.ok(SRVSVC_OP.NetrShareEnumSticky, req36));
    for (const level of [0, 1, 2, 501, 502, 1005, 3]) {
      for (const name of ['public', 'missing']) {
        const req = q.netShareGetInfo(name, level);
        ndrdump('srvsvc', SRVSVC_OP.NetrShareGetInfo, req, c.ok(SRVSVC_OP.NetrShareGetInfo, req));
      }
    }
    for (const level of [100, 101, 102, 1]) {
      const req = q.levelOnly(level);
      const out = ndrdump('srvsvc', SRVSVC_OP.NetrServerGetInfo, req, c.ok(SRVSVC_OP.NetrServerGetInfo, req));
      if (level !== 1) expect(out).toContain('KSMBDTEST');
    }
  });

  it('wkssvc', () => {
    const {pipes} = newPipes();
    const c = new TestClient(pipes, 'wkssvc');
    c.bind(WKSSVC.syntax);
    for (const level of [100, 101, 102, 1]) {
      const req = q.levelOnly(level);
      ndrdump('wkssvc', WKSSVC_OP.NetrWkstaGetInfo, req, c.ok(WKSSVC_OP.NetrWkstaGetInfo, req));
    }
  });

  it('lsarpc', () => {
    const {pipes} = newPipes();
    const c = new TestClient(pipes, 'lsarpc');
    c.bind(LSARPC.syntax);
    let req = q.lsaOpenPolicy();
    ndrdump('lsarpc', LSARPC_OP.LsarOpenPolicy, req, c.ok(LSARPC_OP.LsarOpenPolicy, req));
    req = q.lsaOpenPolicy2();
    const open = c.ok(LSARPC_OP.LsarOpenPolicy2, req);
    ndrdump('lsarpc', LSARPC_OP.LsarOpenPolicy2, req, open);
    const h = open.subarray(0, 20);
    for (const op of [LSARPC_OP.LsarQueryInformationPolicy, LSARPC_OP.LsarQueryInformationPolicy2]) {
      for (const level of [3, 5, 12, 13, 14, 2]) {
        req = q.handleLevel(h, level);
        ndrdump('lsarpc', op, req, c.ok(op, req));
      }
    }
    const sids = [sidAppend(DOMAIN, 1001), sidAppend(DOMAIN, 1000), DOMAIN, sidAppend(BUILTIN_SID, 544), sidAppend(DOMAIN, 4242), parseSid('S-1-1-0')!];
    for (const [op, v] of [[LSARPC_OP.LsarLookupSids, 1], [LSARPC_OP.LsarLookupSids2, 2], [LSARPC_OP.LsarLookupSids3, 3]] as const) {
      req = q.lsaLookupSids(v === 3 ? null : h, sids, v);
      const out = ndrdump('lsarpc', op, req, c.ok(op, req));
      expect(out).toContain('alice');
    }
    const names = ['alice', 'KSMBDTEST\\testuser', 'BUILTIN\\Users', 'KSMBDTEST', 'nobody-here'];
    for (const [op, v] of [[LSARPC_OP.LsarLookupNames, 1], [LSARPC_OP.LsarLookupNames2, 2], [LSARPC_OP.LsarLookupNames3, 3], [LSARPC_OP.LsarLookupNames4, 4]] as const) {
      req = q.lsaLookupNames(v === 4 ? null : h, names, v);
      ndrdump('lsarpc', op, req, c.ok(op, req));
    }
    for (const withDomain of [true, false]) {
      req = q.lsaGetUserName(withDomain);
      const out = ndrdump('lsarpc', LSARPC_OP.LsarGetUserName, req, c.ok(LSARPC_OP.LsarGetUserName, req));
      expect(out).toContain('alice');
      if (withDomain) expect(out).toContain('KSMBDTEST');
    }
    req = q.handleOnly(h);
    ndrdump('lsarpc', LSARPC_OP.LsarClose, req, c.ok(LSARPC_OP.LsarClose, req));
  });

  it('samr', () => {
    const {pipes} = newPipes();
    const c = new TestClient(pipes, 'samr');
    c.bind(SAMR.syntax);
    let req = q.samrConnect();
    ndrdump('samr', SAMR_OP.SamrConnect, req, c.ok(SAMR_OP.SamrConnect, req));
    req = q.samrConnect2();
    ndrdump('samr', SAMR_OP.SamrConnect2, req, c.ok(SAMR_OP.SamrConnect2, req));
    req = q.samrConnect4();
    ndrdump('samr', SAMR_OP.SamrConnect4, req, c.ok(SAMR_OP.SamrConnect4, req));
    req = q.samrConnect5();
    const conn = c.ok(SAMR_OP.SamrConnect5, req);
    ndrdump('samr', SAMR_OP.SamrConnect5, req, conn);
    const sh = conn.subarray(16, 36);
    req = q.samrEnumDomains(sh);
    expect(ndrdump('samr', SAMR_OP.SamrEnumerateDomainsInSamServer, req, c.ok(SAMR_OP.SamrEnumerateDomainsInSamServer, req))).toContain('Builtin');
    for (const name of ['KSMBDTEST', 'builtin', 'OTHER']) {
      req = q.samrLookupDomain(sh, name);
      ndrdump('samr', SAMR_OP.SamrLookupDomainInSamServer, req, c.ok(SAMR_OP.SamrLookupDomainInSamServer, req));
    }
    const handles: Buffer[] = [];
    for (const sid of [DOMAIN, BUILTIN_SID]) {
      req = q.samrOpenDomain(sh, sid);
      const out = c.ok(SAMR_OP.SamrOpenDomain, req);
      ndrdump('samr', SAMR_OP.SamrOpenDomain, req, out);
      handles.push(out.subarray(0, 20));
    }
    for (const dh of handles) {
      for (const op of [SAMR_OP.SamrQueryInformationDomain, SAMR_OP.SamrQueryInformationDomain2]) {
        // 7 and 9 included: their enums go out as 32 bits, the width Samba's IDL ([v1_enum]) and rpcclient read.
        for (const level of [1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13, 10]) {
          req = q.handleLevel(dh, level);
          ndrdump('samr', op, req, c.ok(op, req));
        }
      }
      req = q.samrEnumUsers(dh);
      ndrdump('samr', SAMR_OP.SamrEnumerateUsersInDomain, req, c.ok(SAMR_OP.SamrEnumerateUsersInDomain, req));
      for (const op of [SAMR_OP.SamrEnumerateGroupsInDomain, SAMR_OP.SamrEnumerateAliasesInDomain]) {
        req = q.samrEnumOther(dh);
        ndrdump('samr', op, req, c.ok(op, req));
      }
      req = q.samrGetAliasMembership(dh, [sidAppend(DOMAIN, 1001)]);
      ndrdump('samr', SAMR_OP.SamrGetAliasMembership, req, c.ok(SAMR_OP.SamrGetAliasMembership, req));
      req = q.samrLookupNames(dh, ['alice', 'Users', 'nope']);
      ndrdump('samr', SAMR_OP.SamrLookupNamesInDomain, req, c.ok(SAMR_OP.SamrLookupNamesInDomain, req));
      req = q.samrLookupIds(dh, [1001, 545, 7]);
      ndrdump('samr', SAMR_OP.SamrLookupIdsInDomain, req, c.ok(SAMR_OP.SamrLookupIdsInDomain, req));
    }
    req = q.samrOpenUser(handles[0]!, 1001);
    const ou = c.ok(SAMR_OP.SamrOpenUser, req);
    ndrdump('samr', SAMR_OP.SamrOpenUser, req, ou);
    const uh = ou.subarray(0, 20);
    for (const op of [SAMR_OP.SamrQueryInformationUser, SAMR_OP.SamrQueryInformationUser2]) {
      for (const level of [1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 20, 21, 15]) {
        req = q.handleLevel(uh, level);
        const out = ndrdump('samr', op, req, c.ok(op, req));
        if (level === 21) expect(out).toContain('alice');
      }
    }
    req = q.handleOnly(uh);
    ndrdump('samr', SAMR_OP.SamrGetGroupsForUser, req, c.ok(SAMR_OP.SamrGetGroupsForUser, req));
    ndrdump('samr', SAMR_OP.SamrGetUserDomainPasswordInformation, req, c.ok(SAMR_OP.SamrGetUserDomainPasswordInformation, req));
    ndrdump('samr', SAMR_OP.SamrCloseHandle, req, c.ok(SAMR_OP.SamrCloseHandle, req));
  });
});
