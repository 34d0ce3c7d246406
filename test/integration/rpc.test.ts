// Issue 7 acceptance 1-3 against the real daemon with real clients: smbclient -L lists the browseable shares
// over srvsvc (SMB 2.0.2 to 3.1.1), rpcclient answers srvsvc/wkssvc/lsarpc/samr questions correctly, impacket
// lists the same shares and enumerates the same SAM users over \pipe\samr; an unknown pipe is refused at
// once. Acceptance 4 (fuzzing the pipe) and the pipe semantics are in rpc-pipe.test.ts.
import {spawnSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {NtStatus, ntStatusName} from '../../src/smb2/ntstatus.js';
import {ROOT} from '../helpers/cli.js';
import {RawClient} from '../helpers/raw-client.js';
import {createPipe} from '../helpers/raw-pipe.js';
import {startSmbServer, type SmbServer} from '../helpers/smb-server.js';
import {dropTestAccount, ensureTestAccount, type TestAccount} from '../helpers/test-account.js';

// The clients are installed by test/setup.sh; a missing one fails the suite here instead of skipping.
it('the real clients are installed (smbclient, rpcclient, python3-impacket)', () => {
  expect(spawnSync('smbclient', ['--version']).status, 'smbclient missing: run test/setup.sh').toBe(0);
  expect(spawnSync('rpcclient', ['--version']).status, 'rpcclient missing: run test/setup.sh').toBe(0);
  expect(spawnSync('/usr/bin/python3', ['-c', 'import impacket.dcerpc.v5.samr']).status, 'python3-impacket missing: run test/setup.sh').toBe(0);
});

const NETBIOS = 'KSMBDTEST';
/** What `smbclient -L` and every enumeration must show: browseable shares in configuration order, and IPC$. */
const LISTED = [
  {name: 'IPC$', type: 'IPC', comment: 'IPC share'},
  {name: 'public', type: 'Disk', comment: 'Public files'},
  {name: 'data', type: 'Disk', comment: 'Team data, read only'},
];
const UNLISTED = ['secret$', 'nobrowse'];

let server: SmbServer;
let alice: TestAccount;
let domainSid: string;

beforeAll(async () => {
  alice = ensureTestAccount('alice');
  server = await startSmbServer({
    users: {alice: 'pw'},
    global: {'netbios name': NETBIOS, workgroup: 'TESTGROUP', 'server string': 'ksmbd for Node test'},
    shares: {
      public: {comment: 'Public files', 'read only': 'no'},
      data: {comment: 'Team data, read only'},
      secret$: {comment: 'hidden by its name'},
      nobrowse: {comment: 'hidden by browseable', browseable: 'no'},
    },
  });
  // The daemon keeps the server SID's subauthorities beside its configuration (S-1-5-21-A-B-C).
  const sub = readFileSync(join(server.dir, 'ksmbd.subauth'), 'utf8').trim().split(':');
  expect(sub).toHaveLength(3);
  domainSid = `S-1-5-21-${sub.join('-')}`;
});

afterAll(async () => {
  await server?.stop();
  if (alice) dropTestAccount(alice);
});

function run(cmd: string, args: string[]): {code: number | null; out: string} {
  const r = spawnSync(cmd, args, {encoding: 'utf8', timeout: 60_000});
  return {code: r.status, out: `${r.stdout}${r.stderr}`};
}

function listing(out: string): {name: string; type: string; comment: string}[] {
  return [...out.matchAll(/^\t(\S+)\s+(Disk|IPC|Printer)\s*(.*)$/gm)].map((m) => ({name: m[1]!, type: m[2]!, comment: m[3]!.trim()}));
}

describe('acceptance 1: smbclient -L', () => {
  for (const m of [undefined, 'SMB2_02', 'SMB2_10', 'SMB3_00', 'SMB3_11']) {
    it(`lists every browseable share with its comment, plus IPC$ (${m ?? 'default dialect'})`, () => {
      const r = run('smbclient', ['-L', '//127.0.0.1', '-p', String(server.port), '-U', 'alice%pw', ...(m ? ['-m', m] : [])]);
      expect(r.code, r.out).toBe(0);
      expect(listing(r.out)).toEqual(LISTED);
      for (const hidden of UNLISTED) expect(r.out).not.toContain(hidden);
    });
  }

  it('works signed and encrypted on SMB 3.1.1', () => {
    for (const opt of ['--option=client signing=required', '--option=client smb encrypt=required']) {
      const r = run('smbclient', ['-L', '//127.0.0.1', '-p', String(server.port), '-U', 'alice%pw', '-m', 'SMB3_11', opt]);
      expect(r.code, r.out).toBe(0);
      expect(listing(r.out)).toEqual(LISTED);
    }
  });
});

describe('acceptance 2: rpcclient', () => {
  let out: string;
  const sections = new Map<string, string>();

  beforeAll(() => {
    const commands = [
      'srvinfo',
      'netshareenumall',
      'netsharegetinfo data',
      'getusername',
      'lsaquery',
      `lookupnames alice`,
      `lookupsids ${domainSid}-${alice.uid}`,
      'enumdomusers',
      `queryuser ${alice.uid}`,
      'querydominfo',
    ];
    // One rpcclient run as the issue states it, then each command alone so each answer is checked by itself.
    const r = run('rpcclient', ['-U', 'alice%pw', '-p', String(server.port), '127.0.0.1', '-c', commands.join('; ')]);
    expect(r.code, r.out).toBe(0);
    out = r.out;
    expect(out).not.toMatch(/NT_STATUS|WERR_|result was|error/i);
    for (const c of commands) {
      const one = run('rpcclient', ['-U', 'alice%pw', '-p', String(server.port), '127.0.0.1', '-c', c]);
      expect(one.code, `${c}: ${one.out}`).toBe(0);
      sections.set(c.split(' ')[0]!, one.out);
    }
  });

  it('answers every command of the acceptance line in one run', () => {
    for (const s of sections.values()) expect(out).toContain(s.trim().split('\n')[0]!.trim());
  });

  it('srvinfo: name, comment, platform 500, version 6.1, server type with workstation and server bits', () => {
    const s = sections.get('srvinfo')!;
    expect(s).toMatch(new RegExp(`^\\s*${NETBIOS}\\s+Wk Sv .*ksmbd for Node test\\s*$`, 'm'));
    expect(s).toMatch(/platform_id\s*:\s*500/);
    expect(s).toMatch(/os version\s*:\s*6\.1/);
    const type = Number(/server type\s*:\s*(0x[0-9a-f]+)/.exec(s)![1]);
    expect(type & 0x3).toBe(0x3); // SV_TYPE_WORKSTATION | SV_TYPE_SERVER
  });

  it('netshareenumall: the browseable shares with their remarks, none of the hidden ones', () => {
    const s = sections.get('netshareenumall')!;
    const names = [...s.matchAll(/^netname: (.*)$/gm)].map((m) => m[1]);
    const remarks = [...s.matchAll(/^\tremark:\t(.*)$/gm)].map((m) => m[1]);
    expect(names).toEqual(LISTED.map((l) => l.name));
    expect(remarks).toEqual(LISTED.map((l) => l.comment));
    expect(s).toContain(`path:\tC:${server.sharePath('public').replace(/\//g, '\\')}`);
  });

  it('netsharegetinfo: level 502 of one share; hidden shares are found by name, unknown ones are not', () => {
    const s = sections.get('netsharegetinfo')!;
    expect(s).toMatch(/^netname: data$/m);
    expect(s).toMatch(/remark:\tTeam data, read only/);
    expect(s).toMatch(/type:\t0x0/);
    const hidden = run('rpcclient', ['-U', 'alice%pw', '-p', String(server.port), '127.0.0.1', '-c', 'netsharegetinfo secret$']);
    expect(hidden.out).toMatch(/remark:\thidden by its name/);
    const none = run('rpcclient', ['-U', 'alice%pw', '-p', String(server.port), '127.0.0.1', '-c', 'netsharegetinfo nope']);
    expect(none.out).toContain('WERR_NERR_NETNAMENOTFOUND');
  });

  it('getusername: the session user and the server as authority', () => {
    expect(sections.get('getusername')).toMatch(new RegExp(`Account Name: alice, Authority Name: ${NETBIOS}`));
  });

  it('lsaquery: the workgroup as primary domain (no SID: not a domain member), the account domain with the server SID', () => {
    const s = sections.get('lsaquery')!;
    expect(s).toMatch(/Domain Name: TESTGROUP/);
    expect(s).toMatch(/Domain Sid: \(NULL SID\)/);
    const account = run('rpcclient', ['-U', 'alice%pw', '-p', String(server.port), '127.0.0.1', '-c', 'lsaquery 5']);
    expect(account.out).toMatch(new RegExp(`Domain Name: ${NETBIOS}`));
    expect(account.out).toContain(`Domain Sid: ${domainSid}`);
  });

  it("lookupnames and lookupsids: alice is S-1-5-21-<subauth>-<alice's uid>, a user", () => {
    expect(sections.get('lookupnames')).toContain(`alice ${domainSid}-${alice.uid} (User: 1)`);
    expect(sections.get('lookupsids')).toContain(`${domainSid}-${alice.uid} ${NETBIOS}\\alice (1)`);
  });

  it("enumdomusers and queryuser: alice with her uid as RID", () => {
    expect(sections.get('enumdomusers')!.trim()).toBe(`user:[alice] rid:[0x${alice.uid.toString(16)}]`);
    const q = sections.get('queryuser')!;
    expect(q).toMatch(/User Name\s*:\talice/);
    expect(q).toMatch(new RegExp(`user_rid :\\t0x${alice.uid.toString(16)}\\b`));
    expect(q).toMatch(/group_rid:\t0x201/); // Domain Users
    expect(q).toMatch(/acb_info :\t0x00000210/); // ACB_NORMAL | ACB_PWNOEXP
  });

  it('querydominfo: the account domain with its one user; levels 7 and 9 decode too', () => {
    const s = sections.get('querydominfo')!;
    expect(s).toMatch(new RegExp(`Domain:\\t\\t${NETBIOS}`));
    expect(s).toMatch(/Comment:\tksmbd for Node test/);
    expect(s).toMatch(/Total Users:\t1\b/);
    const more = run('rpcclient', ['-U', 'alice%pw', '-p', String(server.port), '127.0.0.1', '-c', 'querydominfo 7; querydominfo 9']);
    expect(more.out).toMatch(/Server Role:\tROLE_DOMAIN_PDC/);
    expect(more.out).toMatch(/Domain Server State:\t0x1/);
    expect(more.out).not.toMatch(/NT_STATUS/);
  });
});

describe('acceptance 3: impacket', () => {
  interface ImpacketResult {
    shares: {name: string; type: number; remark: string}[];
    sam: {domains: string[]; domainSid: string; users: {name: string; rid: number; userName: string; primaryGroup: number; uac: number}[]};
  }

  // impacket's highest dialect (3.0: it does not sign a 3.1.1 TREE_CONNECT) and 2.1.
  for (const dialect of ['highest', '2.1']) {
    it(`listShares() and a samrdump-style enumeration over \\pipe\\samr agree with the configuration (SMB ${dialect})`, () => {
      const r = run('/usr/bin/python3', [join(ROOT, 'test/helpers/impacket-rpc.py'), '127.0.0.1', String(server.port), 'alice', 'pw', dialect]);
      expect(r.code, r.out).toBe(0);
      const got = JSON.parse(r.out.trim().split('\n').pop()!) as ImpacketResult;
      // STYPE_DISKTREE 0; IPC$ is STYPE_IPC | STYPE_SPECIAL.
      expect(got.shares).toEqual(LISTED.map((l) => ({name: l.name, type: l.type === 'IPC' ? 0x80000003 : 0, remark: l.comment})));
      expect(got.sam.domains).toEqual([NETBIOS, 'Builtin']);
      expect(got.sam.domainSid).toBe(domainSid);
      expect(got.sam.users).toEqual([{name: 'alice', rid: alice.uid, userName: 'alice', primaryGroup: 513, uac: 0x210}]);
    });
  }
});

describe('unknown pipes', () => {
  it('mdssvc, spoolss, winreg, netlogon (any spelling) get STATUS_OBJECT_NAME_NOT_FOUND at once', async () => {
    const c = await RawClient.connect({port: server.port, timeoutMs: 3000});
    try {
      await c.setup({user: 'alice', password: 'pw', share: 'IPC$'});
      for (const name of ['mdssvc', 'spoolss', 'winreg', 'netlogon', '\\PIPE\\winreg', 'pipe\\mdssvc', 'srvsvc\\x', '']) {
        const started = Date.now();
        const r = await createPipe(c, name);
        expect(ntStatusName(r.msg.status), name).toBe(ntStatusName(NtStatus.OBJECT_NAME_NOT_FOUND));
        expect(Date.now() - started).toBeLessThan(1000);
      }
      // The served ones, in the spellings clients use.
      for (const name of ['srvsvc', '\\PIPE\\srvsvc', '\\pipe\\SAMR', 'lsarpc', 'wkssvc']) {
        const r = await createPipe(c, name);
        expect(ntStatusName(r.msg.status), name).toBe('STATUS_SUCCESS');
      }
    } finally {
      await c.close();
    }
  });
});
