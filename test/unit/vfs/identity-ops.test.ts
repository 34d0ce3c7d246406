// Identity-switched, share-contained file operations. Runs as root (like the daemon).
import {constants as C, chmodSync, chownSync, closeSync, mkdirSync, mkdtempSync, readFileSync, readdirSync,
  readSync, rmSync, statSync, symlinkSync, writeFileSync, writeSync} from 'node:fs';
import {execFileSync} from 'node:child_process';
import {readFile as readFileP} from 'node:fs/promises';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import * as ops from '../../../src/vfs/identity-ops.js';
import type {Identity, RootHandle} from '../../../src/vfs/identity-ops.js';
import {ensureAddon} from './native-addon.js';

/** dirXattrsRaw's answer as one value or error code per entry. */
async function dirXattrs(root: RootHandle, dirPath: string, entryNames: readonly string[], name: string, identity: Identity): Promise<(Buffer | string)[]> {
  const r = await ops.dirXattrsRaw(root, dirPath, entryNames, name, identity);
  return entryNames.map((_, i) => (r.len[i]! < 0 ? ops.errnoCode(-r.len[i]!) : r.buf.subarray(r.at[i]!, r.at[i]! + r.len[i]!)));
}

const nobody: Identity = Object.freeze({uid: 65534, gid: 65534, groups: Object.freeze([65534])});
const alice: Identity = {uid: 2001, gid: 2001, groups: [2001, 3000]};
const bob: Identity = {uid: 2002, gid: 2002, groups: [2002]};

let base: string;
let share: string;
let root: RootHandle;

function statusLines(file: string, fields = /^(Uid|Gid|Groups|CapEff):/): string {
  return readFileSync(file, 'utf8').split('\n').filter((l) => fields.test(l)).join('\n');
}

async function code(p: Promise<unknown>): Promise<string | undefined> {
  try {
    await p;
    return 'OK';
  } catch (e) {
    return (e as NodeJS.ErrnoException).code;
  }
}

let mainStatusBefore: string;

beforeAll(async () => {
  ensureAddon();
  mainStatusBefore = statusLines('/proc/self/status');
  base = mkdtempSync(join(tmpdir(), 'ksmbd-idops-'));
  chmodSync(base, 0o755);
  share = join(base, 'share');
  mkdirSync(share, {mode: 0o755});
  chmodSync(share, 0o777); // anyone may create at the top
  mkdirSync(join(share, 'nobody'), {mode: 0o755});
  chownSync(join(share, 'nobody'), 65534, 65534);
  writeFileSync(join(share, 'secret'), 'root only', {mode: 0o600});
  writeFileSync(join(share, 'group3000'), 'for group 3000', {mode: 0o640});
  chownSync(join(share, 'group3000'), 0, 3000);
  writeFileSync(join(base, 'outside'), 'outside the share');
  mkdirSync(join(share, 'sub'), {mode: 0o755});
  writeFileSync(join(share, 'sub', 'inner'), 'inner');
  symlinkSync('/etc/passwd', join(share, 'abs-out'));
  symlinkSync('../outside', join(share, 'rel-out'));
  symlinkSync(base, join(share, 'dir-out'));
  symlinkSync('sub/inner', join(share, 'in-link'));
  symlinkSync('sub', join(share, 'in-dir-link'));
  root = await ops.openRoot(share);
});

afterAll(async () => {
  await root?.close();
  if (base) rmSync(base, {recursive: true, force: true});
});

