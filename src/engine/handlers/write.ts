/**
 * WRITE (MS-SMB2 3.3.5.13): the payload (a view of the receive buffer: no copy) to the file's descriptor
 * via libuv. Offset 0xFFFFFFFFFFFFFFFF appends (MS-FSA 2.1.5.3). WRITE_THROUGH (flag or open mode) waits
 * for the data to reach the disk.
 */
import {fdatasync, write as fsWrite} from 'node:fs';
import {Access, CreateOptions} from '../../smb2/constants.js';
import {decodeWriteRequest, encodeWriteResponse} from '../../smb2/messages/write.js';
import {NtStatus, NtStatusError} from '../../smb2/ntstatus.js';
import {breakLevelII} from '../../oplock/breaks.js';
import {ioConflict} from '../../state/file-table.js';
import type {Open} from '../../state/open.js';
import {fsError} from '../../vfs/errors.js';
import * as ops from '../../vfs/identity-ops.js';
import {readStream, STREAM_SIZE_MAX, writeStream} from '../../vfs/streams.js';
import type {Reader} from '../../wire/reader.js';
import {reply, type HandlerResult, type RequestContext} from '../context.js';
import {checkAlive, requireAccess, resolveOpen} from './files.js';

const MAX_OFFSET = 0x7fffffffffffffffn;
const APPEND = 0xffffffffffffffffn;
const SMB2_WRITEFLAG_WRITE_THROUGH = 0x00000001;

function writeAll(fd: number, data: Buffer, position: bigint | null): Promise<number> {
  return new Promise((resolve, reject) => {
    let done = 0;
    const step = (): void => {
      const pos = position === null ? null : Number(position) + done;
      fsWrite(fd, data, done, data.length - done, pos, (e, n) => {
        if (e) return reject(e);
        done += n;
        if (done >= data.length || n === 0) resolve(done);
        else step();
      });
    };
    step();
  });
}

function sync(fd: number): Promise<void> {
  return new Promise((resolve, reject) => fdatasync(fd, (e) => (e ? reject(e) : resolve())));
}

/** WRITE to a named stream: read, change and store the whole xattr value (at most 64 KiB). */
async function writeToStream(o: Open, data: Buffer, offset: bigint | null): Promise<bigint> {
  const s = o.stream!;
  const old = await readStream(o.fs, o.fd, s.xattr);
  const at = offset ?? BigInt(old.length);
  const end = at + BigInt(data.length);
  if (end > BigInt(STREAM_SIZE_MAX)) throw new NtStatusError(NtStatus.DISK_FULL, 'stream larger than an xattr value');
  const next = Buffer.alloc(Math.max(old.length, Number(end)));
  old.copy(next);
  data.copy(next, Number(at));
  await writeStream(o.fs, o.fd, s.xattr, next);
  return at;
}

/** A write through a handle whose write time was frozen (FileBasicInformation -1) puts it back. */
export async function keepFrozenTime(o: Open): Promise<void> {
  if (o.frozenWriteTime) await ops.futimens(o.fd, 'omit', o.frozenWriteTime, o.fs.id).catch(() => undefined);
}

export async function handleWrite(ctx: RequestContext, body: Reader): Promise<HandlerResult> {
  const req = decodeWriteRequest(body);
  const o = resolveOpen(ctx, req.fileId);
  // 3.3.5.13: Length above Connection.MaxWriteSize -> STATUS_INVALID_PARAMETER.
  if (req.data.length > ctx.conn.maxWriteSize) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'Length above MaxWriteSize');
  if (o.isDirectory) throw new NtStatusError(NtStatus.INVALID_DEVICE_REQUEST, 'WRITE to a directory');
  const append = req.offset === APPEND;
  requireAccess(o, append ? Access.FILE_APPEND_DATA | Access.FILE_WRITE_DATA : Access.FILE_WRITE_DATA | Access.FILE_APPEND_DATA, 'WRITE');
  if (!append && (req.offset > MAX_OFFSET || req.offset + BigInt(req.data.length) > MAX_OFFSET)) {
    throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'offset');
  }
  let offset: bigint | null = append ? null : req.offset;
  // MS-FSA 2.1.5.3: an open with FILE_APPEND_DATA but not FILE_WRITE_DATA writes only at the end.
  if (!append && !(o.grantedAccess & Access.FILE_WRITE_DATA)) {
    const st = await o.fs.fstat(o.fd).catch((e) => {
      throw fsError(e);
    });
    if (req.offset < st.size) throw new NtStatusError(NtStatus.ACCESS_DENIED, 'append-only open writing inside the file');
  }
  if (offset !== null && ioConflict(o.entry, o, offset, BigInt(req.data.length), true)) throw new NtStatusError(NtStatus.FILE_LOCK_CONFLICT);
  // MS-FSA 2.1.4.12: a write takes LEVEL_II oplocks away from the file's other opens (no acknowledgment).
  breakLevelII(o);
  let n = 0;
  try {
    if (o.stream) {
      if (req.data.length > 0) offset = await writeToStream(o, req.data, offset);
      n = req.data.length;
    } else if (req.data.length > 0) {
      if (offset === null) offset = (await o.fs.fstat(o.fd)).size;
      n = await writeAll(o.fd, req.data, offset);
    }
    const through = (req.flags & SMB2_WRITEFLAG_WRITE_THROUGH) !== 0 || (o.mode & CreateOptions.WRITE_THROUGH) !== 0;
    if (through) await sync(o.fd);
    await keepFrozenTime(o);
  } catch (e) {
    if (e instanceof NtStatusError) throw e;
    throw fsError(e);
  }
  checkAlive(o);
  o.position = (offset ?? 0n) + BigInt(n);
  return reply(encodeWriteResponse, {count: n, remaining: 0});
}
