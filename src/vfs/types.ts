/**
 * The file access interface every handler goes through. Every call names the Unix identity it acts for
 * (the tree's identity: the session's account with `force user` / `force group` applied), so that the
 * implementation can run it with that account's credentials (DESIGN habit 7).
 *
 * Paths given here are absolute host paths the caller built with resolveSharePath() (src/vfs/paths.ts):
 * share root + validated components. Containment against symlinks is checked by `contained()`.
 */
import type {UnixIdentity} from '../ipc/types.js';

export type {UnixIdentity};

export interface VfsStat {
  dev: bigint;
  ino: bigint;
  mode: number;
  nlink: number;
  uid: number;
  gid: number;
  size: bigint;
  /** 512-byte blocks allocated. */
  blocks: bigint;
  blksize: number;
  atimeNs: bigint;
  mtimeNs: bigint;
  ctimeNs: bigint;
  /** Birth time when the file system has one, else 0n. */
  birthtimeNs: bigint;
  isDirectory: boolean;
  isFile: boolean;
  isSymlink: boolean;
}

export interface VfsStatFs {
  /** Fundamental block size. */
  bsize: number;
  blocks: number;
  bfree: number;
  /** Blocks free to an unprivileged caller. */
  bavail: number;
}

/** An open regular file (directories are opened by path). */
export interface VfsFile {
  stat(): Promise<VfsStat>;
  truncate(size: number): Promise<void>;
  close(): Promise<void>;
}

export interface Vfs {
  /** Whether calls really run with the given identity (false until per-user credentials exist). */
  readonly appliesIdentity: boolean;
  stat(id: UnixIdentity, path: string): Promise<VfsStat>;
  lstat(id: UnixIdentity, path: string): Promise<VfsStat>;
  /** Names in a directory, without `.` and `..`. */
  readdir(id: UnixIdentity, path: string): Promise<string[]>;
  statfs(id: UnixIdentity, path: string): Promise<VfsStatFs>;
  /** Open an existing regular file; `write` asks for read-write access. */
  open(id: UnixIdentity, path: string, write: boolean): Promise<VfsFile>;
  /** Create a regular file that must not exist yet (O_CREAT|O_EXCL), owned by `id`. */
  create(id: UnixIdentity, path: string, mode: number): Promise<VfsFile>;
  /** Create a directory that must not exist yet, owned by `id`. */
  mkdir(id: UnixIdentity, path: string, mode: number): Promise<void>;
  /** Remove a file or an empty directory (delete-on-close). */
  remove(id: UnixIdentity, path: string, directory: boolean): Promise<void>;
  /**
   * True when `path` (or, if it does not exist, its parent) resolves inside `root` after following
   * symlinks: the guard against a symlink that leads out of the share.
   */
  contained(id: UnixIdentity, root: string, path: string): Promise<boolean>;
}
