// Listings and name lookups against the real daemon, with raw SMB2 requests:
// - QUERY_DIRECTORY reads the DOS attributes of a page's entries in one addon request (meta.ts dirEntryMetas):
//   every entry must still show exactly what its own open shows (attributes, the stored creation time, times,
//   sizes, file id), over many pages and batches, including entries whose attributes cannot be read;
//   an entry removed after the listing started is left out of its page, as before; pages of an
//   OutputBufferLength that is not a multiple of 8 fill up like any other.
// - Case-insensitive lookup caches a directory's names (share-fs.ts) and adds the names CREATE makes
//   itself: a name another process creates, renames or hides behind a restored mtime must still be found
//   ignoring case. (This relies on the kernel giving a directory a new timestamp on every change after a
//   stat, as Linux 6.13+ does with fine-grained timestamps on ext4, the file system these tests run on.)
import {chownSync, mkdirSync, readdirSync, renameSync, rmSync, statSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {Access, CreateAction, CreateDisposition, CreateOptions, FileAttributes, FileInfoClass, InfoType} from '../../src/smb2/constants.js';
import {decodeCreateResponse} from '../../src/smb2/messages/create.js';
import type {FileId} from '../../src/smb2/messages/common.js';
import {decodeQueryInfoResponse} from '../../src/smb2/messages/query-info.js';
import {NtStatus} from '../../src/smb2/ntstatus.js';
import {encodeDosAttrib} from '../../src/vfs/dos-attrib.js';
import * as ops from '../../src/vfs/identity-ops.js';
import {filetimeFromUnixNs} from '../../src/wire/filetime.js';
import {type RawClient} from '../helpers/raw-client.js';
import {bodyReader} from '../helpers/raw-outcome.js';
import {close, create, DIRECTORY, open, queryDirectory, queryInfo} from '../helpers/raw-ops.js';
import {startSmbServer, type SmbServer} from '../helpers/smb-server.js';
import {politeSession, type SmbTarget} from '../helpers/smb-target.js';
import {dropTestAccount, ensureTestAccount, type TestAccount} from '../helpers/test-account.js';

const USER = 'ksmbdlisting';
const PASS = 'Listing-pw1';
const A = FileAttributes;

let server: SmbServer;
let account: TestAccount;
let share: string;
let c: RawClient;
let id: ops.Identity;
let root: ops.RootHandle;

beforeAll(async () => {
  account = ensureTestAccount(USER);
  server = await startSmbServer({users: {[USER]: PASS}, shares: {test: {'read only': 'no'}}});
  share = server.sharePath('test');
  chownSync(share, account.uid, account.gid);
  const target: SmbTarget = {
    name: 'ours', host: '127.0.0.1', port: server.port, user: USER, password: PASS, share: 'test', sharePath: share,
    alive: () => server.alive(), log: () => server.log(), stop: () => server.stop(),
  };
  c = await politeSession(target);
  id = Object.freeze({uid: account.uid, gid: account.gid, groups: Object.freeze([account.gid])});
  root = await ops.openRoot(share);
});

afterAll(async () => {
  await c?.close();
  await root?.close();
  await server?.stop();
  if (account) dropTestAccount(account);
});

/** A file made on disk (not through SMB), belonging to the test account. */
function diskFile(rel: string, mode = 0o644): void {
  writeFileSync(join(share, rel), 'outside', {mode});
  chownSync(join(share, rel), account.uid, account.gid);
}

function diskDir(rel: string): void {
  mkdirSync(join(share, rel), {mode: 0o755});
  chownSync(join(share, rel), account.uid, account.gid);
}

interface Shown {
  creation: bigint; access: bigint; write: bigint; change: bigint; eof: bigint; alloc: bigint; attributes: number; fileId?: bigint;
}

/** Every entry of a FileIdBothDirectoryInformation buffer (MS-FSCC 2.4.17). */
function parseEntries(b: Buffer): Map<string, Shown> {
  const out = new Map<string, Shown>();
  for (let off = 0; ;) {
    const next = b.readUInt32LE(off);
    const nameLen = b.readUInt32LE(off + 60);
    out.set(b.subarray(off + 104, off + 104 + nameLen).toString('utf16le'), {
      creation: b.readBigUInt64LE(off + 8), access: b.readBigUInt64LE(off + 16), write: b.readBigUInt64LE(off + 24),
      change: b.readBigUInt64LE(off + 32), eof: b.readBigUInt64LE(off + 40), alloc: b.readBigUInt64LE(off + 48),
      attributes: b.readUInt32LE(off + 56), fileId: b.readBigUInt64LE(off + 96),
    });
    if (next === 0) return out;
    off += next;
  }
}

/** The whole listing of a directory, page by page, with pages of `pageBytes`. */
async function list(dir: string, pageBytes: number): Promise<{entries: Map<string, Shown>; pages: number}> {
  const fid = await open(c, dir, DIRECTORY);
  const entries = new Map<string, Shown>();
  let pages = 0;
  for (;;) {
    const q = await queryDirectory(c, fid, '*', {outputLength: pageBytes});
    if (q.msg.status === NtStatus.NO_MORE_FILES) break;
    expect(q.msg.status).toBe(NtStatus.SUCCESS);
    pages++;
    for (const [n, e] of parseEntries(q.entries!)) {
      expect(entries.has(n), `${n} listed twice`).toBe(false);
      entries.set(n, e);
    }
  }
  await close(c, fid);
  return {entries, pages};
}

/** What an open of the entry says: FileNetworkOpenInformation (2.4.29) and FileInternalInformation (2.4.20). */
async function openInfo(rel: string): Promise<Shown> {
  const fid = await open(c, rel, {
    desiredAccess: Access.FILE_READ_ATTRIBUTES, createDisposition: CreateDisposition.OPEN, createOptions: 0,
  });
  const q = async (cls: number) => {
    const m = await queryInfo(c, fid, InfoType.FILE, cls);
    expect(m.status).toBe(NtStatus.SUCCESS);
    return decodeQueryInfoResponse(bodyReader(m));
  };
  const n = await q(FileInfoClass.FileNetworkOpenInformation);
  const i = await q(FileInfoClass.FileInternalInformation);
  await close(c, fid);
  return {
    creation: n.readBigUInt64LE(0), access: n.readBigUInt64LE(8), write: n.readBigUInt64LE(16), change: n.readBigUInt64LE(24),
    alloc: n.readBigUInt64LE(32), eof: n.readBigUInt64LE(40), attributes: n.readUInt32LE(48), fileId: i.readBigUInt64LE(0),
  };
}

async function smbCreate(rel: string, o: {attributes?: number; dir?: boolean; disposition?: number} = {}): Promise<number> {
  const r = await create(c, rel, {
    fileAttributes: o.attributes ?? 0,
    createDisposition: o.disposition ?? CreateDisposition.CREATE,
    createOptions: o.dir ? CreateOptions.DIRECTORY_FILE : CreateOptions.NON_DIRECTORY_FILE,
  });
  if (r.fileId) await close(c, r.fileId as FileId);
  return r.msg.status;
}

const openExisting = (rel: string) => smbCreate(rel, {disposition: CreateDisposition.OPEN});

describe('QUERY_DIRECTORY reads a page\'s attributes in one request', () => {
  // Stored attributes in a cycle; 0 stores none of the settable bits (shown as NORMAL).
  const CYCLE = [A.ARCHIVE, A.HIDDEN, A.SYSTEM | A.ARCHIVE, A.READONLY, A.HIDDEN | A.SYSTEM, 0, A.TEMPORARY | A.ARCHIVE];
  const COUNT = 1500;
  const BASE_FT = filetimeFromUnixNs(1_500_000_000_000_000_000n);

  it('shows every entry as its own open does, over many pages and batches', async () => {
    diskDir('attrs');
    // Through SMB: attributes given at create.
    expect(await smbCreate('attrs\\hidden.txt', {attributes: A.HIDDEN})).toBe(NtStatus.SUCCESS);
    expect(await smbCreate('attrs\\system.txt', {attributes: A.SYSTEM})).toBe(NtStatus.SUCCESS);
    expect(await smbCreate('attrs\\ro.txt', {attributes: A.READONLY})).toBe(NtStatus.SUCCESS);
    expect(await smbCreate('attrs\\plain.txt')).toBe(NtStatus.SUCCESS);
    expect(await smbCreate('attrs\\sub', {attributes: A.HIDDEN, dir: true})).toBe(NtStatus.SUCCESS);
    // On disk: no stored attributes (from the mode), a dot file (hide dot files), and a stored HIDDEN the
    // account may not read any more (write-only file): its attributes then come from the mode.
    diskFile('attrs/disk.txt');
    diskFile('attrs/disk-ro.txt', 0o444);
    diskFile('attrs/.dotfile');
    expect(await smbCreate('attrs\\wo.txt', {attributes: A.HIDDEN})).toBe(NtStatus.SUCCESS);
    // Many entries with stored attributes and creation times of their own, set on disk as the account.
    for (let i = 0; i < COUNT; i++) {
      const n = `attrs/n-${String(i).padStart(4, '0')}`;
      diskFile(n);
      await ops.setxattr(root, n, 'user.DOSATTRIB', encodeDosAttrib(CYCLE[i % CYCLE.length]!, BASE_FT + BigInt(i) * 10_000_000n), id);
    }
    await ops.chmod(root, 'attrs/wo.txt', 0o200, id);

    const small = await list('attrs', 4096);
    const large = await list('attrs', 65536);
    expect(small.pages).toBeGreaterThan(40);
    expect(small.entries.size).toBe(COUNT + 11); // with . and ..
    expect([...large.entries.keys()].sort()).toEqual([...small.entries.keys()].sort());

    const a = (n: string) => small.entries.get(n)!.attributes;
    expect(a('hidden.txt')).toBe(A.HIDDEN | A.ARCHIVE);
    expect(a('system.txt')).toBe(A.SYSTEM | A.ARCHIVE);
    expect(a('ro.txt')).toBe(A.READONLY | A.ARCHIVE);
    expect(a('plain.txt')).toBe(A.ARCHIVE);
    expect(a('sub')).toBe(A.HIDDEN | A.DIRECTORY);
    expect(a('disk.txt')).toBe(A.ARCHIVE);
    expect(a('disk-ro.txt')).toBe(A.READONLY | A.ARCHIVE);
    expect(a('.dotfile')).toBe(A.HIDDEN | A.ARCHIVE);
    expect(a('wo.txt')).toBe(A.ARCHIVE);
    for (let i = 0; i < COUNT; i++) {
      const e = small.entries.get(`n-${String(i).padStart(4, '0')}`)!;
      expect(e.attributes, `n-${i}`).toBe(CYCLE[i % CYCLE.length]! || A.NORMAL);
      expect(e.creation, `n-${i}`).toBe(BASE_FT + BigInt(i) * 10_000_000n);
    }
    // Each entry as its own open shows it (every name for the few, every 13th of the many).
    for (const [n, e] of small.entries) {
      if (n === '.' || n === '..' || (n.startsWith('n-') && Number(n.slice(2)) % 13 !== 0)) continue;
      expect(e, n).toEqual(await openInfo(`attrs\\${n}`));
      expect(large.entries.get(n), n).toEqual(e);
    }
  }, 120_000);

  it('leaves out an entry removed after the listing started', async () => {
    diskDir('vanish');
    for (let i = 0; i < 200; i++) diskFile(`vanish/v-${String(i).padStart(3, '0')}`);
    const fid = await open(c, 'vanish', DIRECTORY);
    const first = await queryDirectory(c, fid, '*', {outputLength: 1024});
    expect(first.msg.status).toBe(NtStatus.SUCCESS);
    const shown = [...parseEntries(first.entries!).keys()];
    expect(shown.length).toBeGreaterThan(2);
    expect(shown.length).toBeLessThan(20);
    // Remove every other entry not shown yet; the rest of the listing shows exactly the others.
    const left = new Set<string>();
    for (let i = 0; i < 200; i++) {
      const n = `v-${String(i).padStart(3, '0')}`;
      if (shown.includes(n)) continue;
      if (i % 2) rmSync(join(share, 'vanish', n));
      else left.add(n);
    }
    const later = new Set<string>();
    for (;;) {
      const q = await queryDirectory(c, fid, '*', {outputLength: 1024});
      if (q.msg.status === NtStatus.NO_MORE_FILES) break;
      expect(q.msg.status).toBe(NtStatus.SUCCESS);
      for (const n of parseEntries(q.entries!).keys()) later.add(n);
    }
    await close(c, fid);
    expect(later).toEqual(left);
  });
});

describe('QUERY_DIRECTORY pages', () => {
  it('fills pages of any OutputBufferLength, a multiple of 8 or not, and shows every entry once', async () => {
    diskDir('odd');
    const names = new Set<string>(['.', '..']);
    // Names of one length: every entry but . and .. takes 114 bytes (FileIdBothDirectoryInformation), 120
    // with its alignment; a page of 354 to 359 bytes has room for three entries only without the last one's.
    for (let i = 0; i < 120; i++) {
      const n = `o-${String(i).padStart(3, '0')}`;
      diskFile(`odd/${n}`);
      names.add(n);
    }
    for (const pageBytes of [354, 357, 359, 475, 4095, 65533, 360]) {
      const fid = await open(c, 'odd', DIRECTORY);
      const seen = new Set<string>();
      for (;;) {
        const q = await queryDirectory(c, fid, '*', {outputLength: pageBytes});
        if (q.msg.status === NtStatus.NO_MORE_FILES) break;
        expect(q.msg.status, `${pageBytes}`).toBe(NtStatus.SUCCESS);
        expect(q.entries!.length).toBeLessThanOrEqual(pageBytes);
        for (const n of parseEntries(q.entries!).keys()) {
          expect(seen.has(n), `${n} listed twice`).toBe(false);
          seen.add(n);
        }
      }
      await close(c, fid);
      expect(seen, `${pageBytes}`).toEqual(names);
    }
  });
});

describe('case-insensitive names with the cached directory list', () => {
  it('finds names CREATE made and names made, renamed or hidden by another process', async () => {
    diskDir('ci');
    const onDisk = () => new Set(readdirSync(join(share, 'ci')));
    expect(await smbCreate('ci\\First.txt')).toBe(NtStatus.SUCCESS); // reads the (empty) directory
    expect(await smbCreate('ci\\Second.txt')).toBe(NtStatus.SUCCESS); // added to the cached list
    expect(await openExisting('ci\\SECOND.TXT')).toBe(NtStatus.SUCCESS);
    expect(await smbCreate('ci\\second.TXT')).toBe(NtStatus.OBJECT_NAME_COLLISION);
    expect(onDisk()).toEqual(new Set(['First.txt', 'Second.txt']));

    // Made by another process after our last create.
    diskFile('ci/Outside.Txt');
    expect(await openExisting('ci\\outside.TXT')).toBe(NtStatus.SUCCESS);
    expect(await smbCreate('ci\\OUTSIDE.txt')).toBe(NtStatus.OBJECT_NAME_COLLISION);
    // Right after one of ours.
    expect(await smbCreate('ci\\Third.txt')).toBe(NtStatus.SUCCESS);
    diskFile('ci/Fourth.TXT');
    expect(await openExisting('ci\\fourth.txt')).toBe(NtStatus.SUCCESS);
    expect(await openExisting('ci\\THIRD.TXT')).toBe(NtStatus.SUCCESS);
    // Renamed to another spelling: the old one must not be used.
    renameSync(join(share, 'ci', 'Outside.Txt'), join(share, 'ci', 'OutSide.txt'));
    expect(await openExisting('ci\\outside.txt')).toBe(NtStatus.SUCCESS);
    // Removed: not found any more, and a new create makes the name as asked.
    rmSync(join(share, 'ci', 'Fourth.TXT'));
    expect(await openExisting('ci\\fourth.txt')).toBe(NtStatus.OBJECT_NAME_NOT_FOUND);
    expect(await smbCreate('ci\\FOURTH.txt')).toBe(NtStatus.SUCCESS);
    expect(onDisk()).toEqual(new Set(['First.txt', 'Second.txt', 'Third.txt', 'OutSide.txt', 'FOURTH.txt']));

    // Made by another process just before a CREATE of another spelling (the cached list knows the
    // directory as it was one create earlier): that spelling is not created beside it.
    expect(await smbCreate('ci\\Fifth.txt')).toBe(NtStatus.SUCCESS);
    diskFile('ci/Late.txt');
    expect(await smbCreate('ci\\LATE.TXT')).toBe(NtStatus.OBJECT_NAME_COLLISION);
    expect(await smbCreate('ci\\Sixth.txt')).toBe(NtStatus.SUCCESS);
    diskFile('ci/Later.txt');
    const r = await create(c, 'ci\\LATER.TXT', {createDisposition: CreateDisposition.OPEN_IF, createOptions: CreateOptions.NON_DIRECTORY_FILE});
    expect(r.msg.status).toBe(NtStatus.SUCCESS);
    expect(decodeCreateResponse(bodyReader(r.msg)).createAction).toBe(CreateAction.OPENED);
    await close(c, r.fileId!);
    expect(onDisk()).toEqual(new Set(['First.txt', 'Second.txt', 'Third.txt', 'OutSide.txt', 'FOURTH.txt', 'Fifth.txt', 'Late.txt', 'Sixth.txt', 'Later.txt']));

    // Made while the directory's mtime is put back as it was: its ctime still tells.
    expect(await openExisting('ci\\first.TXT')).toBe(NtStatus.SUCCESS); // the cached list is current
    const before = await ops.stat(root, 'ci', id);
    diskFile('ci/Sneaky.txt');
    await ops.utimens(root, 'ci', 'omit', {sec: before.mtimeSec, nsec: before.mtimeNsec}, id);
    const after = await ops.stat(root, 'ci', id);
    expect([after.mtimeSec, after.mtimeNsec]).toEqual([before.mtimeSec, before.mtimeNsec]);
    expect(await openExisting('ci\\SNEAKY.TXT')).toBe(NtStatus.SUCCESS);

    // Directories on the way spelled differently from the disk: each one matched ignoring case.
    diskDir('ci/Deep');
    diskFile('ci/Deep/Inner.Txt');
    expect(await openExisting('CI\\deep\\INNER.txt')).toBe(NtStatus.SUCCESS);
    expect(await smbCreate('CI\\DEEP\\new.txt')).toBe(NtStatus.SUCCESS);
    expect(statSync(join(share, 'ci', 'Deep', 'new.txt')).isFile()).toBe(true);
  });
});

it('the server is still running and logged no unexpected failure', () => {
  expect(server.alive()).toBe(true);
  expect(server.log()).not.toMatch(/failed unexpectedly|unexpected failure/);
});