describe('identity', () => {
  it('creates files and directories owned by the identity, with the exact mode (thread umask 0)', async () => {
    const fd = await ops.open(root, 'nobody/created', C.O_CREAT | C.O_EXCL | C.O_WRONLY, 0o664, nobody);
    writeSync(fd, 'hello');
    closeSync(fd);
    const st = statSync(join(share, 'nobody', 'created'));
    expect([st.uid, st.gid, st.mode & 0o7777]).toEqual([65534, 65534, 0o664]);
    expect(readFileSync(join(share, 'nobody', 'created'), 'utf8')).toBe('hello');
    await ops.mkdir(root, 'nobody/dir', 0o775, nobody);
    const d = statSync(join(share, 'nobody', 'dir'));
    expect([d.uid, d.gid, d.mode & 0o7777]).toEqual([65534, 65534, 0o775]);
  });

  it('refuses what the Unix account may not do', async () => {
    const e = await ops.open(root, 'secret', C.O_RDONLY, 0, nobody).catch((x: NodeJS.ErrnoException) => x);
    expect(e).toBeInstanceOf(Error);
    expect((e as NodeJS.ErrnoException).code).toBe('EACCES');
    expect((e as NodeJS.ErrnoException).errno).toBe(-C_ERRNO.EACCES);
    expect((e as NodeJS.ErrnoException).syscall).toBe('openat2');
    expect((e as NodeJS.ErrnoException).path).toBe('secret');
    expect(await code(ops.mkdir(root, 'nobody/x', 0o755, alice))).toBe('EACCES');
    expect(await code(ops.unlink(root, 'secret', nobody))).toBe('OK'); // the top is 0777, not sticky
    writeFileSync(join(share, 'secret'), 'root only', {mode: 0o600});
    expect(await code(ops.chmod(root, 'secret', 0o666, nobody))).toBe('EPERM');
    expect(await code(ops.chown(root, 'nobody/created', 2001, -1, nobody))).toBe('EPERM');
    expect(await code(ops.utimens(root, 'secret', 'now', 'now', nobody))).toBe('EACCES');
    expect(await code(ops.truncate(root, 'secret', 0, nobody))).toBe('EACCES');
    expect(readFileSync(join(share, 'secret'), 'utf8')).toBe('root only');
  });

  it('uses the supplementary groups', async () => {
    const fd = await ops.open(root, 'group3000', C.O_RDONLY, 0, alice); // 3000 is a supplementary group
    const buf = Buffer.alloc(64);
    expect(buf.toString('utf8', 0, readSync(fd, buf))).toBe('for group 3000');
    closeSync(fd);
    expect(await code(ops.open(root, 'group3000', C.O_RDONLY, 0, bob))).toBe('EACCES');
    expect(await code(ops.open(root, 'group3000', C.O_RDONLY, 0, {...alice, groups: [2001]}))).toBe('EACCES');
  });

  it('never acts as root', async () => {
    const rootId = {uid: 0, gid: 0, groups: []};
    expect(await code(ops.stat(root, 'secret', rootId))).toBe('EPERM');
    expect(await code(ops.open(root, 'secret', C.O_RDONLY, 0, rootId))).toBe('EPERM');
    expect(await code(ops.stat(root, 'secret', {uid: 2001.5, gid: 1, groups: []}))).toBe('EINVAL');
    expect(await code(ops.stat(root, 'secret', {uid: 2001, gid: 1, groups: new Array(300).fill(1)}))).toBe('EINVAL');
  });

  it('switches fsuid, fsgid, groups and keeps only CAP_SETUID|CAP_SETGID on the worker while switched', async () => {
    const p = await ops.probeCredentials(alice);
    expect(p).toEqual({fsuid: 2001, fsgid: 2001, groups: [2001, 3000], capEffective: (1n << 6n) | (1n << 7n)});
    expect(process.getuid!()).toBe(0);
    expect(process.geteuid!()).toBe(0);
  });
});

