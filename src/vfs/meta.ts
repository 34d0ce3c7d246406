/**
 * DOS attributes and the creation time of a file (MS-FSCC 2.6), kept in `user.DOSATTRIB` in Samba's
 * format when the share stores DOS attributes (`store dos attributes`, the default) and the file system
 * takes user xattrs; otherwise derived from the mode: read-only without the owner's write bit. Hidden is
 * added for dot files when the share hides them (`hide dot files`). Directories always carry DIRECTORY.
 */
import {constants as osConstants} from 'node:os';
import {FileAttributes} from '../smb2/constants.js';
import {filetimeFromUnixNs, unixNsFromFiletime} from '../wire/filetime.js';
import {decodeDosAttrib, decodeDosAttribAt, DOSATTRIB_XATTR, encodeDosAttrib, type DosInfoNumbers} from './dos-attrib.js';
import * as ops from './identity-ops.js';
import type {ShareFs} from './share-fs.js';
import type {VfsStat} from './types.js';

export interface FileMeta {
  /** The stat, with birthtimeNs replaced by the stored creation time when there is one. */
  stat: VfsStat;
  attributes: number;
}

/** Attribute bits a client may set and we keep (MS-FSCC 2.6 minus DIRECTORY and the FS-owned ones). */
export const SETTABLE_ATTRIBUTES =
  FileAttributes.READONLY | FileAttributes.HIDDEN | FileAttributes.SYSTEM | FileAttributes.ARCHIVE |
  FileAttributes.TEMPORARY | FileAttributes.OFFLINE | FileAttributes.NOT_CONTENT_INDEXED;

const NO_XATTR = new Set(['ENOTSUP', 'EOPNOTSUPP']);

export function modeAttributes(st: VfsStat): number {
  if (st.isDirectory) return FileAttributes.DIRECTORY;
  let a: number = FileAttributes.ARCHIVE;
  if ((st.mode & 0o200) === 0) a |= FileAttributes.READONLY;
  return a;
}

/** Final attribute word: the stored or derived bits, DIRECTORY from the file type, hidden dot files, NORMAL for none. */
export function finishAttributes(st: VfsStat, stored: number | undefined, name: string, hideDotFiles: boolean): number {
  return finishAttributesOf(st.isDirectory, st.mode, stored ?? -1, name, hideDotFiles);
}

/** finishAttributes from the file type and mode (a listing's stat rows); `stored` -1: none stored. */
export function finishAttributesOf(isDirectory: boolean, mode: number, stored: number, name: string, hideDotFiles: boolean): number {
  let a: number;
  if (stored >= 0) a = stored & (SETTABLE_ATTRIBUTES | FileAttributes.SPARSE_FILE);
  else if (isDirectory) a = FileAttributes.DIRECTORY;
  else a = (mode & 0o200) === 0 ? FileAttributes.ARCHIVE | FileAttributes.READONLY : FileAttributes.ARCHIVE;
  if (isDirectory) a = (a | FileAttributes.DIRECTORY) & ~FileAttributes.TEMPORARY;
  else a &= ~FileAttributes.DIRECTORY;
  // A dot file other than `.` and `..`.
  if (hideDotFiles && name.charCodeAt(0) === 0x2e && name !== '.' && name !== '..') a |= FileAttributes.HIDDEN;
  return a === 0 ? FileAttributes.NORMAL : a;
}

async function readBlob(fs: ShareFs, where: {fd: number} | {rel: string}): Promise<Buffer | undefined> {
  if (!fs.options.storeDosAttributes || !fs.xattrs) return undefined;
  try {
    return 'fd' in where
      ? await ops.fgetxattr(where.fd, DOSATTRIB_XATTR, fs.id)
      : await ops.getxattr(fs.root, where.rel, DOSATTRIB_XATTR, fs.id, {noFollow: !fs.options.followSymlinks});
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (NO_XATTR.has(code)) fs.xattrs = false;
    // Gone since it was listed: the caller leaves it out (a listing shows what exists when it is read).
    if (code === 'ENOENT') throw e;
    return undefined; // ENODATA (never set), EACCES (not readable by this user), a symlink...
  }
}

export async function fileMeta(fs: ShareFs, st: VfsStat, name: string, where: {fd: number} | {rel: string}): Promise<FileMeta> {
  return metaFromBlob(fs, st, name, st.isSymlink ? undefined : await readBlob(fs, where));
}

/** What fileMeta makes of a user.DOSATTRIB value (undefined: none could be read). */
export function metaFromBlob(fs: ShareFs, st: VfsStat, name: string, blob: Buffer | undefined): FileMeta {
  const info = blob ? decodeDosAttrib(blob) : undefined;
  const stat = info?.createTime !== undefined ? {...st, birthtimeNs: unixNsFromFiletime(info.createTime)} : st;
  return {stat, attributes: finishAttributes(st, info?.attributes, name, fs.options.hideDotFiles)};
}

