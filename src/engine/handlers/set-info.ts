/**
 * SET_INFO (MS-SMB2 3.3.5.21, MS-FSA 2.1.5.14): file classes basic (times with the 0 / -1 / -2 rules,
 * attributes), end-of-file, allocation, rename, hard link, disposition (and ex), position, mode, valid data
 * length. Every change runs with the tree's identity on the open's descriptor. Security descriptors,
 * quotas and file system classes are refused.
 */
import {Access, FileAttributes, FileInfoClass, InfoType} from '../../smb2/constants.js';
import {breakLevelII} from '../../oplock/breaks.js';
import {decodeSetInfoRequest, encodeSetInfoResponse} from '../../smb2/messages/set-info.js';
import {NtStatus, NtStatusError} from '../../smb2/ntstatus.js';
import type {Open} from '../../state/open.js';
import {fsError} from '../../vfs/errors.js';
import * as ops from '../../vfs/identity-ops.js';
import {storeMeta} from '../../vfs/meta.js';
import {readStream, STREAM_SIZE_MAX, writeStream} from '../../vfs/streams.js';
import {decodeSd, mergeSd, readStoredSd, sdFromMode, SecInfo, storeSd} from '../../vfs/ntacl.js';
import {unixNsFromFiletime} from '../../wire/filetime.js';
import type {Reader} from '../../wire/reader.js';
import {reply, type HandlerResult, type RequestContext} from '../context.js';
import {checkAlive, openMeta, requireAccess, resolveOpen} from './files.js';
import {setLink, setRename} from './set-info-rename.js';

const MAX_SIZE = 0x7fffffffffffffffn;
const SUSPEND = 0xffffffffffffffffn;
const RESUME = 0xfffffffffffffffen;
/** Fixed size of each class a client may set (a shorter buffer is STATUS_INFO_LENGTH_MISMATCH). */
const MIN_SIZE: Record<number, number> = {
  [FileInfoClass.FileBasicInformation]: 36,
  [FileInfoClass.FileRenameInformation]: 20,
  [FileInfoClass.FileLinkInformation]: 20,
  [FileInfoClass.FileDispositionInformation]: 1,
  [FileInfoClass.FilePositionInformation]: 8,
  [FileInfoClass.FileFullEaInformation]: 8,
  [FileInfoClass.FileModeInformation]: 4,
  [FileInfoClass.FileAllocationInformation]: 8,
  [FileInfoClass.FileEndOfFileInformation]: 8,
  [FileInfoClass.FileValidDataLengthInformation]: 8,
  [FileInfoClass.FileShortNameInformation]: 4,
  [FileInfoClass.FileDispositionInformationEx]: 4,
};

function timeSpec(ft: bigint): {sec: number; nsec: number} {
  const ns = unixNsFromFiletime(ft);
  const sec = ns / 1_000_000_000n;
  let nsec = ns % 1_000_000_000n;
  let s = sec;
  if (nsec < 0n) {
    nsec += 1_000_000_000n;
    s -= 1n;
  }
  return {sec: Number(s), nsec: Number(nsec)};
}

async function setBasic(o: Open, b: Buffer): Promise<void> {
  requireAccess(o, Access.FILE_WRITE_ATTRIBUTES, 'FileBasicInformation');
  const [creation, access, write, change] = [0, 8, 16, 24].map((at) => b.readBigUInt64LE(at)) as [bigint, bigint, bigint, bigint];
  const attrs = b.readUInt32LE(32);
  for (const t of [creation, access, write, change]) {
    // MS-FSA 2.1.5.14.2: any other negative time is STATUS_INVALID_PARAMETER.
    if (t > MAX_SIZE && t !== SUSPEND && t !== RESUME) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'negative time');
  }
  if (attrs & FileAttributes.DIRECTORY && !o.isDirectory) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'DIRECTORY on a file');
  if (attrs & FileAttributes.TEMPORARY && o.isDirectory) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'TEMPORARY on a directory');
  const fs = o.fs;
  const set = (t: bigint) => t !== 0n && t !== SUSPEND && t !== RESUME;
  try {
    if (set(access) || set(write)) {
      await ops.futimens(o.fd, set(access) ? timeSpec(access) : 'omit', set(write) ? timeSpec(write) : 'omit', fs.id);
    }
    if (write === SUSPEND) {
      const st = await fs.fstat(o.fd);
      o.frozenWriteTime = {sec: Number(st.mtimeNs / 1_000_000_000n), nsec: Number(st.mtimeNs % 1_000_000_000n)};
    } else if (write === RESUME) o.frozenWriteTime = undefined;
    else if (set(write) && o.frozenWriteTime) o.frozenWriteTime = timeSpec(write);
    if (set(creation) || attrs !== 0) {
      const m = await openMeta(o);
      const newAttrs = attrs === 0 ? m.attributes : attrs === FileAttributes.NORMAL ? 0 : attrs;
      // The stored creation time stays unless a new one is given (storeMeta takes it from m's stat).
      await storeMeta(fs, o.fd, m.stat, newAttrs, set(creation) ? creation : undefined);
    }
  } catch (e) {
    if (e instanceof NtStatusError) throw e;
    throw fsError(e);
  }
}

