// File operations with a client's Unix identity, contained in a share root.
//
// Every call runs on the native addon's own threads (src/vfs/native/) with
// that thread's fsuid/fsgid/groups switched to `identity` for the one syscall
// sequence and switched back before the result is posted, so the kernel
// checks permissions and sets ownership. Paths are resolved by openat2()
// beneath the root's O_PATH fd: an absolute path, a `..` above the root and a
// symlink leaving it fail with EXDEV; any symlink fails with ELOOP unless
// followSymlinks. Returned fds are plain fds: read/write/fsync/close them
// with node:fs (access was checked at open). Metadata changes on an open
// file must go through the f* functions here, never node:fs (the daemon is
// root: fs.fchmod would succeed for anyone).
//
// Errors are Node-style: Error with .code ('EACCES', 'ENOENT', 'EXDEV', 'ELOOP'...),
// .errno (negative), .syscall and .path.
import {close as fsClose} from 'node:fs';
import {existsSync} from 'node:fs';
import {createRequire} from 'node:module';
import {constants as osConstants} from 'node:os';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {STAT_FIELDS, STATX_BTIME} from './types.js';

export interface Identity {
  readonly uid: number;
  readonly gid: number;
  /** Supplementary groups (at most 256). */
  readonly groups: readonly number[];
}

export interface ResolveOptions {
  /** Follow symlinks that stay beneath the root. Defaults to the root's setting. */
  followSymlinks?: boolean;
}

export interface ObjectOptions extends ResolveOptions {
  /** Act on a trailing symlink itself (lstat, lchown...). */
  noFollow?: boolean;
}

export interface OpenOptions extends ObjectOptions {
  /** Also open FIFOs, sockets and device nodes (refused with EPERM otherwise). */
  allowSpecial?: boolean;
}

export type TimeSpec = {sec: number; nsec: number} | 'now' | 'omit';

export const DT = {UNKNOWN: 0, FIFO: 1, CHR: 2, DIR: 4, BLK: 6, REG: 8, LNK: 10, SOCK: 12} as const;

// Keep in step with enum idops_op in src/vfs/native/idops.h.
const OP = {
  OPENROOT: 1, OPEN: 2, MKDIR: 3, UNLINK: 4, RMDIR: 5, RENAME: 6, LINK: 7, SYMLINK: 8, READLINK: 9,
  STAT: 10, READDIR: 11, CHMOD: 12, CHOWN: 13, UTIMENS: 14, TRUNCATE: 15, GETXATTR: 16, SETXATTR: 17,
  REMOVEXATTR: 18, LISTXATTR: 19, STATFS: 20, FSTAT: 21, FCHMOD: 22, FCHOWN: 23, FUTIMENS: 24,
  FTRUNCATE: 25, FGETXATTR: 26, FSETXATTR: 27, FREMOVEXATTR: 28, FLISTXATTR: 29, READDIRFD: 30,
  FSTATFS: 31, PROBE: 32, DIRXATTRS: 33, LOOKUP: 34,
} as const;

const RQ_FOLLOW = 0x1;
const RQ_NOFOLLOW_LAST = 0x2;
const RQ_WITH_STAT = 0x4;
const RQ_REWIND = 0x8;
const RQ_AS_ROOT = 0x10;
const RQ_SPECIAL = 0x20;
const RQ_PARENT_STAT = 0x40;
const RENAME_NOREPLACE = 1;
const RENAME_EXCHANGE = 2;
const XATTR_CREATE = 1;
const XATTR_REPLACE = 2;
const UTIME_NOW = (1 << 30) - 1;
const UTIME_OMIT = (1 << 30) - 2;
const MAX_GROUPS = 256;

type Result = number | Float64Array | Buffer | string | DirRaw | [number, Float64Array] | undefined;
type DirRaw = [string[], Uint8Array, Float64Array | null, boolean];
interface Binding {
  submit(op: number, fd: number, ident: Uint32Array | null, path: string | null, path2: string | null,
    flags: number, n0: number, n1: number, n2: number, n3: number, data: Uint8Array | null): Promise<Result>;
  setThreads(n: number): number;
  mallocTune(mmapThreshold: number, trimThreshold: number): boolean;
  mallocTrim(): boolean;
}