/**
 * The user.DOSATTRIB values of many entries of directory `dir` (names in it, neither symlinks nor `.`/`..`) in
 * one request, as the addon answers (identity-ops DirXattrsAnswer); undefined when the share keeps no DOS
 * attributes in xattrs (each entry's attributes then come from its mode). Rejects when the directory cannot
 * be reached; the caller can then ask entry by entry (fileMeta).
 */
export async function dirDosBlobs(fs: ShareFs, dir: string, names: readonly string[]): Promise<ops.DirXattrsAnswer | undefined> {
  if (!fs.options.storeDosAttributes || !fs.xattrs) return undefined;
  return ops.dirXattrsRaw(fs.root, dir, names, DOSATTRIB_XATTR, fs.id);
}

const ENOENT = osConstants.errno.ENOENT;
const ENOTSUP = osConstants.errno.ENOTSUP;
const EOPNOTSUPP = osConstants.errno.EOPNOTSUPP;

/**
 * What entry i of a dirDosBlobs answer says, as fileMeta would take it: false when the entry is gone (a
 * listing leaves it out); otherwise true and `out` holds the stored attributes and creation time (-1 where
 * none: no value, unreadable, not understood). A file system without user xattrs turns fs.xattrs off.
 */
export function dirDosBlobAt(fs: ShareFs, r: ops.DirXattrsAnswer, i: number, out: DosInfoNumbers): boolean {
  const n = r.len[i]!;
  if (n >= 0 && decodeDosAttribAt(r.buf, r.at[i]!, r.at[i]! + n, out)) return true;
  out.attributes = -1;
  out.createHi = -1;
  out.createLo = 0;
  if (n === -ENOENT) return false;
  if (n === -ENOTSUP || n === -EOPNOTSUPP) fs.xattrs = false;
  return true; // ENODATA (never set), EACCES (not readable by this user)...
}

/**
 * storeMeta for an object just created through `fd`, when the attributes go to user.DOSATTRIB: the store and
 * the stat after it (the xattr moves ctime) in one request, and the attributes and creation time computed
 * from the blob stored, which is what fileMeta would read back. Only when the new object's owner (the
 * identity) may read and write it, so that reading it back could not have failed; undefined otherwise, or
 * when the store failed: the caller then takes the long way (storeMeta, fileMeta, fstat).
 */
export async function storeNewMeta(fs: ShareFs, fd: number, st: VfsStat, attributes: number, createTime: bigint | undefined,
  name: string): Promise<FileMeta | undefined> {
  if (!fs.options.storeDosAttributes || !fs.xattrs || st.uid !== fs.id.uid || (st.mode & 0o600) !== 0o600) return undefined;
  const keep = attributes & (SETTABLE_ATTRIBUTES | FileAttributes.SPARSE_FILE);
  const birth = createTime ?? (st.birthtimeNs > 0n ? filetimeFromUnixNs(st.birthtimeNs) : undefined);
  const blob = encodeDosAttrib(keep | (st.isDirectory ? FileAttributes.DIRECTORY : 0), birth);
  let after: VfsStat;
  try {
    after = await fs.setxattrStat(fd, DOSATTRIB_XATTR, blob);
  } catch {
    return undefined;
  }
  const info = decodeDosAttrib(blob);
  return {
    stat: {...after, birthtimeNs: info?.createTime !== undefined ? unixNsFromFiletime(info.createTime) : st.birthtimeNs},
    attributes: finishAttributes(st, info?.attributes, name, fs.options.hideDotFiles),
  };
}

/**
 * Store attributes (and the creation time) for an open object. Without xattrs, only READONLY can be
 * kept, as the owner's write bit (and the other write bits with it).
 */
export async function storeMeta(fs: ShareFs, fd: number, st: VfsStat, attributes: number, createTime: bigint | undefined): Promise<void> {
  const keep = attributes & (SETTABLE_ATTRIBUTES | FileAttributes.SPARSE_FILE);
  if (fs.options.storeDosAttributes && fs.xattrs) {
    const birth = createTime ?? (st.birthtimeNs > 0n ? filetimeFromUnixNs(st.birthtimeNs) : undefined);
    try {
      await ops.fsetxattr(fd, DOSATTRIB_XATTR, encodeDosAttrib(keep | (st.isDirectory ? FileAttributes.DIRECTORY : 0), birth), fs.id);
      return;
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code ?? '';
      if (!NO_XATTR.has(code)) throw e;
      fs.xattrs = false;
    }
  }
  if (st.isDirectory) return;
  const readonly = (keep & FileAttributes.READONLY) !== 0;
  const mode = readonly ? st.mode & ~0o222 & 0o7777 : (st.mode | 0o200) & 0o7777;
  if (mode !== (st.mode & 0o7777)) await ops.fchmod(fd, mode, fs.id);
}
