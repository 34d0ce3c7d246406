/**
 * The Vfs on node:fs/promises. IDENTITY NOT YET APPLIED: calls run with the daemon's own credentials;
 * per-user credentials (issue 6) replace this class behind the same interface. Newly created objects are
 * at least handed to the identity's uid/gid so ownership is right from the start.
 */
import {constants} from 'node:fs';
import {chown, lstat, mkdir, open, readdir, realpath, rmdir, stat, statfs, unlink, type FileHandle} from 'node:fs/promises';
import {dirname, sep} from 'node:path';
import type {BigIntStats} from 'node:fs';
import type {UnixIdentity, Vfs, VfsFile, VfsStat, VfsStatFs} from './types.js';

function toStat(s: BigIntStats): VfsStat {
  return {
    dev: s.dev,
    ino: s.ino,
    mode: Number(s.mode),
    nlink: Number(s.nlink),
    uid: Number(s.uid),
    gid: Number(s.gid),
    size: s.size,
    blocks: s.blocks,
    blksize: Number(s.blksize),
    atimeNs: s.atimeNs,
    mtimeNs: s.mtimeNs,
    ctimeNs: s.ctimeNs,
    birthtimeNs: s.birthtimeNs,
    isDirectory: s.isDirectory(),
    isFile: s.isFile(),
    isSymlink: s.isSymbolicLink(),
  };
}

class NodeFile implements VfsFile {
  constructor(private readonly fh: FileHandle) {}

  async stat(): Promise<VfsStat> {
    return toStat(await this.fh.stat({bigint: true}));
  }

  truncate(size: number): Promise<void> {
    return this.fh.truncate(size);
  }

  close(): Promise<void> {
    return this.fh.close();
  }
}

export class NodeVfs implements Vfs {
  readonly appliesIdentity = false;

  async stat(_id: UnixIdentity, path: string): Promise<VfsStat> {
    return toStat(await stat(path, {bigint: true}));
  }

  async lstat(_id: UnixIdentity, path: string): Promise<VfsStat> {
    return toStat(await lstat(path, {bigint: true}));
  }

  readdir(_id: UnixIdentity, path: string): Promise<string[]> {
    return readdir(path);
  }

  async statfs(_id: UnixIdentity, path: string): Promise<VfsStatFs> {
    const s = await statfs(path);
    return {bsize: s.bsize, blocks: s.blocks, bfree: s.bfree, bavail: s.bavail};
  }

  async open(_id: UnixIdentity, path: string, write: boolean): Promise<VfsFile> {
    // O_NOFOLLOW is not used: the containment check has already resolved symlinks inside the share.
    return new NodeFile(await open(path, write ? constants.O_RDWR : constants.O_RDONLY));
  }

  async create(id: UnixIdentity, path: string, mode: number): Promise<VfsFile> {
    const fh = await open(path, constants.O_RDWR | constants.O_CREAT | constants.O_EXCL, mode);
    if (process.getuid?.() === 0) await fh.chown(id.uid, id.gid).catch(() => undefined);
    return new NodeFile(fh);
  }

  async mkdir(id: UnixIdentity, path: string, mode: number): Promise<void> {
    await mkdir(path, {mode});
    if (process.getuid?.() === 0) await chown(path, id.uid, id.gid).catch(() => undefined);
  }

  remove(_id: UnixIdentity, path: string, directory: boolean): Promise<void> {
    return directory ? rmdir(path) : unlink(path);
  }

  async contained(_id: UnixIdentity, root: string, path: string): Promise<boolean> {
    const realRoot = await realpath(root);
    let target: string;
    try {
      target = await realpath(path);
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'ENOENT') throw e;
      target = await realpath(dirname(path));
    }
    return target === realRoot || target.startsWith(realRoot.endsWith(sep) ? realRoot : realRoot + sep);
  }
}