describe('containment', () => {
  it('refuses `..` and absolute paths with EXDEV', async () => {
    for (const p of ['..', '../outside', 'sub/../../outside', '/etc/passwd', '/']) {
      expect(await code(ops.stat(root, p, nobody)), p).toBe('EXDEV');
      expect(await code(ops.open(root, p, C.O_RDONLY, 0, nobody)), p).toBe('EXDEV');
    }
    expect(await code(ops.mkdir(root, '../evil', 0o777, alice))).toBe('EXDEV');
    expect(await code(ops.mkdir(root, '/tmp/evil', 0o777, alice))).toBe('EXDEV');
    expect(await code(ops.unlink(root, '../outside', alice))).toBe('EXDEV');
    expect(await code(ops.rmdir(root, 'sub/..', alice))).toBe('EXDEV');
    expect(await code(ops.rename(root, 'sub/inner', '../stolen', alice))).toBe('EXDEV');
    expect(await code(ops.link(root, '../outside', 'hard', alice))).toBe('EXDEV');
    expect(await code(ops.open(root, '../created', C.O_CREAT | C.O_WRONLY, 0o666, alice))).toBe('EXDEV');
    // `..` that stays inside is the kernel's ordinary resolution
    expect((await ops.stat(root, 'sub/../sub/inner', nobody)).size).toBe(5);
    expect(readdirSync(base).sort()).toEqual(['outside', 'share']);
  });

  it('refuses symlinks unless followSymlinks, and never follows one out of the root', async () => {
    for (const p of ['abs-out', 'rel-out', 'dir-out/outside', 'in-link', 'in-dir-link/inner']) {
      expect(await code(ops.open(root, p, C.O_RDONLY, 0, nobody)), p).toBe('ELOOP');
    }
    const follow = {followSymlinks: true};
    for (const p of ['abs-out', 'rel-out', 'dir-out/outside', 'dir-out/share/secret']) {
      expect(await code(ops.open(root, p, C.O_RDONLY, 0, nobody, follow)), p).toBe('EXDEV');
      expect(await code(ops.stat(root, p, nobody, follow)), p).toBe('EXDEV');
      expect(await code(ops.getxattr(root, p, 'user.x', nobody, follow)), p).toBe('EXDEV');
    }
    // creating through a dangling-out symlink is refused too
    expect(await code(ops.open(root, 'abs-out', C.O_CREAT | C.O_WRONLY, 0o666, alice, follow))).toBe('EXDEV');
    const fd = await ops.open(root, 'in-link', C.O_RDONLY, 0, nobody, follow);
    const buf = Buffer.alloc(16);
    expect(buf.toString('utf8', 0, readSync(fd, buf))).toBe('inner');
    closeSync(fd);
    expect((await ops.stat(root, 'in-dir-link/inner', nobody, follow)).size).toBe(5);
    // a root opened with followSymlinks uses it by default; a call can still say no
    const froot = await ops.openRoot(share, {followSymlinks: true});
    expect((await ops.stat(froot, 'in-link', nobody)).size).toBe(5);
    expect(await code(ops.stat(froot, 'in-link', nobody, {followSymlinks: false}))).toBe('ELOOP');
    await froot.close();
    expect(await code(ops.stat(froot, 'in-link', nobody))).toBe('EBADF');
  });

  it('lstat and readlink see a symlink itself (even without followSymlinks)', async () => {
    const st = await ops.lstat(root, 'abs-out', nobody);
    expect(st.isSymbolicLink()).toBe(true);
    expect(await ops.readlink(root, 'abs-out', nobody)).toBe('/etc/passwd');
    expect(await code(ops.lstat(root, 'dir-out/outside', nobody))).toBe('ELOOP');
  });

  it('refuses NUL in a path', async () => {
    expect(await code(ops.stat(root, 'sub\0/../../x', nobody))).toBe('EINVAL');
  });
});

