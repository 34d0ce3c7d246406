/**
 * What the engine knows about a file, as the FSCC encoders (src/smb2/fscc) read it. File access itself
 * goes through ShareFs (src/vfs/share-fs.ts): the tree's identity, contained in the share root.
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

/**
 * A stat as the identity addon hands it out (src/vfs/identity-ops.ts): STAT_FIELDS numbers of statx, at the
 * offsets of STAT. Listings keep the stats of a whole directory this way, one row after the other, and the
 * directory entry encoders read them without making a VfsStat (or any object) per entry.
 */
export const STAT_FIELDS = 22;
export const STAT = Object.freeze({
  DEV: 0, INO_HI: 1, INO_LO: 2, MODE: 3, NLINK: 4, UID: 5, GID: 6, RDEV: 7, SIZE: 8, BLOCKS: 9, BLKSIZE: 10,
  ATIME_SEC: 11, ATIME_NSEC: 12, MTIME_SEC: 13, MTIME_NSEC: 14, CTIME_SEC: 15, CTIME_NSEC: 16, BTIME_SEC: 17, BTIME_NSEC: 18,
  /** statx's stx_mask (STATX_BTIME set when the birth time is known); negative: -errno, the stat failed. */
  MASK: 19, ATTRIBUTES: 20, MNT_ID: 21,
});
export const STATX_BTIME = 0x800;
