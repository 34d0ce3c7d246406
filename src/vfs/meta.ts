/**
 * DOS attributes and the creation time of a file (MS-FSCC 2.6), kept in `user.DOSATTRIB` in Samba's
 * format when the share stores DOS attributes (`store dos attributes`, the default) and the file system
 * takes user xattrs; otherwise derived from the mode: read-only without the owner's write bit. Hidden is
 * added for dot files when the share hides them (`hide dot files`). Directories always carry DIRECTORY.
 */
import {FileAttributes} from '../smb2/constants.js';
import {filetimeFromUnixNs, unixNsFromFiletime} from '../wire/filetime.js';
import {decodeDosAttrib, DOSATTRIB_XATTR, encodeDosAttrib} from './dos-attrib.js';
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
  let a = stored === undefined ? modeAttributes(st) : stored & (SETTABLE_ATTRIBUTES | FileAttributes.SPARSE_FILE);
  if (st.isDirectory) a = (a | FileAttributes.DIRECTORY) & ~FileAttributes.TEMPORARY;
  else a &= ~FileAttributes.DIRECTORY;
  if (hideDotFiles && name.startsWith('.') && name !== '.' && name !== '..') a |= FileAttributes.HIDDEN;
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
 * fileMeta for many entries of directory `dir` that are neither symlinks nor `.`/`..`, reading their
 * user.DOSATTRIB in one request: undefined for an entry that is gone (as fileMeta's ENOENT). Errors of the
 * request itself (the directory cannot be reached) reject; the caller can then ask entry by entry.
 */
export async function dirEntryMetas(fs: ShareFs, dir: string, entries: readonly {name: string; stat: VfsStat}[]): Promise<(FileMeta | undefined)[]> {
  if (!fs.options.storeDosAttributes || !fs.xattrs) return entries.map((e) => metaFromBlob(fs, e.stat, e.name, undefined));
  const values = await fs.dirXattrs(dir, entries.map((e) => e.name), DOSATTRIB_XATTR);
  return entries.map((e, i) => {
    const v = values[i]!;
    if (typeof v !== 'string') return metaFromBlob(fs, e.stat, e.name, v);
    if (NO_XATTR.has(v)) fs.xattrs = false;
    // Gone since it was listed: left out (a listing shows what exists when it is read).
    if (v === 'ENOENT') return undefined;
    return metaFromBlob(fs, e.stat, e.name, undefined); // ENODATA (never set), EACCES (not readable by this user)...
  });
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
