// Issue 6 acceptance against the real daemon (`ksmbd mountd -n`, test/helpers/smb-server.ts) with real clients:
// 1. an smbclient script (put, get, ls, mkdir, rmdir, rename, del, allinfo, setmode, a 64 MiB round trip with a
//    checksum) on every dialect and on SMB3_11 signed and encrypted with each cipher; impacket's round trip.
// 2. identity and containment: files belong to the user's Unix account, that account's permissions decide,
//    a symlink out of the share cannot be read, `..` and absolute paths are refused.
// 4. a directory of 10,000 files lists completely.
// The smbclient runs are independent (each in its own directory) and run in parallel.
import {runCommand} from '../helpers/cli.js';
import {createHash, randomBytes} from 'node:crypto';
import {chmodSync, chownSync, mkdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {NtStatus} from '../../src/smb2/ntstatus.js';
import {create} from '../helpers/raw-ops.js';
import {RawClient} from '../helpers/raw-client.js';
import {startSmbServer, type SmbServer} from '../helpers/smb-server.js';
import {politeSession} from '../helpers/smb-target.js';
import {dropTestAccount, ensureTestAccount, type TestAccount} from '../helpers/test-account.js';

const USER = 'ksmbdfiles';
const PASS = 'Files-pw1';
const BIG = 64 * 1024 * 1024;

let server: SmbServer;
let account: TestAccount;
let work: string;
let bigFile: string;
let bigSum: string;

function sha256(path: string): string {
  return createHash('sha256').update(readFileSync(path)).digest('hex');
}

const run = (cmd: string, args: string[], timeoutMs = 240_000) => runCommand(cmd, args, timeoutMs);

function smbclient(args: string[], command: string, share = 'share') {
  return run('smbclient', [`//127.0.0.1/${share}`, '-p', String(server.port), '-U', `${USER}%${PASS}`, ...args, '-c', command]);
}

beforeAll(async () => {
  account = ensureTestAccount(USER);
  server = await startSmbServer({users: {[USER]: PASS}, shares: {share: {'read only': 'no'}, many: {'read only': 'no'}}});
  work = join(tmpdir(), `ksmbd-files-${process.pid}`);
  mkdirSync(work, {recursive: true});
  bigFile = join(work, 'big.bin');
  writeFileSync(bigFile, randomBytes(BIG));
  bigSum = sha256(bigFile);
});

afterAll(async () => {
  await server?.stop();
  if (work) rmSync(work, {recursive: true, force: true});
  if (account) dropTestAccount(account);
});

const CONFIGS: [string, string[]][] = [
  ['SMB2_02', ['-m', 'SMB2_02']],
  ['SMB2_10', ['-m', 'SMB2_10']],
  ['SMB3_00', ['-m', 'SMB3_00']],
  ['SMB3_02', ['-m', 'SMB3_02']],
  ['SMB3_11', ['-m', 'SMB3_11']],
  ['SMB3_11 signed', ['-m', 'SMB3_11', '--option=client signing=required']],
  ...['AES-128-GCM', 'AES-256-GCM', 'AES-128-CCM', 'AES-256-CCM'].map(
    (c): [string, string[]] => [`SMB3_11 encrypted ${c}`, ['-m', 'SMB3_11', '--option=client smb encrypt=required', `--option=client smb3 encryption algorithms=${c}`]],
  ),
];

describe('acceptance 1: the smbclient script on every dialect, signed and encrypted', () => {
  it.concurrent.each(CONFIGS.map(([name, args], i) => ({name, args, i})))('$name', async ({args, i}) => {
    const d = `run${i}`;
    const local = join(work, `small${i}.txt`);
    writeFileSync(local, `hello from run ${i}\n`);
    const back = join(work, `back${i}.bin`);
    const script = [
      `mkdir ${d}`,
      `cd ${d}`,
      `put ${local} small.txt`,
      `put ${bigFile} big.bin`,
      'ls',
      `get big.bin ${back}`,
      'mkdir sub',
      'rename small.txt sub\\moved.txt',
      'ls sub\\*',
      'allinfo sub\\moved.txt',
      'setmode sub\\moved.txt +r',
      'allinfo sub\\moved.txt',
      'setmode sub\\moved.txt -r',
      'del sub\\moved.txt',
      'rmdir sub',
      'del big.bin',
      'ls',
      'cd ..',
      `rmdir ${d}`,
    ].join('; ');
    const r = await smbclient(args, script);
    expect(r.code, r.out).toBe(0);
    expect(r.out).not.toMatch(/NT_STATUS_/);
    expect(r.out).toMatch(/^\s+big\.bin\s+A\s+67108864 /m);
    expect(r.out).toMatch(/^\s+moved\.txt\s+A\s+\d+ /m);
    expect(r.out).toMatch(/attributes: RA \(21\)/);
    expect(r.out).toMatch(/attributes: A \(20\)/);
    expect(r.out).toContain('stream: [::$DATA]');
    expect(sha256(back)).toBe(bigSum);
    expect(() => statSync(join(server.sharePath('share'), d))).toThrow();
  }, 300_000);

  it('impacket SMBConnection: putFile, getFile, listPath, createDirectory, rename, deleteFile', async () => {
    const py = `
import io, sys
from impacket.smbconnection import SMBConnection
c = SMBConnection('127.0.0.1', '127.0.0.1', sess_port=int(sys.argv[1]))
c.login(sys.argv[2], sys.argv[3])
c.createDirectory('share', 'imp')
data = b'impacket round trip ' * 5000
c.putFile('share', 'imp\\\\a.bin', io.BytesIO(data).read)
c.rename('share', 'imp\\\\a.bin', 'imp\\\\b.bin')
names = sorted(f.get_longname() for f in c.listPath('share', 'imp\\\\*'))
print('NAMES', ','.join(names))
out = io.BytesIO()
c.getFile('share', 'imp\\\\b.bin', out.write)
print('SAME', out.getvalue() == data)
c.deleteFile('share', 'imp\\\\b.bin')
c.deleteDirectory('share', 'imp')
print('DONE')
`;
    const r = await run('/usr/bin/python3', ['-c', py, String(server.port), USER, PASS], 60_000);
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('NAMES .,..,b.bin');
    expect(r.out).toContain('SAME True');
    expect(r.out).toContain('DONE');
  }, 60_000);
});

describe('acceptance 2: identity and containment', () => {
  it('a file the client creates belongs to the user\'s Unix account, the create mask applied', async () => {
    const local = join(work, 'owned.txt');
    writeFileSync(local, 'mine\n');
    const r = await smbclient(['-m', 'SMB3_11'], `put ${local} owned.txt; mkdir owned-dir`);
    expect(r.code, r.out).toBe(0);
    const f = statSync(join(server.sharePath('share'), 'owned.txt'));
    expect([f.uid, f.gid]).toEqual([account.uid, account.gid]);
    expect(f.mode & 0o777).toBe(0o644); // 0666 & create mask 0744
    const d = statSync(join(server.sharePath('share'), 'owned-dir'));
    expect([d.uid, d.gid]).toEqual([account.uid, account.gid]);
    expect(d.mode & 0o777).toBe(0o755);
  });

  it('a file that account cannot read gets NT_STATUS_ACCESS_DENIED', async () => {
    const p = join(server.sharePath('share'), 'root-only.txt');
    writeFileSync(p, 'secret\n');
    chownSync(p, 0, 0);
    chmodSync(p, 0o600);
    const r = await smbclient(['-m', 'SMB3_11'], `get root-only.txt ${join(work, 'stolen.txt')}`);
    expect(r.out).toContain('NT_STATUS_ACCESS_DENIED');
    // Readable by the account: the same file is served once the mode allows it.
    chmodSync(p, 0o644);
    const ok = await smbclient(['-m', 'SMB3_11'], `get root-only.txt ${join(work, 'allowed.txt')}`);
    expect(ok.code, ok.out).toBe(0);
    expect(readFileSync(join(work, 'allowed.txt'), 'utf8')).toBe('secret\n');
  });

  it('a symlink pointing out of the share cannot be read through it', async () => {
    const outside = join(work, 'outside.txt');
    writeFileSync(outside, 'outside the share\n');
    chmodSync(outside, 0o644);
    symlinkSync(outside, join(server.sharePath('share'), 'escape'));
    symlinkSync(work, join(server.sharePath('share'), 'escape-dir'));
    const target = join(work, 'escaped.txt');
    const r = await smbclient(['-m', 'SMB3_11'], `get escape ${target}; get escape-dir\\outside.txt ${target}`);
    expect(r.out).toMatch(/NT_STATUS_ACCESS_DENIED|NT_STATUS_OBJECT_NAME_NOT_FOUND|NT_STATUS_OBJECT_PATH_NOT_FOUND/);
    expect(r.out).not.toContain('getting file');
    expect(() => statSync(target)).toThrow();
  });

  it('`..` and absolute paths are refused with the status Windows gives', async () => {
    const c = await politeSession({
      name: 'ours', host: '127.0.0.1', port: server.port, user: USER, password: PASS, share: 'share',
      sharePath: server.sharePath('share'), alive: () => server.alive(), log: () => server.log(), stop: async () => undefined,
    });
    try {
      expect((await create(c, '..\\etc\\passwd')).msg.status).toBe(NtStatus.OBJECT_PATH_SYNTAX_BAD);
      expect((await create(c, 'a\\..\\..\\etc\\passwd')).msg.status).toBe(NtStatus.OBJECT_PATH_SYNTAX_BAD);
      expect((await create(c, '\\etc\\passwd')).msg.status).toBe(NtStatus.INVALID_PARAMETER);
      expect((await create(c, 'bad*name')).msg.status).toBe(NtStatus.OBJECT_NAME_INVALID);
      expect((await create(c, 'escape')).msg.status).toBe(NtStatus.ACCESS_DENIED);
    } finally {
      await (c as RawClient).close();
    }
  });
});

describe('acceptance 4: large directories', () => {
  it('a directory of 10,000 files lists completely, in pages', async () => {
    const dir = join(server.sharePath('many'), 'big');
    mkdirSync(dir);
    const names = new Set<string>();
    for (let i = 0; i < 10_000; i++) {
      const n = `file-${String(i).padStart(5, '0')}.dat`;
      writeFileSync(join(dir, n), '');
      names.add(n);
    }
    const r = await smbclient(['-m', 'SMB3_11'], 'ls big\\*', 'many');
    expect(r.code, r.out.slice(-2000)).toBe(0);
    const listed = [...r.out.matchAll(/^\s+(file-\d{5}\.dat)\s+A\s+0 /gm)].map((m) => m[1]!);
    expect(listed.length).toBe(10_000);
    expect(new Set(listed)).toEqual(names);
  }, 120_000);
});

it('the server is still running and logged no unexpected failure', () => {
  expect(server.alive()).toBe(true);
  expect(server.log()).not.toMatch(/failed unexpectedly|unexpected failure/);
});