let binding: Binding | undefined;

/** Where the addon is looked for: KSMBD_IDOPS_ADDON, else build/Release above this module. */
function addonPath(): string {
  const fromEnv = process.env.KSMBD_IDOPS_ADDON;
  if (fromEnv) return fromEnv;
  let dir = dirname(fileURLToPath(import.meta.url));
  for (let i = 0; i < 6; i++) {
    const candidate = join(dir, 'build', 'Release', 'ksmbd_idops.node');
    if (existsSync(candidate)) return candidate;
    dir = dirname(dir);
  }
  throw new Error('ksmbd_idops.node is not built: run `npm run build:native`');
}

function native(): Binding {
  if (!binding) binding = createRequire(import.meta.url)(addonPath()) as Binding;
  return binding;
}

/** Worker threads for identity operations (default 4, or KSMBD_IDOPS_THREADS); only before the first call. */
export function setThreadCount(n: number): number {
  return native().setThreads(n);
}

/** glibc mallopt(M_MMAP_THRESHOLD / M_TRIM_THRESHOLD) through the addon (src/vfs/native/malloc.c). */
export function mallocTune(mmapThreshold: number, trimThreshold: number): boolean {
  return native().mallocTune(mmapThreshold, trimThreshold);
}

/** glibc malloc_trim(0): free heap pages go back to the kernel. */
export function mallocTrim(): boolean {
  return native().mallocTrim();
}

function fail(code: string, message: string, syscall: string, path?: string): never {
  const err = new Error(`${code}: ${message}, ${syscall}${path === undefined ? '' : ` '${path}'`}`) as NodeJS.ErrnoException;
  err.code = code;
  err.syscall = syscall;
  if (path !== undefined) err.path = path;
  throw err;
}

const encoded = new WeakMap<Identity, Uint32Array>();

function ident(id: Identity): Uint32Array {
  let u = encoded.get(id);
  if (u) return u;
  const ok = (n: number) => Number.isInteger(n) && n >= 0 && n < 0xffffffff;
  if (!ok(id.uid) || !ok(id.gid) || id.groups.length > MAX_GROUPS || !id.groups.every(ok)) {
    fail('EINVAL', 'invalid identity', 'setfsuid');
  }
  // Root is refused here and again in the addon: a root login must be mapped elsewhere.
  if (id.uid === 0) fail('EPERM', 'operation not permitted (uid 0 is never used for a client)', 'setfsuid');
  u = Uint32Array.from([id.uid, id.gid, ...id.groups]);
  // Only a frozen identity can be cached: a mutated one must never reuse a stale encoding.
  if (Object.isFrozen(id) && Object.isFrozen(id.groups)) encoded.set(id, u);
  return u;
}

export class RootHandle {
  #fd: number;
  constructor(fd: number, readonly path: string, readonly followSymlinks: boolean) {
    this.#fd = fd;
  }
  /** The O_PATH directory fd of the share root (-1 once closed). */
  get fd(): number {
    return this.#fd;
  }
  get closed(): boolean {
    return this.#fd < 0;
  }
  close(): Promise<void> {
    const fd = this.#fd;
    this.#fd = -1;
    if (fd < 0) return Promise.resolve();
    return new Promise((resolve, reject) => fsClose(fd, (e) => (e ? reject(e) : resolve())));
  }
}

function rootFd(root: RootHandle): number {
  if (root.closed) fail('EBADF', 'bad file descriptor (share root closed)', 'openat2', root.path);
  return root.fd;
}

function rflags(root: RootHandle, o?: ObjectOptions): number {
  let f = (o?.followSymlinks ?? root.followSymlinks) ? RQ_FOLLOW : 0;
  if (o?.noFollow) f |= RQ_NOFOLLOW_LAST;
  return f;
}

function call(op: number, fd: number, id: Identity | null, path: string | null, path2: string | null,
  flags = 0, n0 = 0, n1 = 0, n2 = 0, n3 = 0, data: Uint8Array | null = null): Promise<Result> {
  for (const p of [path, path2]) {
    if (p !== null && p.includes('\0')) fail('EINVAL', 'invalid argument (NUL in path)', 'openat2', p);
  }
  return native().submit(op, fd, id ? ident(id) : null, path, path2, flags, n0, n1, n2, n3, data);
}