describe('operations', () => {
  it('openStat opens and stats in one request', async () => {
    const {fd, stat: st} = await ops.openStat(root, 'nobody/os', C.O_CREAT | C.O_RDWR, 0o600, nobody);
    expect([st.uid, st.size, st.mode & 0o7777, st.isFile()]).toEqual([65534, 0, 0o600, true]);
    expect(st.ino).toBe(statSync(join(share, 'nobody', 'os'), {bigint: true}).ino);
    closeSync(fd);
    expect(await code(ops.openStat(root, 'secret', C.O_RDONLY, 0, nobody))).toBe('EACCES');
  });

  it('stat carries identity, sizes, inode and birth time', async () => {
    const st = await ops.stat(root, 'nobody/created', nobody);
    const ns = statSync(join(share, 'nobody', 'created'), {bigint: true});
    expect(st.isFile()).toBe(true);
    expect(st.ino).toBe(ns.ino);
    expect([st.uid, st.gid, st.size, st.nlink]).toEqual([65534, 65534, 5, 1]);
    expect(st.mtimeSec).toBe(Number(ns.mtimeNs / 1_000_000_000n));
    expect(st.birthtimeSec).not.toBeNull(); // ext4 keeps it
    expect(BigInt(st.birthtimeSec!) * 1_000_000_000n + BigInt(st.birthtimeNsec!)).toBe(ns.birthtimeNs);
  });

  it('rename with and without replace, link, symlink, unlink, rmdir', async () => {
    const id = nobody;
    await ops.mkdir(root, 'nobody/r', 0o755, id);
    for (const n of ['a', 'b']) closeSync(await ops.open(root, `nobody/r/${n}`, C.O_CREAT | C.O_WRONLY, 0o644, id));
    expect(await code(ops.rename(root, 'nobody/r/a', 'nobody/r/b', id, {noReplace: true}))).toBe('EEXIST');
    await ops.rename(root, 'nobody/r/a', 'nobody/r/c', id, {noReplace: true});
    await ops.rename(root, 'nobody/r/c', 'nobody/r/b', id);
    expect(readdirSync(join(share, 'nobody', 'r'))).toEqual(['b']);
    await ops.link(root, 'nobody/r/b', 'nobody/r/hard', id);
    expect((await ops.stat(root, 'nobody/r/b', id)).nlink).toBe(2);
    await ops.symlink(root, 'b', 'nobody/r/sym', id);
    expect(await ops.readlink(root, 'nobody/r/sym', id)).toBe('b');
    expect((await ops.lstat(root, 'nobody/r/sym', id)).uid).toBe(65534);
    expect(await code(ops.rmdir(root, 'nobody/r', id))).toBe('ENOTEMPTY');
    for (const n of ['b', 'hard', 'sym']) await ops.unlink(root, `nobody/r/${n}`, id);
    await ops.rmdir(root, 'nobody/r', id);
    expect(await code(ops.stat(root, 'nobody/r', id))).toBe('ENOENT');
    expect(await code(ops.rmdir(root, '.', id))).toBe('EINVAL');
  });

  it('readdir returns names, types and optional stats; readdirFd pages', async () => {
    await ops.mkdir(root, 'nobody/list', 0o755, nobody);
    for (let i = 0; i < 150; i++) {
      closeSync(await ops.open(root, `nobody/list/f${i}`, C.O_CREAT | C.O_WRONLY, 0o644, nobody));
    }
    await ops.mkdir(root, 'nobody/list/d', 0o755, nobody);
    const all = await ops.readdir(root, 'nobody/list', nobody, {withStat: true});
    expect(all.length).toBe(151);
    expect(all.find((e) => e.name === 'd')!.type).toBe(ops.DT.DIR);
    expect(all.find((e) => e.name === 'f7')!.type).toBe(ops.DT.REG);
    expect(all.every((e) => e.stat && e.stat.uid === 65534)).toBe(true);
    const plain = await ops.readdir(root, 'nobody/list', nobody);
    expect(plain[0]!.stat).toBeUndefined();

    const dfd = await ops.open(root, 'nobody/list', C.O_RDONLY | C.O_DIRECTORY, 0, nobody);
    const seen: string[] = [];
    let eof = false;
    while (!eof) {
      const page = await ops.readdirFd(dfd, nobody, {max: 40});
      expect(page.entries.length).toBeLessThanOrEqual(40);
      seen.push(...page.entries.map((e) => e.name));
      eof = page.eof;
    }
    expect(seen.sort()).toEqual(all.map((e) => e.name).sort());
    const again = await ops.readdirFd(dfd, nobody, {max: 5, rewind: true, withStat: true});
    expect(again.entries.length).toBe(5);
    expect(again.entries[0]!.stat).not.toBeNull();
    closeSync(dfd);
    expect(await code(ops.readdir(root, 'secret', nobody))).toBe('ENOTDIR');
  });

  it('xattrs: user.* only, get/set/list/remove by path and fd', async () => {
    const p = 'nobody/created';
    await ops.setxattr(root, p, 'user.DOSATTRIB', Buffer.from([1, 2, 3]), nobody);
    expect([...await ops.getxattr(root, p, 'user.DOSATTRIB', nobody)]).toEqual([1, 2, 3]);
    expect(await code(ops.setxattr(root, p, 'user.DOSATTRIB', Buffer.from('x'), nobody, {create: true}))).toBe('EEXIST');
    expect(await code(ops.setxattr(root, p, 'trusted.x', Buffer.from('x'), nobody))).toBe('EPERM');
    expect(await code(ops.getxattr(root, p, 'security.selinux', nobody))).toBe('EPERM');
    const big = Buffer.alloc(3000, 7);
    const fd = await ops.open(root, p, C.O_RDONLY, 0, nobody);
    await ops.fsetxattr(fd, 'user.big', big, nobody);
    expect((await ops.fgetxattr(fd, 'user.big', nobody)).equals(big)).toBe(true);
    expect((await ops.flistxattr(fd, nobody)).sort()).toEqual(['user.DOSATTRIB', 'user.big']);
    await ops.fremovexattr(fd, 'user.big', nobody);
    closeSync(fd);
    expect(await ops.listxattr(root, p, nobody)).toEqual(['user.DOSATTRIB']);
    await ops.removexattr(root, p, 'user.DOSATTRIB', nobody);
    expect(await code(ops.getxattr(root, p, 'user.DOSATTRIB', nobody))).toBe('ENODATA');
    // another user cannot write them (no write permission on the file)
    expect(await code(ops.setxattr(root, p, 'user.x', Buffer.from('x'), alice))).toBe('EACCES');
    // a directory through its O_PATH fd
    await ops.setxattr(root, 'nobody', 'user.dir', Buffer.from('d'), nobody);
    expect((await ops.getxattr(root, 'nobody', 'user.dir', nobody)).toString()).toBe('d');
  });

  it('createStat creates beneath the root and stats the parent just before and after', async () => {
    await ops.mkdir(root, 'nobody/cs', 0o755, nobody);
    const before = await ops.stat(root, 'nobody/cs', nobody);
    const r = await ops.createStat(root, 'nobody/cs/new', C.O_CREAT | C.O_EXCL | C.O_RDWR, 0o640, nobody);
    closeSync(r.fd);
    const after = statSync(join(share, 'nobody', 'cs'), {bigint: true});
    expect([r.stat.isFile(), r.stat.uid, r.stat.mode & 0o7777]).toEqual([true, 65534, 0o640]);
    expect(r.stat.ino).toBe(statSync(join(share, 'nobody', 'cs', 'new'), {bigint: true}).ino);
    expect([r.parentBefore!.mtimeSec, r.parentBefore!.mtimeNsec]).toEqual([before.mtimeSec, before.mtimeNsec]);
    expect(BigInt(r.parentAfter!.mtimeSec) * 1_000_000_000n + BigInt(r.parentAfter!.mtimeNsec)).toBe(after.mtimeNs);
    expect(r.parentAfter!.ino).toBe(after.ino);
    // The same errors as a plain open: existing name, missing or unreachable parent, `..`, without O_EXCL.
    expect(await code(ops.createStat(root, 'nobody/cs/new', C.O_CREAT | C.O_EXCL | C.O_RDWR, 0o640, nobody))).toBe('EEXIST');
    expect(await code(ops.createStat(root, 'nobody/none/x', C.O_CREAT | C.O_EXCL | C.O_RDWR, 0o640, nobody))).toBe('ENOENT');
    expect(await code(ops.createStat(root, 'nobody/cs/x', C.O_CREAT | C.O_EXCL | C.O_RDWR, 0o640, alice))).toBe('EACCES');
    expect(await code(ops.createStat(root, '../x', C.O_CREAT | C.O_EXCL | C.O_RDWR, 0o640, nobody))).toBe('EXDEV');
    expect(await code(ops.createStat(root, 'dir-out/x', C.O_CREAT | C.O_EXCL | C.O_RDWR, 0o640, nobody))).toBe('ELOOP');
    expect(await code(ops.createStat(root, 'nobody/cs/y', C.O_CREAT | C.O_RDWR, 0o640, nobody))).toBe('EINVAL');
    // createStatIf creates only while the parent is still the one described (inode, mtime, ctime).
    const p = await ops.stat(root, 'nobody/cs', nobody);
    const key = {ino: p.ino, mtimeSec: p.mtimeSec, mtimeNsec: p.mtimeNsec, ctimeSec: p.ctimeSec, ctimeNsec: p.ctimeNsec};
    for (const stale of [{...key, mtimeNsec: (key.mtimeNsec + 1) % 1e9}, {...key, ctimeSec: key.ctimeSec - 1}, {...key, ino: key.ino + 1n}]) {
      expect(await ops.createStatIf(root, 'nobody/cs/z', C.O_CREAT | C.O_EXCL | C.O_RDWR, 0o640, nobody, stale)).toBeNull();
    }
    expect(readdirSync(join(share, 'nobody', 'cs')).sort()).toEqual(['new']);
    const z = await ops.createStatIf(root, 'nobody/cs/z', C.O_CREAT | C.O_EXCL | C.O_RDWR, 0o640, nobody, key);
    closeSync(z!.fd);
    expect(z!.stat.ino).toBe(statSync(join(share, 'nobody', 'cs', 'z'), {bigint: true}).ino);
    expect(await ops.createStatIf(root, 'nobody/cs/w', C.O_CREAT | C.O_EXCL | C.O_RDWR, 0o640, nobody, key)).toBeNull();
  });

  it('statOrParent: the stat, or for a missing name its parent\'s; other errors as stat', async () => {
    const found = await ops.statOrParent(root, 'sub/inner', 'sub', nobody, {noFollow: true});
    expect(found.stat!.ino).toBe(statSync(join(share, 'sub', 'inner'), {bigint: true}).ino);
    expect(found.parent).toBeNull();
    const missing = await ops.statOrParent(root, 'sub/none', 'sub', nobody, {noFollow: true});
    expect(missing.stat).toBeNull();
    expect(missing.parent!.ino).toBe(statSync(join(share, 'sub'), {bigint: true}).ino);
    expect(missing.parent!.isDirectory()).toBe(true);
    const noParent = await ops.statOrParent(root, 'none/none', 'none', nobody, {noFollow: true});
    expect([noParent.stat, noParent.parent]).toEqual([null, null]);
    // A symlinked parent is reported as the link itself (not followed), so the caller walks instead.
    const viaLink = await ops.statOrParent(root, 'in-dir-link', '', nobody, {noFollow: true});
    expect(viaLink.stat!.isSymbolicLink()).toBe(true);
    expect(await code(ops.statOrParent(root, 'secret/x', 'secret', nobody, {noFollow: true}))).toBe('ENOTDIR');
    expect(await code(ops.statOrParent(root, 'in-dir-link/inner', 'in-dir-link', nobody, {noFollow: true}))).toBe('ELOOP');
    expect(await code(ops.statOrParent(root, '../outside', '..', nobody, {noFollow: true}))).toBe('EXDEV');
  });

  it('fsetxattrStat sets and returns the stat after the change', async () => {
    const fd = await ops.open(root, 'nobody/created', C.O_RDONLY, 0, nobody);
    const st = await ops.fsetxattrStat(fd, 'user.t', Buffer.from('v'), nobody);
    const now = statSync(join(share, 'nobody', 'created'), {bigint: true});
    expect(BigInt(st.ctimeSec) * 1_000_000_000n + BigInt(st.ctimeNsec)).toBe(now.ctimeNs);
    expect((await ops.fgetxattr(fd, 'user.t', nobody)).toString()).toBe('v');
    expect(await code(ops.fsetxattrStat(fd, 'trusted.t', Buffer.from('v'), nobody))).toBe('EPERM');
    await ops.fremovexattr(fd, 'user.t', nobody);
    closeSync(fd);
  });

  it('dirXattrs reads one xattr of many entries in one request, each with its own outcome', async () => {
    await ops.mkdir(root, 'nobody/dx', 0o755, nobody);
    const names: string[] = [];
    for (let i = 0; i < 300; i++) {
      const n = `e${i}`;
      names.push(n);
      const fd = await ops.open(root, `nobody/dx/${n}`, C.O_CREAT | C.O_WRONLY, 0o644, nobody);
      if (i % 3 !== 0) await ops.fsetxattr(fd, 'user.DOSATTRIB', Buffer.alloc(i % 7 === 0 ? 4000 : i, i & 0xff), nobody);
      closeSync(fd);
    }
    await ops.mkdir(root, 'nobody/dx/d', 0o755, nobody);
    await ops.setxattr(root, 'nobody/dx/d', 'user.DOSATTRIB', Buffer.from('dir'), nobody);
    await ops.symlink(root, 'e1', 'nobody/dx/link', nobody);
    writeFileSync(join(share, 'nobody', 'dx', 'private'), 'x', {mode: 0o600}); // alice's: not readable by nobody
    chownSync(join(share, 'nobody', 'dx', 'private'), alice.uid, alice.gid);
    await ops.setxattr(root, 'nobody/dx/private', 'user.DOSATTRIB', Buffer.from('secret'), alice);
    const ask = [...names, 'd', 'link', 'private', 'gone', '', '.', '..', 'd/../e1', 'é-none'];
    const got = await dirXattrs(root, 'nobody/dx', ask, 'user.DOSATTRIB', nobody);
    expect(got.length).toBe(ask.length);
    for (let i = 0; i < 300; i++) {
      const v = got[i]!;
      if (i % 3 === 0) expect(v).toBe('ENODATA');
      else expect(Buffer.isBuffer(v) && v.equals(Buffer.alloc(i % 7 === 0 ? 4000 : i, i & 0xff))).toBe(true);
    }
    expect((got[300] as Buffer).toString()).toBe('dir');
    expect(got.slice(301)).toEqual(['ENODATA', 'EACCES', 'ENOENT', 'EINVAL', 'EINVAL', 'EINVAL', 'EINVAL', 'ENOENT']);
    // The directory itself is resolved like any path: beneath the root, with the identity's permissions.
    expect(await code(dirXattrs(root, '../', ['x'], 'user.DOSATTRIB', nobody))).toBe('EXDEV');
    expect(await code(dirXattrs(root, 'secret', ['x'], 'user.DOSATTRIB', nobody))).toBe('ENOTDIR');
    expect(await code(dirXattrs(root, 'nobody/dx', ['e1'], 'trusted.x', nobody))).toBe('EPERM');
  });

  it('chmod, chown, utimens, truncate and their fd forms', async () => {
    const p = 'nobody/meta';
    const fd = await ops.open(root, p, C.O_CREAT | C.O_RDWR, 0o600, nobody);
    writeSync(fd, '0123456789');
    await ops.chmod(root, p, 0o640, nobody);
    expect(statSync(join(share, p)).mode & 0o7777).toBe(0o640);
    await ops.fchmod(fd, 0o604, nobody);
    expect(statSync(join(share, p)).mode & 0o7777).toBe(0o604);
    expect(await code(ops.fchmod(fd, 0o777, alice))).toBe('EPERM');
    await ops.chown(root, p, -1, 65534, nobody); // to its own group: allowed
    expect(await code(ops.fchown(fd, 2001, -1, nobody))).toBe('EPERM');
    expect(await code(ops.chown(root, p, -1, 3000, nobody))).toBe('EPERM'); // not a member
    await ops.utimens(root, p, {sec: 1_000_000_000, nsec: 5}, {sec: 1_100_000_000, nsec: 700}, nobody);
    let st = await ops.fstat(fd, nobody);
    expect([st.atimeSec, st.atimeNsec, st.mtimeSec, st.mtimeNsec]).toEqual([1_000_000_000, 5, 1_100_000_000, 700]);
    await ops.futimens(fd, 'omit', {sec: 1_200_000_000, nsec: 0}, nobody);
    st = await ops.fstat(fd, nobody);
    expect([st.atimeSec, st.mtimeSec]).toEqual([1_000_000_000, 1_200_000_000]);
    expect(await code(ops.futimens(fd, {sec: 1, nsec: 0}, 'omit', alice))).toBe('EPERM'); // explicit times: owner only
    expect(await code(ops.futimens(fd, 'now', 'now', alice))).toBe('EACCES'); // "now": owner or write access
    await ops.truncate(root, p, 4, nobody);
    expect(statSync(join(share, p)).size).toBe(4);
    await ops.ftruncate(fd, 2, nobody);
    expect(statSync(join(share, p)).size).toBe(2);
    closeSync(fd);
  });

  it('refuses FIFOs and devices unless allowSpecial, and never blocks on a FIFO', async () => {
    execFileSync('mkfifo', ['-m', '666', join(share, 'fifo')]);
    expect(await code(ops.open(root, 'fifo', C.O_RDONLY, 0, nobody))).toBe('EPERM');
    expect(await code(ops.openStat(root, 'fifo', C.O_RDONLY, 0, nobody))).toBe('EPERM');
    expect(await code(ops.truncate(root, 'fifo', 0, nobody))).toBe('EINVAL');
    const fd = await ops.open(root, 'fifo', C.O_RDONLY | C.O_NONBLOCK, 0, nobody, {allowSpecial: true});
    closeSync(fd);
    expect(await code(ops.open(root, '../../../dev/null', C.O_RDONLY, 0, nobody, {allowSpecial: true}))).toBe('EXDEV');
    // a regular file is handed out without the O_NONBLOCK used for the open
    const rfd = await ops.open(root, 'sub/inner', C.O_RDONLY, 0, nobody);
    const flags = parseInt(/flags:\s+(\d+)/.exec(readFileSync(`/proc/self/fdinfo/${rfd}`, 'utf8'))![1]!, 8);
    expect(flags & C.O_NONBLOCK).toBe(0);
    expect(flags & 0o2000000).not.toBe(0); // O_CLOEXEC
    closeSync(rfd);
  });

  it('statfs', async () => {
    const s = await ops.statfs(root, '.', nobody);
    expect(s.bsize).toBeGreaterThan(0);
    expect(s.blocks).toBeGreaterThan(0);
    expect(s.namelen).toBe(255);
    const fd = await ops.open(root, 'sub', C.O_RDONLY | C.O_DIRECTORY, 0, nobody);
    expect((await ops.fstatfs(fd, nobody)).blocks).toBe(s.blocks);
    closeSync(fd);
  });
});

