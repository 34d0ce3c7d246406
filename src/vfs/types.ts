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