/**
 * Opens a share root. With an identity, that account must be able to reach it;
 * without, the daemon opens its configured path itself (as root: the path is trusted configuration).
 */
export async function openRoot(path: string, options: {followSymlinks?: boolean; identity?: Identity} = {}): Promise<RootHandle> {
  const id = options.identity ?? null;
  const fd = (await call(OP.OPENROOT, -1, id, path, null, id ? 0 : RQ_AS_ROOT)) as number;
  return new RootHandle(fd, path, options.followSymlinks ?? false);
}

function oflags(root: RootHandle, o?: OpenOptions): number {
  return rflags(root, o) | (o?.allowSpecial ? RQ_SPECIAL : 0);
}

/**
 * openat2 beneath the root; flags/mode as for fs.open (O_CLOEXEC is always added; the mode is
 * applied exactly: the worker threads have umask 0). Returns a plain fd of a regular file or a
 * directory. The open itself never waits: a conflicting lease answers EAGAIN (EWOULDBLOCK).
 */
export async function open(root: RootHandle, relPath: string, flags: number, mode: number, identity: Identity,
  options?: OpenOptions): Promise<number> {
  return (await call(OP.OPEN, rootFd(root), identity, relPath, null, oflags(root, options), flags, mode)) as number;
}

/** open() and statx of the new fd in one request (what CREATE needs). */
export async function openStat(root: RootHandle, relPath: string, flags: number, mode: number, identity: Identity,
  options?: OpenOptions): Promise<{fd: number; stat: Statx}> {
  const [fd, st] = (await call(OP.OPEN, rootFd(root), identity, relPath, null, oflags(root, options) | RQ_WITH_STAT,
    flags, mode)) as [number, Float64Array];
  return {fd, stat: Statx.from(st)};
}

/**
 * Creates a regular file (flags must hold O_CREAT | O_EXCL) and statx's it, in one request; the parent
 * directory is resolved first and its statx taken just before and just after the create (null where that
 * failed), so a cache of the directory's names can tell whether anything but this create changed it.
 */
export async function createStat(root: RootHandle, relPath: string, flags: number, mode: number, identity: Identity,
  options?: OpenOptions): Promise<{fd: number; stat: Statx; parentBefore: Statx | null; parentAfter: Statx | null}> {
  return (await createStatIf(root, relPath, flags, mode, identity, null, options))!;
}

/** What createStatIf compares the parent with: its inode and its mtime and ctime. */
export interface ParentKey {
  ino: bigint;
  mtimeSec: number; mtimeNsec: number; ctimeSec: number; ctimeNsec: number;
}

/**
 * createStat, but only if the parent directory, statx'd just before the create in the same request, is
 * still `parent` (same inode, mtime and ctime); null when it is not (nothing was created).
 */
export async function createStatIf(root: RootHandle, relPath: string, flags: number, mode: number, identity: Identity,
  parent: ParentKey | null, options?: OpenOptions): Promise<{fd: number; stat: Statx; parentBefore: Statx | null; parentAfter: Statx | null} | null> {
  const key = parent && Float64Array.of(parent.mtimeSec, parent.mtimeNsec, parent.ctimeSec, parent.ctimeNsec,
    Number(parent.ino >> 32n), Number(parent.ino & 0xffffffffn));
  const [fd, st] = (await call(OP.OPEN, rootFd(root), identity, relPath, null,
    oflags(root, options) | RQ_WITH_STAT | RQ_PARENT_STAT, flags, mode, 0, 0, key && new Uint8Array(key.buffer))) as [number, Float64Array];
  if (fd < 0) return null;
  return {fd, stat: Statx.from(st), parentBefore: statOrNull(st, STAT_FIELDS), parentAfter: statOrNull(st, 2 * STAT_FIELDS)};
}

function statOrNull(a: Float64Array, o: number): Statx | null {
  return a.length >= o + STAT_FIELDS && a[o + 19]! >= 0 ? Statx.from(a, o) : null;
}

/**
 * stat (as stat()) of `relPath`; when it does not exist (ENOENT), `stat` is null and `parent` is the stat of
 * `parentRel` taken in the same request (null if that failed too). Other errors reject as stat() does.
 */
