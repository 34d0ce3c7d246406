/**
 * One tree's view of its share (DESIGN habit 7): the share root as an O_PATH fd and the tree's Unix
 * identity, every call going through the identity addon (src/vfs/identity-ops.ts), so the kernel checks
 * permissions, sets ownership and keeps every path beneath the root (openat2 RESOLVE_BENEATH).
 * Nothing here runs a client's file operation as root.
 *
 * Paths are share-relative, `/`-separated, already validated by parseSmbPath (src/vfs/paths.ts).
 * Names are matched case-insensitively the way Windows clients expect: the exact name first, and only
 * when it misses one scan of the parent directory (of each component when the parent itself is not
 * spelled exactly), cached per directory and valid while the directory's mtime and ctime stay as they
 * were when it was read. A create through createFile() adds its name to the cached list (and moves the
 * key on to the directory's new times) only when the directory's times just before the create were still
 * the key: any outside change since the scan leaves times the key does not match, and the next lookup
 * reads the directory again. (With fine-grained timestamps, Linux 6.13+ multigrain, every change after a
 * stat moves the times; an outside change between the two statx of one create, microseconds apart, is the
 * one it cannot see, as a change within one timestamp tick of a scan cannot be seen with coarse ones.)
 */
import type {UnixIdentity} from '../ipc/types.js';
import * as ops from './identity-ops.js';
import {Statx, type Identity, type RootHandle} from './identity-ops.js';
import {fileMeta, type FileMeta} from './meta.js';
import type {VfsStat, VfsStatFs} from './types.js';

export interface ShareFsOptions {
  followSymlinks: boolean;
  storeDosAttributes: boolean;
  hideDotFiles: boolean;
  createMask: number;
  directoryMask: number;
  forceCreateMode: number;
  forceDirectoryMode: number;
  /** Named streams in user.DosStream.* xattrs (`vfs objects = streams_xattr`, src/vfs/streams.ts). */
  streams?: boolean;
}

export function toVfsStat(s: Statx): VfsStat {
  const ns = (sec: number, nsec: number) => BigInt(sec) * 1_000_000_000n + BigInt(nsec);
  const type = s.mode & 0o170000;
  return {
    dev: BigInt(s.dev),
    ino: s.ino,
    mode: s.mode,
    nlink: s.nlink,
    uid: s.uid,
    gid: s.gid,
    size: BigInt(s.size),
    blocks: BigInt(s.blocks),
    blksize: s.blksize,
    atimeNs: ns(s.atimeSec, s.atimeNsec),
    mtimeNs: ns(s.mtimeSec, s.mtimeNsec),
    ctimeNs: ns(s.ctimeSec, s.ctimeNsec),
    birthtimeNs: s.birthtimeSec === null ? 0n : ns(s.birthtimeSec, s.birthtimeNsec ?? 0),
    isDirectory: type === 0o040000,
    isFile: type === 0o100000,
    isSymlink: type === 0o120000,
  };
}

/** What a lookup found: the on-disk path (case corrected as far as it exists) and its stat. */
export interface Lookup {
  rel: string;
  /** undefined: the last component does not exist (its parent does). */
  stat: VfsStat | undefined;
}

/** Thrown by lookup for a missing or unusable directory on the way (OBJECT_PATH_NOT_FOUND). */
export class PathNotFound extends Error {
  code = 'ENOENT_PATH';
}

interface DirNames {
  ino: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  byUpper: Map<string, string>;
}

/** statx's (sec, nsec) of a time kept in ns (nsec is never negative). */
function secNsec(ns: bigint): [number, number] {
  let sec = ns / 1_000_000_000n;
  let nsec = ns % 1_000_000_000n;
  if (nsec < 0n) {
    nsec += 1_000_000_000n;
    sec -= 1n;
  }
  return [Number(sec), Number(nsec)];
}

const sameTimes = (n: DirNames, st: {ino: bigint; mtimeNs: bigint; ctimeNs: bigint}) =>
  n.mtimeNs === st.mtimeNs && n.ctimeNs === st.ctimeNs && n.ino === st.ino;

const DIR_CACHE_MAX = 64;

export function relOf(components: readonly string[]): string {
  return components.join('/');
}

export function parentOf(rel: string): string {
  const i = rel.lastIndexOf('/');
  return i < 0 ? '' : rel.slice(0, i);
}

export function baseOf(rel: string): string {
  return rel.slice(rel.lastIndexOf('/') + 1);
}

export class ShareFs {
  readonly id: Identity;
  /** Cleared the first time the file system says it keeps no user xattrs: DOS attributes then come from the mode. */
  xattrs = true;
  readonly #dirs = new Map<string, DirNames>();

  private constructor(
    readonly root: RootHandle,
    identity: UnixIdentity,
    readonly options: ShareFsOptions,
  ) {
    this.id = Object.freeze({uid: identity.uid, gid: identity.gid, groups: Object.freeze([...identity.groups])});
  }

