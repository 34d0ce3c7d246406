/**
 * SET_INFO FileRenameInformation and FileLinkInformation (MS-FSCC 2.4.42.2 / 2.4.24.2 for SMB2, MS-FSA
 * 2.1.5.14.11 / 2.1.5.14.6): a new name anywhere in the share, with ReplaceIfExists; the open-handle rules
 * Windows applies (the renaming open needs DELETE, every other open of the file must share delete, a
 * directory with open files below cannot move, an open target cannot be replaced).
 */
import {Access, ShareAccess} from '../../smb2/constants.js';
import {NtStatus, NtStatusError} from '../../smb2/ntstatus.js';
import {FileTable, SHARING_ACCESS} from '../../state/file-table.js';
import type {Open} from '../../state/open.js';
import type {Registry} from '../../state/registry.js';
import {fsError} from '../../vfs/errors.js';
import {parseSmbPath} from '../../vfs/paths.js';
import {PathNotFound} from '../../vfs/share-fs.js';

export interface RenameInfo {
  replace: boolean;
  name: string;
}

/** FILE_RENAME_INFORMATION_TYPE_2 / FILE_LINK_INFORMATION_TYPE_2: 20 fixed bytes, then the name. */
export function decodeRenameInfo(b: Buffer): RenameInfo {
  if (b.length < 20) throw new NtStatusError(NtStatus.INFO_LENGTH_MISMATCH);
  const replace = b[0] !== 0;
  const root = b.readBigUInt64LE(8);
  const len = b.readUInt32LE(16);
  // MS-SMB2 3.3.5.21.1: "RootDirectory ... MUST be zero"; the name must fit the buffer and be whole UTF-16.
  if (root !== 0n) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'RootDirectory');
  if (len === 0 || len % 2 !== 0 || 20 + len > b.length) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'FileNameLength');
  return {replace, name: b.toString('utf16le', 20, 20 + len)};
}

function targetComponents(name: string): string[] {
  // Clients send the full share-relative path; some prefix a backslash (Samba accepts it, so do we).
  const n = name.startsWith('\\') ? name.slice(1) : name;
  if (n.startsWith(':')) throw new NtStatusError(NtStatus.NOT_SUPPORTED, 'stream rename');
  const p = parseSmbPath(n);
  if (p.stream !== undefined) throw new NtStatusError(NtStatus.NOT_SUPPORTED, 'rename to a stream');
  if (p.components.length === 0) throw new NtStatusError(NtStatus.OBJECT_NAME_INVALID, 'empty target');
  return p.components;
}

function isBelow(rel: string, dir: string): boolean {
  return dir === '' ? rel !== '' : rel.startsWith(dir + '/');
}

/** Find the target: its on-disk path and, when it exists, its open-file entry. */
async function resolveTarget(o: Open, reg: Registry, name: string) {
  const comps = targetComponents(name);
  let look;
  try {
    look = await o.fs.lookup(comps);
  } catch (e) {
    if (e instanceof PathNotFound) throw new NtStatusError(NtStatus.OBJECT_PATH_NOT_FOUND);
    throw fsError(e, true);
  }
  const st = look.stat;
  const entry = st ? reg.files.get(FileTable.keyOf(st.dev, st.ino)) : undefined;
  return {rel: look.rel, stat: st, entry};
}

/**
 * A rename adds a name to the destination directory: an open of that directory which holds DELETE access
 * or does not share write conflicts with it (MS-FSA 2.1.5.1.2 applied to the parent, as Windows and Samba do).
 */
async function checkParentOpens(o: Open, reg: Registry, targetRel: string): Promise<void> {
  const i = targetRel.lastIndexOf('/');
  const parent = i < 0 ? '' : targetRel.slice(0, i);
  let st;
  try {
    st = await o.fs.lstat(parent);
  } catch {
    return;
  }
  const e = reg.files.get(FileTable.keyOf(st.dev, st.ino));
  if (!e) return;
  for (const other of e.opens) {
    // Opens for attributes only (no data access, no DELETE) take part in no sharing check.
    if (other === o || !(other.grantedAccess & SHARING_ACCESS)) continue;
    if (other.grantedAccess & Access.DELETE || !(other.shareAccess & ShareAccess.WRITE)) {
      throw new NtStatusError(NtStatus.SHARING_VIOLATION, 'the destination directory is open without sharing write');
    }
  }
}

export async function setRename(o: Open, reg: Registry, buf: Buffer): Promise<void> {
  const info = decodeRenameInfo(buf);
  // MS-FSA 2.1.5.14.11: "If Open.GrantedAccess does not contain DELETE ... STATUS_ACCESS_DENIED."
  if (!(o.grantedAccess & Access.DELETE)) throw new NtStatusError(NtStatus.ACCESS_DENIED, 'rename without DELETE');
  if (o.rel === '') throw new NtStatusError(NtStatus.ACCESS_DENIED, 'rename of the share root');
  for (const other of o.entry.opens) {
    if (other !== o && !(other.shareAccess & ShareAccess.DELETE)) throw new NtStatusError(NtStatus.SHARING_VIOLATION, 'another open does not share delete');
  }
  if (o.isDirectory) {
    for (const other of reg.files.opens()) {
      if (other.fs.root.path === o.fs.root.path && isBelow(other.rel, o.rel)) throw new NtStatusError(NtStatus.ACCESS_DENIED, 'open files below the directory');
    }
  }
  const target = await resolveTarget(o, reg, info.name);
  await checkParentOpens(o, reg, target.rel);
  const self = target.entry === o.entry || (target.stat && FileTable.keyOf(target.stat.dev, target.stat.ino) === o.entry.key);
  if (target.rel === o.rel) return;
  if (target.stat && !self) {
    if (!info.replace) throw new NtStatusError(NtStatus.OBJECT_NAME_COLLISION);
    if (target.stat.isDirectory) throw new NtStatusError(NtStatus.ACCESS_DENIED, 'replacing a directory');
    if (target.entry && target.entry.opens.size > 0) throw new NtStatusError(NtStatus.ACCESS_DENIED, 'target is open');
  }
  try {
    await o.fs.rename(o.rel, target.rel, info.replace || !!self);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new NtStatusError(NtStatus.OBJECT_NAME_COLLISION);
    throw fsError(e, true);
  }
  const from = o.rel;
  for (const other of o.entry.opens) if (other.rel === from) other.rel = target.rel;
}

export async function setLink(o: Open, reg: Registry, buf: Buffer): Promise<void> {
  const info = decodeRenameInfo(buf);
  if (o.isDirectory) throw new NtStatusError(NtStatus.FILE_IS_A_DIRECTORY, 'hard link to a directory');
  const target = await resolveTarget(o, reg, info.name);
  if (target.stat) {
    if (!info.replace) throw new NtStatusError(NtStatus.OBJECT_NAME_COLLISION);
    if (target.stat.isDirectory) throw new NtStatusError(NtStatus.ACCESS_DENIED, 'replacing a directory');
    if (target.entry && target.entry.opens.size > 0) throw new NtStatusError(NtStatus.ACCESS_DENIED, 'target is open');
    try {
      await o.fs.unlink(target.rel);
    } catch (e) {
      throw fsError(e, true);
    }
  }
  try {
    await o.fs.link(o.rel, target.rel);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new NtStatusError(NtStatus.OBJECT_NAME_COLLISION);
    throw fsError(e, true);
  }
}