export async function statOrParent(root: RootHandle, relPath: string, parentRel: string | null, identity: Identity,
  options?: ObjectOptions): Promise<{stat: Statx | null; parent: Statx | null}> {
  const a = (await call(OP.LOOKUP, rootFd(root), identity, relPath, parentRel, rflags(root, options))) as Float64Array;
  const stat = statOrNull(a, 0);
  return {stat, parent: stat ? null : statOrNull(a, STAT_FIELDS)};
}

export async function mkdir(root: RootHandle, relPath: string, mode: number, identity: Identity, options?: ResolveOptions): Promise<void> {
  await call(OP.MKDIR, rootFd(root), identity, relPath, null, rflags(root, options), mode);
}

export async function unlink(root: RootHandle, relPath: string, identity: Identity, options?: ResolveOptions): Promise<void> {
  await call(OP.UNLINK, rootFd(root), identity, relPath, null, rflags(root, options));
}

export async function rmdir(root: RootHandle, relPath: string, identity: Identity, options?: ResolveOptions): Promise<void> {
  await call(OP.RMDIR, rootFd(root), identity, relPath, null, rflags(root, options));
}

/** renameat2 within one root; noReplace fails with EEXIST, exchange swaps the two names atomically. */
export async function rename(root: RootHandle, from: string, to: string, identity: Identity,
  options?: ResolveOptions & {noReplace?: boolean; exchange?: boolean}): Promise<void> {
  const f = (options?.noReplace ? RENAME_NOREPLACE : 0) | (options?.exchange ? RENAME_EXCHANGE : 0);
  await call(OP.RENAME, rootFd(root), identity, from, to, rflags(root, options), f);
}

/** Hard link; a trailing symlink in `existing` is linked itself, not followed. */
export async function link(root: RootHandle, existing: string, newPath: string, identity: Identity, options?: ResolveOptions): Promise<void> {
  await call(OP.LINK, rootFd(root), identity, existing, newPath, rflags(root, options));
}

/** Creates `linkPath` holding `target` (any text: containment applies when it is followed). */
export async function symlink(root: RootHandle, target: string, linkPath: string, identity: Identity, options?: ResolveOptions): Promise<void> {
  await call(OP.SYMLINK, rootFd(root), identity, linkPath, target, rflags(root, options));
}

export async function readlink(root: RootHandle, relPath: string, identity: Identity, options?: ResolveOptions): Promise<string> {
  return (await call(OP.READLINK, rootFd(root), identity, relPath, null, rflags(root, options))) as string;
}

/** statx with birth time. */
export class Statx {
  dev = 0; ino = 0n; mode = 0; nlink = 0; uid = 0; gid = 0; rdev = 0; size = 0; blocks = 0; blksize = 0;
  atimeSec = 0; atimeNsec = 0; mtimeSec = 0; mtimeNsec = 0; ctimeSec = 0; ctimeNsec = 0;
  /** null where the filesystem keeps no birth time. */
  birthtimeSec: number | null = null;
  birthtimeNsec: number | null = null;
  /** STATX_ATTR_* bits (compressed, immutable, append, nodump, encrypted...). */
  attributes = 0;
  mountId = 0;

  static from(a: Float64Array, o = 0): Statx {
    const s = new Statx();
    s.dev = a[o]!; s.ino = (BigInt(a[o + 1]!) << 32n) | BigInt(a[o + 2]!); s.mode = a[o + 3]!;
    s.nlink = a[o + 4]!; s.uid = a[o + 5]!; s.gid = a[o + 6]!; s.rdev = a[o + 7]!; s.size = a[o + 8]!;
    s.blocks = a[o + 9]!; s.blksize = a[o + 10]!; s.atimeSec = a[o + 11]!; s.atimeNsec = a[o + 12]!;
    s.mtimeSec = a[o + 13]!; s.mtimeNsec = a[o + 14]!; s.ctimeSec = a[o + 15]!; s.ctimeNsec = a[o + 16]!;
    if ((a[o + 19]! & STATX_BTIME) !== 0) {
      s.birthtimeSec = a[o + 17]!;
      s.birthtimeNsec = a[o + 18]!;
    }
    s.attributes = a[o + 20]!; s.mountId = a[o + 21]!;
    return s;
  }
  isFile(): boolean { return (this.mode & 0o170000) === 0o100000; }
  isDirectory(): boolean { return (this.mode & 0o170000) === 0o040000; }
  isSymbolicLink(): boolean { return (this.mode & 0o170000) === 0o120000; }
}

