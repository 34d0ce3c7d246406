/**
 * Named data streams (MS-FSCC 2.1.5.1 `file:stream:$DATA`) kept in user xattrs the way Samba's
 * vfs_streams_xattr and ksmbd keep them, so a share moves between the three servers with its streams:
 *
 * - the stream `name` of `file:name:$DATA` lives in `user.DosStream.name:$DATA` on the base file (or
 *   directory); the name is stored as the client spelled it and found again case-insensitively (Samba
 *   resolves names against the stream list, ksmbd compares xattr names with strncasecmp);
 * - the value is the stream's bytes followed by one NUL byte: Samba writes it that way ("xattrs need at
 *   least 1 byte") and reports length - 1 as the stream size. ksmbd writes the bytes without the NUL, so a
 *   stream ksmbd wrote shows one byte less here (and in Samba), and one we wrote one byte more in ksmbd.
 *
 * A stream is limited by the file system's xattr value size (Linux: 64 KiB at most, ext4 about one block
 * unless ea_inode): a write beyond it is STATUS_DISK_FULL.
 */
import {NtStatus, NtStatusError} from '../smb2/ntstatus.js';
import * as ops from './identity-ops.js';
import type {ShareFs} from './share-fs.js';
import type {VfsStat} from './types.js';

export const STREAM_XATTR_PREFIX = 'user.DosStream.';
const DATA_TYPE = ':$DATA';
/** Linux XATTR_SIZE_MAX: no value is ever larger (the NUL included). */
export const XATTR_VALUE_MAX = 65536;
/** The largest stream that fits one value with Samba's trailing NUL. */
export const STREAM_SIZE_MAX = XATTR_VALUE_MAX - 1;
/** MS-FSCC 2.1.5.1: a stream name is at most 255 characters, none of them `\`, `/`, `:` or NUL. */
const MAX_STREAM_NAME = 255;
const INVALID_STREAM_CHARS = /[\x00\\/:]/;

/** What follows the file name in the last component of a path. */
export type StreamSpec = {kind: 'none'} | {kind: 'default'} | {kind: 'named'; name: string} | {kind: 'directory'};

/**
 * Split `name[:stream[:type]]` (MS-FSCC 2.1.5.1). `::$DATA` is the unnamed data stream; `::$INDEX_ALLOCATION`
 * and `:$I30:$INDEX_ALLOCATION` name a directory itself; any other type, an empty name with no type, or
 * a name with characters streams cannot hold is STATUS_OBJECT_NAME_INVALID.
 */
export function splitStream(component: string): {name: string; stream: StreamSpec} {
  const colon = component.indexOf(':');
  if (colon < 0) return {name: component, stream: {kind: 'none'}};
  const name = component.slice(0, colon);
  const rest = component.slice(colon + 1).split(':');
  if (rest.length > 2) throw new NtStatusError(NtStatus.OBJECT_NAME_INVALID, 'too many colons');
  const sname = rest[0]!;
  const type = rest.length === 2 ? rest[1]!.toUpperCase() : undefined;
  if (type === '$INDEX_ALLOCATION' && (sname === '' || sname.toUpperCase() === '$I30')) return {name, stream: {kind: 'directory'}};
  if (type !== undefined && type !== '$DATA') throw new NtStatusError(NtStatus.OBJECT_NAME_INVALID, `stream type ${rest[1]}`);
  if (sname === '') {
    if (type === undefined) throw new NtStatusError(NtStatus.OBJECT_NAME_INVALID, 'empty stream name');
    return {name, stream: {kind: 'default'}};
  }
  if (sname.length > MAX_STREAM_NAME || INVALID_STREAM_CHARS.test(sname)) throw new NtStatusError(NtStatus.OBJECT_NAME_INVALID, 'invalid stream name');
  return {name, stream: {kind: 'named', name: sname}};
}

/** The xattr that holds stream `name` (store_stream_type = yes, Samba's default and ksmbd's only form). */
export function streamXattrName(name: string): string {
  return STREAM_XATTR_PREFIX + name + DATA_TYPE;
}

/**
 * The stream name an xattr holds, or undefined for other xattrs. Names without the type suffix
 * (Samba's `streams_xattr:store_stream_type = no`) are data streams too; ksmbd's directory-stream
 * form (`:$INDEX_ALLOCATION`) and the bare prefix are not data streams.
 */
export function streamNameOfXattr(xattr: string): string | undefined {
  if (!xattr.startsWith(STREAM_XATTR_PREFIX)) return undefined;
  let s = xattr.slice(STREAM_XATTR_PREFIX.length);
  if (s.toUpperCase().endsWith(DATA_TYPE)) s = s.slice(0, -DATA_TYPE.length);
  else if (s.includes(':')) return undefined;
  return s === '' ? undefined : s;
}