async function setEndOfFile(o: Open, size: bigint, allocation: boolean): Promise<void> {
  if (o.isDirectory) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'size of a directory');
  requireAccess(o, Access.FILE_WRITE_DATA, allocation ? 'FileAllocationInformation' : 'FileEndOfFileInformation');
  if (size > MAX_SIZE) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'size');
  // MS-FSA 2.1.4.12: a size change, like a write, takes LEVEL_II oplocks away from the file's other opens.
  breakLevelII(o);
  if (o.stream) return setStreamSize(o, size, allocation);
  try {
    if (allocation) {
      // MS-FSA 2.1.5.14.1: an allocation below the end of file truncates; a larger one reserves nothing here.
      const st = await o.fs.fstat(o.fd);
      if (size < st.size) await ops.ftruncate(o.fd, Number(size), o.fs.id);
    } else await ops.ftruncate(o.fd, Number(size), o.fs.id);
  } catch (e) {
    throw fsError(e);
  }
}

/** End of file (or a smaller allocation) of a named stream: the xattr value cut or zero-extended. */
async function setStreamSize(o: Open, size: bigint, allocation: boolean): Promise<void> {
  try {
    const old = await readStream(o.fs, o.fd, o.stream!.xattr);
    if (allocation && size >= BigInt(old.length)) return;
    if (size > BigInt(STREAM_SIZE_MAX)) throw new NtStatusError(NtStatus.DISK_FULL, 'stream larger than an xattr value');
    const next = Buffer.alloc(Number(size));
    old.copy(next, 0, 0, Math.min(old.length, next.length));
    await writeStream(o.fs, o.fd, o.stream!.xattr, next);
  } catch (e) {
    if (e instanceof NtStatusError) throw e;
    throw fsError(e);
  }
}

async function setDisposition(o: Open, deleteIt: boolean, onClose: boolean): Promise<void> {
  requireAccess(o, Access.DELETE, 'FileDispositionInformation');
  if (deleteIt) {
    if (o.rel === '' && !o.stream) throw new NtStatusError(NtStatus.ACCESS_DENIED, 'delete of the share root');
    const m = await openMeta(o);
    if (m.attributes & FileAttributes.READONLY && !o.isDirectory) throw new NtStatusError(NtStatus.CANNOT_DELETE, 'read-only file');
    if (o.isDirectory) {
      let entries;
      try {
        entries = await o.fs.readdir(o.rel);
      } catch (e) {
        throw fsError(e);
      }
      if (entries.length > 0) throw new NtStatusError(NtStatus.DIRECTORY_NOT_EMPTY);
    }
    checkAlive(o);
  }
  if (onClose) {
    o.deleteOnClose = deleteIt;
    return;
  }
  const e = o.entry;
  e.deletePending = deleteIt;
  e.deleteBy = deleteIt ? {fs: o.fs, rel: o.rel, directory: o.isDirectory, stream: o.stream?.xattr} : undefined;
  if (!deleteIt) for (const other of e.opens) other.deleteOnClose = false;
}

/** 3.3.5.21.3: WRITE_DAC for the DACL, WRITE_OWNER for owner and group; the descriptor is kept as given. */
async function setSecurity(o: Open, info: number, b: Buffer): Promise<void> {
  if (info & SecInfo.DACL) requireAccess(o, Access.WRITE_DAC, 'set DACL');
  if (info & (SecInfo.OWNER | SecInfo.GROUP)) requireAccess(o, Access.WRITE_OWNER, 'set owner');
  if (!o.tree.writable) throw new NtStatusError(NtStatus.ACCESS_DENIED, 'read-only share');
  let update;
  try {
    update = decodeSd(b);
  } catch {
    throw new NtStatusError(NtStatus.INVALID_SECURITY_DESCR);
  }
  if ((info & (SecInfo.OWNER | SecInfo.GROUP | SecInfo.DACL)) === 0) return; // SACL only: nothing we keep
  const m = await openMeta(o);
  const current = (await readStoredSd(o.fs, {fd: o.fd})) ?? sdFromMode(m.stat);
  try {
    await storeSd(o.fs, o.fd, mergeSd(current, update, info));
  } catch (e) {
    throw fsError(e);
  }
}