  /**
   * Opens the share root (the daemon's own configured path) and checks that the identity can reach it.
   * A uid 0 identity is refused by the addon (EPERM): the caller decides what a root login maps to.
   */
  static async open(path: string, identity: UnixIdentity, options: ShareFsOptions): Promise<ShareFs> {
    const root = await ops.openRoot(path, {followSymlinks: options.followSymlinks});
    const fs = new ShareFs(root, identity, options);
    try {
      const st = await ops.stat(root, '', fs.id);
      if (!st.isDirectory()) throw Object.assign(new Error('share path is not a directory'), {code: 'ENOTDIR'});
    } catch (e) {
      await root.close();
      throw e;
    }
    return fs;
  }

  close(): Promise<void> {
    this.#dirs.clear();
    return this.root.close();
  }

  /** stat without following a trailing symlink (a symlink is reported as itself). */
  async lstat(rel: string): Promise<VfsStat> {
    return toVfsStat(await ops.stat(this.root, rel, this.id, {noFollow: !this.options.followSymlinks}));
  }

  async stat(rel: string): Promise<VfsStat> {
    return toVfsStat(await ops.stat(this.root, rel, this.id));
  }

  async fstat(fd: number): Promise<VfsStat> {
    return toVfsStat(await ops.fstat(fd, this.id));
  }