export async function stat(root: RootHandle, relPath: string, identity: Identity, options?: ObjectOptions): Promise<Statx> {
  return Statx.from((await call(OP.STAT, rootFd(root), identity, relPath, null, rflags(root, options))) as Float64Array);
}

export function lstat(root: RootHandle, relPath: string, identity: Identity, options?: ResolveOptions): Promise<Statx> {
  return stat(root, relPath, identity, {...options, noFollow: true});
}

export async function fstat(fd: number, identity: Identity): Promise<Statx> {
  return Statx.from((await call(OP.FSTAT, fd, identity, null, null)) as Float64Array);
}

export interface DirEntry {
  name: string;
  /** DT.* value from the directory (DT.UNKNOWN on filesystems that do not say). */
  type: number;
  /** With withStat: the entry's lstat, or null if it vanished (or could not be looked up) meanwhile. */
  stat?: Statx | null;
}

function dirEntries(raw: DirRaw): DirEntry[] {
  const [names, types, stats] = raw;
  const out: DirEntry[] = new Array(names.length);
  for (let i = 0; i < names.length; i++) {
    const e: DirEntry = {name: names[i]!, type: types[i]!};
    if (stats) e.stat = stats[i * STAT_FIELDS + 19]! < 0 ? null : Statx.from(stats, i * STAT_FIELDS);
    out[i] = e;
  }
  return out;
}

/**
 * A directory as the addon reads it, without an object per entry: the names (readdir order, without `.` and
 * `..`) and, with withStat, each entry's lstat as row i of `stats` (STAT_FIELDS numbers at i * STAT_FIELDS,
 * src/vfs/types.ts STAT; a negative STAT.MASK: the entry vanished, or could not be looked up, meanwhile).
 */
export interface DirListing {
  names: string[];
  types: Uint8Array;
  stats: Float64Array | null;
}

export async function readdirListing(root: RootHandle, relPath: string, identity: Identity,
  options?: ResolveOptions & {withStat?: boolean}): Promise<DirListing> {
  const f = rflags(root, options) | (options?.withStat ? RQ_WITH_STAT : 0);
  const [names, types, stats] = (await call(OP.READDIR, rootFd(root), identity, relPath, null, f)) as DirRaw;
  return {names, types, stats};
}

/** The whole directory (without `.` and `..`), optionally with each entry's lstat. */
export async function readdir(root: RootHandle, relPath: string, identity: Identity,
  options?: ResolveOptions & {withStat?: boolean}): Promise<DirEntry[]> {
  const f = rflags(root, options) | (options?.withStat ? RQ_WITH_STAT : 0);
  return dirEntries((await call(OP.READDIR, rootFd(root), identity, relPath, null, f)) as DirRaw);
}

/**
 * The next batch (at most `max`, default 1024) from a directory fd opened with
 * open(..., O_RDONLY | O_DIRECTORY); `rewind` starts again from the beginning.
 */
export async function readdirFd(fd: number, identity: Identity,
  options?: {max?: number; withStat?: boolean; rewind?: boolean}): Promise<{entries: DirEntry[]; eof: boolean}> {
  const f = (options?.withStat ? RQ_WITH_STAT : 0) | (options?.rewind ? RQ_REWIND : 0);
  const raw = (await call(OP.READDIRFD, fd, identity, null, null, f, options?.max ?? 1024)) as DirRaw;
  return {entries: dirEntries(raw), eof: raw[3]};
}

export async function chmod(root: RootHandle, relPath: string, mode: number, identity: Identity, options?: ResolveOptions): Promise<void> {
  await call(OP.CHMOD, rootFd(root), identity, relPath, null, rflags(root, options), mode);
}

export async function fchmod(fd: number, mode: number, identity: Identity): Promise<void> {
  await call(OP.FCHMOD, fd, identity, null, null, 0, mode);
}