async function setFileInfo(ctx: RequestContext, o: Open, cls: number, b: Buffer): Promise<void> {
  const min = MIN_SIZE[cls];
  if (min === undefined) throw new NtStatusError(NtStatus.INVALID_INFO_CLASS);
  if (b.length < min) throw new NtStatusError(NtStatus.INFO_LENGTH_MISMATCH);
  switch (cls) {
    case FileInfoClass.FileBasicInformation:
      return setBasic(o, b);
    case FileInfoClass.FileEndOfFileInformation:
      return setEndOfFile(o, b.readBigUInt64LE(0), false);
    case FileInfoClass.FileAllocationInformation:
      return setEndOfFile(o, b.readBigUInt64LE(0), true);
    case FileInfoClass.FileValidDataLengthInformation: {
      requireAccess(o, Access.FILE_WRITE_DATA, 'FileValidDataLengthInformation');
      const st = await o.fs.fstat(o.fd);
      if (b.readBigUInt64LE(0) > st.size) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'beyond the end of file');
      return;
    }
    case FileInfoClass.FileRenameInformation:
      if (!ctx.tree!.writable) throw new NtStatusError(NtStatus.ACCESS_DENIED);
      if (o.stream) throw new NtStatusError(NtStatus.NOT_SUPPORTED, 'stream rename');
      return setRename(o, ctx.server.registry, b);
    case FileInfoClass.FileLinkInformation:
      if (!ctx.tree!.writable) throw new NtStatusError(NtStatus.ACCESS_DENIED);
      if (o.stream) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'hard link of a stream');
      return setLink(o, ctx.server.registry, b);
    case FileInfoClass.FileDispositionInformation:
      return setDisposition(o, (b[0]! & 1) !== 0, false);
    case FileInfoClass.FileDispositionInformationEx: {
      // 2.4.12: DELETE 0x1, POSIX_SEMANTICS 0x2, ON_CLOSE 0x8, IGNORE_READONLY_ATTRIBUTE 0x10.
      const f = b.readUInt32LE(0);
      if (f & ~0x1f) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'disposition flags');
      return setDisposition(o, (f & 1) !== 0, (f & 8) !== 0);
    }
    case FileInfoClass.FilePositionInformation: {
      const pos = b.readBigUInt64LE(0);
      if (pos > MAX_SIZE) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'position');
      o.position = pos;
      return;
    }
    case FileInfoClass.FileModeInformation: {
      // 2.4.26: only WRITE_THROUGH, SEQUENTIAL_ONLY, NO_INTERMEDIATE_BUFFERING and the SYNCHRONOUS_IO pair.
      const mode = b.readUInt32LE(0);
      if (mode & ~0x3e || (mode & 0x30) === 0x30) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'mode');
      if ((mode & 0x30) !== (o.mode & 0x30)) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'synchronous mode is fixed at open');
      o.mode = mode;
      return;
    }
    case FileInfoClass.FileFullEaInformation:
      throw new NtStatusError(NtStatus.EAS_NOT_SUPPORTED);
    case FileInfoClass.FileShortNameInformation:
      throw new NtStatusError(NtStatus.NOT_SUPPORTED, 'short names');
  }
}

export async function handleSetInfo(ctx: RequestContext, body: Reader): Promise<HandlerResult> {
  const req = decodeSetInfoRequest(body);
  const o = resolveOpen(ctx, req.fileId);
  // 3.3.5.21: "If BufferLength is greater than Connection.MaxTransactSize ... STATUS_INVALID_PARAMETER".
  if (req.buffer.length > ctx.conn.maxTransactSize) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'BufferLength');
  switch (req.infoType) {
    case InfoType.FILE:
      await setFileInfo(ctx, o, req.fileInfoClass, req.buffer);
      break;
    case InfoType.FILESYSTEM:
      throw new NtStatusError(NtStatus.NOT_SUPPORTED, 'file system information cannot be set here');
    case InfoType.SECURITY:
      await setSecurity(o, req.additionalInformation, req.buffer);
      break;
    case InfoType.QUOTA:
      throw new NtStatusError(NtStatus.NOT_SUPPORTED, 'quotas are not served');
    default:
      throw new NtStatusError(NtStatus.INVALID_PARAMETER, `InfoType ${req.infoType}`);
  }
  checkAlive(o);
  return reply(encodeSetInfoResponse, undefined);
}
