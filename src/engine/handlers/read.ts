/**
 * READ (MS-SMB2 3.3.5.12): bytes of a file from its descriptor via libuv (off the event loop), into one
 * buffer that goes out as the response payload without another copy (Reply.tail: the connection writes
 * it after the fixed part when nothing needs to sign or seal the whole message).
 */
import {read as fsRead} from 'node:fs';
import {Access} from '../../smb2/constants.js';
import {decodeReadRequest, encodeReadResponseHead} from '../../smb2/messages/read.js';
import {NtStatus, NtStatusError} from '../../smb2/ntstatus.js';
import {ioConflict} from '../../state/file-table.js';
import {fsError} from '../../vfs/errors.js';
import {readStream} from '../../vfs/streams.js';
import type {Reader} from '../../wire/reader.js';
import type {Writer} from '../../wire/writer.js';
import {reply, type HandlerResult, type RequestContext} from '../context.js';
import {checkAlive, requireAccess, resolveOpen} from './files.js';

const MAX_OFFSET = 0x7fffffffffffffffn;
/** SMB2_READFLAG_READ_UNBUFFERED (3.0.2+): a hint we take as given (the page cache serves it either way). */

function encodeRead(w: Writer, data: Buffer): void {
  encodeReadResponseHead(w, data.length);
}

export function readInto(fd: number, buf: Buffer, position: bigint): Promise<number> {
  return new Promise((resolve, reject) => fsRead(fd, buf, 0, buf.length, position, (e, n) => (e ? reject(e) : resolve(n))));
}

export async function handleRead(ctx: RequestContext, body: Reader): Promise<HandlerResult> {
  const req = decodeReadRequest(body);
  const o = resolveOpen(ctx, req.fileId);
  // 3.3.5.12: "If the Length field ... is greater than Connection.MaxReadSize, the server MUST fail the request
  // with STATUS_INVALID_PARAMETER."
  if (req.length > ctx.conn.maxReadSize) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'Length above MaxReadSize');
  if (o.isDirectory) throw new NtStatusError(NtStatus.INVALID_DEVICE_REQUEST, 'READ of a directory');
  requireAccess(o, Access.FILE_READ_DATA | Access.FILE_EXECUTE, 'READ');
  if (req.offset > MAX_OFFSET || req.offset + BigInt(req.length) > MAX_OFFSET) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'offset');
  if (ioConflict(o.entry, o, req.offset, BigInt(req.length), false)) throw new NtStatusError(NtStatus.FILE_LOCK_CONFLICT);
  let data: Buffer;
  if (req.length === 0) data = Buffer.alloc(0);
  else {
    const buf = ctx.conn.readBuffer(req.length);
    let n: number;
    try {
      if (o.stream) {
        // A named stream: its bytes live in an xattr of the base object (src/vfs/streams.ts).
        const v = await readStream(o.fs, o.fd, o.stream.xattr);
        n = req.offset >= BigInt(v.length) ? 0 : v.copy(buf, 0, Number(req.offset));
      } else n = await readInto(o.fd, buf, req.offset);
    } catch (e) {
      throw fsError(e);
    }
    checkAlive(o);
    data = n === buf.length ? buf : buf.subarray(0, n);
  }
  // 3.3.5.12: fewer bytes than MinimumCount, or none at all at the end of the file: STATUS_END_OF_FILE.
  if ((data.length === 0 && req.length > 0) || data.length < req.minimumCount) throw new NtStatusError(NtStatus.END_OF_FILE);
  o.position = req.offset + BigInt(data.length);
  const r = reply(encodeRead, data);
  if (data.length > 0) r.tail = data;
  else r.tail = ONE_ZERO; // 2.2.20: the Buffer is at least one byte
  return r;
}

const ONE_ZERO = Buffer.alloc(1);