/** chown as the identity: the kernel allows only what that user may do (-1 keeps a value). */
export async function chown(root: RootHandle, relPath: string, uid: number, gid: number, identity: Identity,
  options?: ObjectOptions): Promise<void> {
  await call(OP.CHOWN, rootFd(root), identity, relPath, null, rflags(root, options), uid, gid);
}

export async function fchown(fd: number, uid: number, gid: number, identity: Identity): Promise<void> {
  await call(OP.FCHOWN, fd, identity, null, null, 0, uid, gid);
}

function ts(t: TimeSpec): [number, number] {
  if (t === 'now') return [0, UTIME_NOW];
  if (t === 'omit') return [0, UTIME_OMIT];
  return [t.sec, t.nsec];
}

export async function utimens(root: RootHandle, relPath: string, atime: TimeSpec, mtime: TimeSpec, identity: Identity,
  options?: ObjectOptions): Promise<void> {
  const [as, an] = ts(atime);
  const [ms, mn] = ts(mtime);
  await call(OP.UTIMENS, rootFd(root), identity, relPath, null, rflags(root, options), as, an, ms, mn);
}

export async function futimens(fd: number, atime: TimeSpec, mtime: TimeSpec, identity: Identity): Promise<void> {
  const [as, an] = ts(atime);
  const [ms, mn] = ts(mtime);
  await call(OP.FUTIMENS, fd, identity, null, null, 0, as, an, ms, mn);
}

export async function truncate(root: RootHandle, relPath: string, length: number, identity: Identity, options?: ResolveOptions): Promise<void> {
  await call(OP.TRUNCATE, rootFd(root), identity, relPath, null, rflags(root, options), length);
}

export async function ftruncate(fd: number, length: number, identity: Identity): Promise<void> {
  await call(OP.FTRUNCATE, fd, identity, null, null, 0, length);
}

// Extended attributes: user.* only (EPERM for any other namespace).

export async function getxattr(root: RootHandle, relPath: string, name: string, identity: Identity, options?: ObjectOptions): Promise<Buffer> {
  return (await call(OP.GETXATTR, rootFd(root), identity, relPath, name, rflags(root, options))) as Buffer;
}

export async function fgetxattr(fd: number, name: string, identity: Identity): Promise<Buffer> {
  return (await call(OP.FGETXATTR, fd, identity, null, name)) as Buffer;
}

export interface SetXattrOptions extends ObjectOptions {
  /** Fail with EEXIST if it exists. */
  create?: boolean;
  /** Fail with ENODATA if it does not exist. */
  replace?: boolean;
}

function xflags(o?: SetXattrOptions): number {
  return (o?.create ? XATTR_CREATE : 0) | (o?.replace ? XATTR_REPLACE : 0);
}

export async function setxattr(root: RootHandle, relPath: string, name: string, value: Uint8Array, identity: Identity,
  options?: SetXattrOptions): Promise<void> {
  await call(OP.SETXATTR, rootFd(root), identity, relPath, name, rflags(root, options), xflags(options), 0, 0, 0, value);
}

export async function fsetxattr(fd: number, name: string, value: Uint8Array, identity: Identity, options?: SetXattrOptions): Promise<void> {
  await call(OP.FSETXATTR, fd, identity, null, name, 0, xflags(options), 0, 0, 0, value);
}

export async function removexattr(root: RootHandle, relPath: string, name: string, identity: Identity, options?: ObjectOptions): Promise<void> {
  await call(OP.REMOVEXATTR, rootFd(root), identity, relPath, name, rflags(root, options));
}

/** fsetxattr, then the fd's statx after the change, in one request. */
export async function fsetxattrStat(fd: number, name: string, value: Uint8Array, identity: Identity,
  options?: SetXattrOptions): Promise<Statx> {
  return Statx.from((await call(OP.FSETXATTR, fd, identity, null, name, RQ_WITH_STAT, xflags(options), 0, 0, 0, value)) as Float64Array);
}

let errnoNames: Map<number, string> | undefined;

/** 'ENOENT' for 2...: the code an Error from this module would carry. */
export function errnoCode(n: number): string {
  if (!errnoNames) {
    errnoNames = new Map();
    for (const [k, v] of Object.entries(osConstants.errno)) if (!errnoNames.has(v)) errnoNames.set(v, k);
    errnoNames.set(osConstants.errno.EOPNOTSUPP, 'EOPNOTSUPP');
  }
  return errnoNames.get(n) ?? 'EUNKNOWN';
}