describe('concurrency', () => {
  it('200 parallel operations with mixed identities never leak credentials', async () => {
    const ids: Identity[] = [];
    for (let i = 0; i < 8; i++) ids.push({uid: 3100 + i, gid: 4100 + i, groups: [4100 + i, 5000 + i]});
    await ops.mkdir(root, 'mixed', 0o777, nobody);
    chmodSync(join(share, 'mixed'), 0o777); // the root opened as nobody: no umask on our threads anyway
    const jobs: Promise<unknown>[] = [];
    for (let i = 0; i < 200; i++) {
      const id = ids[i % ids.length]!;
      if (i % 4 === 3) {
        jobs.push(ops.probeCredentials(id).then((p) => {
          expect(p.fsuid).toBe(id.uid);
          expect(p.fsgid).toBe(id.gid);
          expect(p.groups).toEqual(id.groups);
        }));
      } else if (i % 4 === 2) {
        jobs.push(ops.mkdir(root, `mixed/d${i}`, 0o755, id));
      } else {
        jobs.push(ops.open(root, `mixed/f${i}`, C.O_CREAT | C.O_EXCL | C.O_WRONLY, 0o640, id).then(closeSync));
      }
      if (i % 10 === 0) jobs.push(code(ops.open(root, 'secret', C.O_RDONLY, 0, id)).then((c) => expect(c).toBe('EACCES')));
      // meanwhile the daemon's own node:fs work (libuv's threads) stays root
      if (i % 20 === 0) jobs.push(readFileP(join(share, 'secret'), 'utf8').then((t) => expect(t).toBe('root only')));
    }
    await Promise.all(jobs);
    for (const name of readdirSync(join(share, 'mixed'))) {
      const i = Number(name.slice(1));
      const id = ids[i % ids.length]!;
      const st = statSync(join(share, 'mixed', name));
      expect([name, st.uid, st.gid], name).toEqual([name, id.uid, id.gid]);
    }
    expect(readdirSync(join(share, 'mixed')).length).toBe(150);
  });

  it('leaves the main thread and every worker thread as they were', async () => {
    expect(process.getuid!()).toBe(0);
    expect(process.geteuid!()).toBe(0);
    expect(process.getgid!()).toBe(0);
    expect(process.getegid!()).toBe(0);
    expect(statusLines('/proc/self/status')).toBe(mainStatusBefore);
    // Every thread of the process (ours included, idle now) is back to root's ids and groups.
    // (Our workers keep a reduced effective capability set for good: CAP_SETUID, CAP_SETGID
    // and the filesystem capabilities, so CapEff is only compared for the main thread.)
    const ids = /^(Uid|Gid|Groups):/;
    const want = statusLines('/proc/self/status', ids);
    for (const tid of readdirSync('/proc/self/task')) {
      let s: string;
      try {
        s = statusLines(`/proc/self/task/${tid}/status`, ids);
      } catch {
        continue; // the thread ended meanwhile
      }
      expect(s, `thread ${tid}`).toBe(want);
    }
  });
});

const C_ERRNO = (await import('node:os')).constants.errno;
