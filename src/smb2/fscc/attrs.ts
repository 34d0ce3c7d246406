/**
 * What FSCC structures say about a file, from its Unix stat: times as FILETIME, sizes, DOS attributes
 * (MS-FSCC 2.6) and the file id. Until DOS attributes are stored in `user.DOSATTRIB` (next issue) they are
 * derived from the mode: read-only without the owner's write bit, hidden for dot files when the share hides them.
 */
import {FileAttributes} from '../constants.js';
import type {VfsStat} from '../../vfs/types.js';
import {filetimeFromUnixNs} from '../../wire/filetime.js';

export interface FileTimes {
  creation: bigint;
  lastAccess: bigint;
  lastWrite: bigint;
  change: bigint;
}

export function fileTimes(st: VfsStat): FileTimes {
  // No birth time on every file system: the oldest time we know stands in for it.
  const birth = st.birthtimeNs > 0n ? st.birthtimeNs : st.mtimeNs < st.ctimeNs ? st.mtimeNs : st.ctimeNs;
  return {
    creation: filetimeFromUnixNs(birth),
    lastAccess: filetimeFromUnixNs(st.atimeNs),
    lastWrite: filetimeFromUnixNs(st.mtimeNs),
    change: filetimeFromUnixNs(st.ctimeNs),
  };
}

export function dosAttributes(st: VfsStat, name: string, hideDotFiles: boolean): number {
  let a = 0;
  if (st.isDirectory) a |= FileAttributes.DIRECTORY;
  else {
    a |= FileAttributes.ARCHIVE;
    if ((st.mode & 0o200) === 0) a |= FileAttributes.READONLY;
  }
  if (hideDotFiles && name.startsWith('.') && name !== '.' && name !== '..') a |= FileAttributes.HIDDEN;
  return a === 0 ? FileAttributes.NORMAL : a;
}

/** AllocationSize: what the file system allocated (directories report 0, as Windows does). */
export function allocationSize(st: VfsStat): bigint {
  return st.isDirectory ? 0n : st.blocks * 512n;
}

export function endOfFile(st: VfsStat): bigint {
  return st.isDirectory ? 0n : st.size;
}

/** FileId / IndexNumber: the inode number (unique within the share's file system). */
export function fileIndexNumber(st: VfsStat): bigint {
  return BigInt.asUintN(64, st.ino);
}