/** Stream names compare without case (MS-FSCC 2.1.5.1: like file names). */
export function sameStreamName(a: string, b: string): boolean {
  return a === b || a.toUpperCase() === b.toUpperCase();
}

/** The stream's bytes from an xattr value: everything but Samba's trailing NUL (an empty value is empty). */
export function decodeStreamValue(value: Buffer): Buffer {
  return value.length === 0 ? value : value.subarray(0, value.length - 1);
}

/** The xattr value for stream bytes: the bytes and one NUL. */
export function encodeStreamValue(data: Uint8Array): Buffer {
  const b = Buffer.alloc(data.length + 1);
  b.set(data, 0);
  return b;
}

export interface StreamEntry {
  /** The name as stored (the case the creator used). */
  name: string;
  xattr: string;
  size: number;
}

const NO_DATA = new Set(['ENODATA', 'ENOATTR']);

/**
 * Every named data stream of an object, with sizes. `where` is an open descriptor (not O_PATH) or the
 * path beneath the share root. A file system without user xattrs has no named streams.
 */
export async function listStreams(fs: ShareFs, where: {fd: number} | {rel: string}): Promise<StreamEntry[]> {
  let names: string[];
  const noFollow = !fs.options.followSymlinks;
  try {
    names = 'fd' in where ? await ops.flistxattr(where.fd, fs.id) : await ops.listxattr(fs.root, where.rel, fs.id, {noFollow});
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    if (code === 'ENOTSUP' || code === 'EOPNOTSUPP') return [];
    throw e;
  }
  const out: StreamEntry[] = [];
  for (const xattr of names) {
    const name = streamNameOfXattr(xattr);
    if (name === undefined) continue;
    try {
      const v = 'fd' in where ? await ops.fgetxattr(where.fd, xattr, fs.id) : await ops.getxattr(fs.root, where.rel, xattr, fs.id, {noFollow});
      out.push({name, xattr, size: decodeStreamValue(v).length});
    } catch (e) {
      if (!NO_DATA.has((e as NodeJS.ErrnoException).code ?? '')) throw e; // removed since the listing
    }
  }
  return out;
}

/** The stored stream matching `name` without case, if there is one. */
export async function findStream(fs: ShareFs, fd: number, name: string): Promise<StreamEntry | undefined> {
  const exact = streamXattrName(name);
  try {
    const v = await ops.fgetxattr(fd, exact, fs.id);
    return {name, xattr: exact, size: decodeStreamValue(v).length};
  } catch (e) {
    if (!NO_DATA.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
  }
  return (await listStreams(fs, {fd})).find((s) => sameStreamName(s.name, name));
}

/** Read a stream's bytes (ENODATA when it went away). */
export async function readStream(fs: ShareFs, fd: number, xattr: string): Promise<Buffer> {
  return decodeStreamValue(await ops.fgetxattr(fd, xattr, fs.id));
}

/** Store a stream's bytes; too large for one xattr value is STATUS_DISK_FULL. */
export async function writeStream(fs: ShareFs, fd: number, xattr: string, data: Uint8Array, options?: {create?: boolean}): Promise<void> {
  if (data.length > STREAM_SIZE_MAX) throw new NtStatusError(NtStatus.DISK_FULL, 'stream larger than an xattr value');
  try {
    await ops.fsetxattr(fd, xattr, encodeStreamValue(data), fs.id, options);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? '';
    // ext4 without ea_inode refuses values beyond its block with ENOSPC; E2BIG beyond XATTR_SIZE_MAX.
    if (code === 'ENOSPC' || code === 'E2BIG' || code === 'EDQUOT') throw new NtStatusError(NtStatus.DISK_FULL, `stream value: ${code}`);
    throw e;
  }
}

/** Remove a stream by path (delete-on-close of a stream open); a stream already gone is no error. */
export async function removeStream(fs: ShareFs, rel: string, xattr: string): Promise<void> {
  try {
    await ops.removexattr(fs.root, rel, xattr, fs.id, {noFollow: !fs.options.followSymlinks});
  } catch (e) {
    if (!NO_DATA.has((e as NodeJS.ErrnoException).code ?? '')) throw e;
  }
}

/** A stream as a file: the base object's times and owner, the stream's size, always a regular file. */
export function streamStat(base: VfsStat, size: number): VfsStat {
  return {
    ...base,
    mode: (base.mode & ~0o170000) | 0o100000,
    size: BigInt(size),
    blocks: BigInt(Math.ceil(size / 512)),
    isDirectory: false,
    isFile: true,
    isSymlink: false,
  };
}