  /**
   * Resolve components to what is on disk. Missing last component: stat undefined. Missing directory on
   * the way: PathNotFound. Other errors (EACCES, ELOOP for a symlink, EXDEV for one leaving the share) pass.
   */
  async lookup(components: readonly string[]): Promise<Lookup> {
    const rel = relOf(components);
    let parent: VfsStat | undefined;
    try {
      // The exact name; when it is missing, the parent's stat comes in the same request.
      const r = await ops.statOrParent(this.root, rel, components.length ? parentOf(rel) : null, this.id,
        {noFollow: !this.options.followSymlinks});
      if (r.stat) return {rel, stat: toVfsStat(r.stat)};
      if (r.parent) parent = toVfsStat(r.parent);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'ENOTDIR') throw new PathNotFound(rel);
      throw e;
    }
    if (components.length === 0) throw new PathNotFound('');
    if (parent?.isDirectory) {
      // The directory is spelled exactly: only the last name needs matching (one cached scan).
      const dir = parentOf(rel);
      const name = await this.#match(dir, parent, components[components.length - 1]!);
      if (name === undefined) return {rel, stat: undefined};
      return this.#found(relOf([...components.slice(0, -1), name]));
    }
    // Walk: each component exactly if it exists, else the one name that matches ignoring case.
    const out: string[] = [];
    for (let i = 0; i < components.length; i++) {
      const last = i === components.length - 1;
      const dir = relOf(out);
      let dirStat: VfsStat;
      try {
        dirStat = await this.lstat(dir);
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        if (code === 'ENOENT' || code === 'ENOTDIR') throw new PathNotFound(dir);
        throw e;
      }
      if (!dirStat.isDirectory) throw new PathNotFound(dir);
      const name = await this.#match(dir, dirStat, components[i]!);
      if (name === undefined) {
        if (!last) throw new PathNotFound(relOf([...out, components[i]!]));
        return {rel: relOf([...out, components[i]!]), stat: undefined};
      }
      out.push(name);
    }
    return this.#found(relOf(out));
  }

  async #found(found: string): Promise<Lookup> {
    try {
      return {rel: found, stat: await this.lstat(found)};
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code === 'ENOENT') return {rel: found, stat: undefined};
      throw e;
    }
  }

  async #match(dir: string, dirStat: VfsStat, name: string): Promise<string | undefined> {
    let names = this.#dirs.get(dir);
    if (!names || !sameTimes(names, dirStat)) {
      const entries = await ops.readdir(this.root, dir, this.id);
      const byUpper = new Map<string, string>();
      for (const e of entries) {
        const u = e.name.toUpperCase();
        // The first spelling listed stands for the others of the same upper-case name.
        if (!byUpper.has(u)) byUpper.set(u, e.name);
      }
      names = {ino: dirStat.ino, mtimeNs: dirStat.mtimeNs, ctimeNs: dirStat.ctimeNs, byUpper};
      if (this.#dirs.size >= DIR_CACHE_MAX) this.#dirs.delete(this.#dirs.keys().next().value!);
      this.#dirs.set(dir, names);
    }
    return names.byUpper.get(name.toUpperCase());
  }

  /**
   * Our own create of `name` in `dir`: the cached list (if any) takes the name and the directory's new times
   * when its times just before the create were the key; otherwise it is dropped (read again when needed).
   */
  #created(dir: string, name: string, before: ops.Statx | null, after: ops.Statx | null): void {
    const names = this.#dirs.get(dir);
    if (!names) return;
    const b = before && toVfsStat(before);
    if (!b || !after || !sameTimes(names, b)) {
      this.#dirs.delete(dir);
      return;
    }
    const a = toVfsStat(after);
    names.mtimeNs = a.mtimeNs;
    names.ctimeNs = a.ctimeNs;
    const u = name.toUpperCase();
    if (!names.byUpper.has(u)) names.byUpper.set(u, name);
  }

  /** The mode a new file or directory gets: `create mask` / `directory mask`, then `force ... mode`. */
  newMode(directory: boolean, requested = directory ? 0o777 : 0o666): number {
    const o = this.options;
    return directory ? (requested & o.directoryMask) | o.forceDirectoryMode : (requested & o.createMask) | o.forceCreateMode;
  }

  open(rel: string, flags: number, mode = 0): Promise<{fd: number; stat: VfsStat}> {
    return ops.openStat(this.root, rel, flags, mode, this.id).then((r) => ({fd: r.fd, stat: toVfsStat(r.stat)}));
  }

  /** Create a regular file (O_CREAT | O_EXCL in flags) and stat it, keeping the parent's cached name list. */
  async createFile(rel: string, flags: number, mode: number): Promise<{fd: number; stat: VfsStat}> {
    const r = await ops.createStat(this.root, rel, flags, mode, this.id);
    this.#created(parentOf(rel), baseOf(rel), r.parentBefore, r.parentAfter);
    return {fd: r.fd, stat: toVfsStat(r.stat)};
  }

  /** Whether the cached list of the directory (spelled exactly) holds no spelling of the last name. */
  knownNew(components: readonly string[]): boolean {
    if (components.length === 0) return false;
    const names = this.#dirs.get(relOf(components.slice(0, -1)));
    return names !== undefined && !names.byUpper.has(components[components.length - 1]!.toUpperCase());
  }

  /**
   * A file CREATE of a name the cached list of its directory proves new (the directory spelled exactly as
   * cached, no spelling of the name in it): created in one request that first checks that the directory is
   * still the one the list describes, unchanged (inode, mtime, ctime). undefined when that cannot be
   * decided here (no list, a spelling exists, the directory changed, any error): nothing was created and
   * the caller looks the name up and creates it as usual.
   */
  async createIfNew(components: readonly string[], flags: number, mode: number): Promise<{rel: string; fd: number; stat: VfsStat} | undefined> {
    if (!this.knownNew(components)) return undefined;
    const rel = relOf(components);
    const dir = parentOf(rel);
    const name = components[components.length - 1]!;
    const names = this.#dirs.get(dir)!;
    const [mtimeSec, mtimeNsec] = secNsec(names.mtimeNs);
    const [ctimeSec, ctimeNsec] = secNsec(names.ctimeNs);
    let r;
    try {
      r = await ops.createStatIf(this.root, rel, flags, mode, this.id, {ino: names.ino, mtimeSec, mtimeNsec, ctimeSec, ctimeNsec});
    } catch {
      return undefined;
    }
    if (!r) {
      if (this.#dirs.get(dir) === names) this.#dirs.delete(dir);
      return undefined;
    }
    this.#created(dir, name, r.parentBefore, r.parentAfter);
    return {rel, fd: r.fd, stat: toVfsStat(r.stat)};
  }

  /** Set an xattr on an open object and stat it afterwards (one request). */
  async setxattrStat(fd: number, name: string, value: Uint8Array): Promise<VfsStat> {
    return toVfsStat(await ops.fsetxattrStat(fd, name, value, this.id));
  }

  mkdir(rel: string, mode: number): Promise<void> {
    return ops.mkdir(this.root, rel, mode, this.id);
  }

  unlink(rel: string): Promise<void> {
    return ops.unlink(this.root, rel, this.id);
  }

  rmdir(rel: string): Promise<void> {
    return ops.rmdir(this.root, rel, this.id);
  }

  rename(from: string, to: string, replace: boolean): Promise<void> {
    return ops.rename(this.root, from, to, this.id, {noReplace: !replace});
  }

  link(existing: string, newRel: string): Promise<void> {
    return ops.link(this.root, existing, newRel, this.id);
  }

  async readdir(rel: string): Promise<ops.DirEntry[]> {
    return ops.readdir(this.root, rel, this.id, {withStat: true});
  }

  /** The names of directory `rel` and their lstats as the addon's rows (what a listing keeps). */
  async listing(rel: string): Promise<{names: string[]; stats: Float64Array}> {
    const l = await ops.readdirListing(this.root, rel, this.id, {withStat: true});
    return {names: l.names, stats: l.stats ?? new Float64Array(0)};
  }

  async statfs(): Promise<VfsStatFs> {
    const s = await ops.statfs(this.root, '', this.id);
    return {bsize: s.bsize, blocks: s.blocks, bfree: s.bfree, bavail: s.bavail};
  }

  /** Attributes and creation time of an object, by fd when there is one (cheaper, race-free), else by path. */
  meta(st: VfsStat, name: string, where: {fd: number} | {rel: string}): Promise<FileMeta> {
    return fileMeta(this, st, name, where);
  }
}