/**
 * One xattr of many entries of the directory `dirPath` (beneath the root), in one request, without an object
 * per entry: for each name (one component, looked up in that directory, a symlink not followed) entry i's
 * value is buf[at[i], at[i] + len[i]), or len[i] is -errno (errnoCode() names it: ENODATA when the entry has
 * none, ENOENT when it is gone...). Rejects when the directory itself cannot be reached.
 */
export interface DirXattrsAnswer {
  buf: Buffer;
  at: Int32Array;
  len: Int32Array;
}

export async function dirXattrsRaw(root: RootHandle, dirPath: string, entryNames: readonly string[], name: string,
  identity: Identity, options?: ResolveOptions): Promise<DirXattrsAnswer> {
  const count = entryNames.length;
  let joined = '';
  for (let i = 0; i < count; i++) {
    const n = entryNames[i]!;
    if (n.includes('\0')) fail('EINVAL', 'invalid argument (NUL in a name)', 'getxattr', n);
    joined += n + '\0';
  }
  const at = new Int32Array(count);
  const len = new Int32Array(count);
  if (count === 0) return {buf: Buffer.alloc(0), at, len};
  const packed = Buffer.from(joined, 'utf8');
  const b = (await call(OP.DIRXATTRS, rootFd(root), identity, dirPath, name, rflags(root, options), 0, 0, 0, 0, packed)) as Buffer;
  let p = 0;
  for (let i = 0; i < count; i++) {
    if (p + 4 > b.length) fail('EIO', 'short answer from the addon', 'getxattr');
    const n = b.readInt32LE(p);
    p += 4;
    len[i] = n;
    at[i] = p;
    if (n < 0) continue;
    if (p + n > b.length) fail('EIO', 'short answer from the addon', 'getxattr');
    p += n;
  }
  return {buf: b, at, len};
}

export async function fremovexattr(fd: number, name: string, identity: Identity): Promise<void> {
  await call(OP.FREMOVEXATTR, fd, identity, null, name);
}

function names(b: Buffer): string[] {
  return b.length ? b.toString('utf8', 0, b.length - 1).split('\0') : [];
}

/** The user.* attribute names (others are not listed). */
export async function listxattr(root: RootHandle, relPath: string, identity: Identity, options?: ObjectOptions): Promise<string[]> {
  return names((await call(OP.LISTXATTR, rootFd(root), identity, relPath, null, rflags(root, options))) as Buffer);
}

export async function flistxattr(fd: number, identity: Identity): Promise<string[]> {
  return names((await call(OP.FLISTXATTR, fd, identity, null, null)) as Buffer);
}

export interface Statfs {
  type: number; bsize: number; blocks: number; bfree: number; bavail: number;
  files: number; ffree: number; namelen: number; frsize: number; flags: number;
}

function statfsOf(a: Float64Array): Statfs {
  return {type: a[0]!, bsize: a[1]!, blocks: a[2]!, bfree: a[3]!, bavail: a[4]!, files: a[5]!, ffree: a[6]!,
    namelen: a[7]!, frsize: a[8]!, flags: a[9]!};
}

export async function statfs(root: RootHandle, relPath: string, identity: Identity, options?: ResolveOptions): Promise<Statfs> {
  return statfsOf((await call(OP.STATFS, rootFd(root), identity, relPath, null, rflags(root, options))) as Float64Array);
}

export async function fstatfs(fd: number, identity: Identity): Promise<Statfs> {
  return statfsOf((await call(OP.FSTATFS, fd, identity, null, null)) as Float64Array);
}

/** What a worker thread looks like while switched to `identity` (diagnostics and tests). */
export async function probeCredentials(identity: Identity): Promise<{fsuid: number; fsgid: number; groups: number[]; capEffective: bigint}> {
  const a = (await call(OP.PROBE, -1, identity, null, null)) as Float64Array;
  const n = a[4]!;
  return {
    fsuid: a[0]!, fsgid: a[1]!,
    groups: Array.from(a.subarray(5, 5 + Math.min(n, STAT_FIELDS - 5))),
    capEffective: (BigInt(a[3]!) << 32n) | BigInt(a[2]!),
  };
}
