// Named streams against the real daemon: smbclient addresses `file:stream`, allinfo lists the streams, the
// bytes sit on disk in `user.DosStream.<name>:$DATA` with Samba's trailing NUL (so Samba and ksmbd read
// them), a stream Samba wrote is served, a stream beyond one xattr value is STATUS_DISK_FULL, a share
// without `vfs objects = streams_xattr` serves none, and smbtorture's stream I/O and name tests pass.
import {runCommand} from '../helpers/cli.js';
import {spawnSync} from 'node:child_process';
import {chownSync, mkdirSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {startSmbServer, type SmbServer} from '../helpers/smb-server.js';
import {ensureUnixUser} from '../helpers/unix-user.js';

const USER = 'ksmbdstreams';
const PASS = 'Streams-pw1';
let server: SmbServer;
let work: string;

const run = (cmd: string, args: string[], timeoutMs = 120_000) => runCommand(cmd, args, timeoutMs);

function smbclient(share: string, command: string) {
  return run('smbclient', [`//127.0.0.1/${share}`, '-p', String(server.port), '-U', `${USER}%${PASS}`, '-c', command]);
}

/** xattrs of a file on disk, read by Python (the test runs as root; no attr tools needed). */
function xattrs(path: string): Record<string, string> {
  const py = 'import os,sys,json;p=sys.argv[1];print(json.dumps({n:os.getxattr(p,n).hex() for n in os.listxattr(p)}))';
  const r = spawnSync('python3', ['-c', py, path], {encoding: 'utf8'});
  if (r.status !== 0) throw new Error(r.stderr);
  return JSON.parse(r.stdout) as Record<string, string>;
}

function setXattr(path: string, name: string, value: Buffer): void {
  const r = spawnSync('python3', ['-c', 'import os,sys;os.setxattr(sys.argv[1],sys.argv[2],bytes.fromhex(sys.argv[3]))', path, name, value.toString('hex')]);
  if (r.status !== 0) throw new Error(String(r.stderr));
}

beforeAll(async () => {
  const account = ensureUnixUser(USER);
  server = await startSmbServer({
    users: {[USER]: PASS},
    shares: {streams: {'read only': 'no', 'vfs objects': 'streams_xattr'}, plain: {'read only': 'no'}, torture: {'read only': 'no', 'vfs objects': 'acl_xattr streams_xattr'}},
  });
  for (const s of ['streams', 'plain', 'torture']) chownSync(server.sharePath(s), account.uid, account.gid);
  work = join(tmpdir(), `ksmbd-streams-${process.pid}`);
  mkdirSync(work, {recursive: true});
  writeFileSync(join(work, 'base.txt'), 'base\n');
  writeFileSync(join(work, 'zone.txt'), '[ZoneTransfer]\r\nZoneId=3\r\n');
  writeFileSync(join(work, 'big.bin'), Buffer.alloc(70_000, 0x61));
});

afterAll(async () => {
  await server?.stop();
  if (work) rmSync(work, {recursive: true, force: true});
});

describe.concurrent('named streams (vfs objects = streams_xattr)', () => {
  it('smbclient puts, gets and lists a stream; it is stored the way Samba and ksmbd store it', async () => {
    const r = await smbclient('streams', `lcd ${work}; put base.txt f.txt; put zone.txt "f.txt:Zone.Identifier"; allinfo f.txt; get "f.txt:Zone.Identifier" -`);
    expect(r.out).toContain('stream: [::$DATA], 5 bytes');
    expect(r.out).toContain('stream: [:Zone.Identifier:$DATA], 26 bytes');
    expect(r.out).toContain('ZoneId=3');
    const x = xattrs(join(server.sharePath('streams'), 'f.txt'));
    expect(Buffer.from(x['user.DosStream.Zone.Identifier:$DATA']!, 'hex').toString()).toBe('[ZoneTransfer]\r\nZoneId=3\r\n\0');
  });

  it('creates the base file of a stream on a missing file and opens streams without regard to case', async () => {
    const r = await smbclient('streams', `lcd ${work}; put base.txt "new.txt:Meta"; allinfo new.txt; get "new.txt:META" -`);
    expect(r.out).toContain('stream: [::$DATA], 0 bytes');
    expect(r.out).toContain('stream: [:Meta:$DATA], 5 bytes');
    expect(r.out).toMatch(/^base$/m);
  });

  it('serves a stream Samba wrote (value with its trailing NUL)', async () => {
    const path = join(server.sharePath('streams'), 'samba.txt');
    writeFileSync(path, 'x');
    chownSync(path, ensureUnixUser(USER).uid, ensureUnixUser(USER).gid);
    setXattr(path, 'user.DosStream.from samba:$DATA', Buffer.from('written by smbd\0'));
    const r = await smbclient('streams', 'allinfo samba.txt; get "samba.txt:from samba" -');
    expect(r.out).toContain('stream: [:from samba:$DATA], 15 bytes');
    expect(r.out).toContain('written by smbd');
  });

  it('refuses a stream larger than one xattr value with STATUS_DISK_FULL', async () => {
    const r = await smbclient('streams', `lcd ${work}; put base.txt big.txt; put big.bin "big.txt:large"`);
    expect(r.out).toContain('NT_STATUS_DISK_FULL');
  });

  it('serves no named streams on a share without streams_xattr', async () => {
    const r = await smbclient('plain', `lcd ${work}; put base.txt p.txt; put zone.txt "p.txt:Zone.Identifier"; allinfo p.txt`);
    expect(r.out).toContain('NT_STATUS_OBJECT_NAME_NOT_FOUND');
    expect(r.out).not.toContain(':Zone.Identifier:$DATA');
  });

  it('passes smbtorture smb2.streams.io, names, names2, names3, sharemodes, zero-byte, attributes1 and create-disposition', async () => {
    const tests = ['io', 'names', 'names2', 'names3', 'sharemodes', 'zero-byte', 'attributes1', 'create-disposition'].map((t) => `smb2.streams.${t}`);
    const conf = join(work, 'client.conf');
    writeFileSync(conf, '[global]\n');
    for (const t of tests) {
      const r = await run('smbtorture', [`//127.0.0.1/torture`, '-p', String(server.port), '-U', `${USER}%${PASS}`, '-s', conf, t]);
      expect(r.out, t).toMatch(/^success: /m);
    }
  }, 180_000);
});
