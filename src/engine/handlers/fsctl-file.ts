/**
 * File system controls on a disk open (MS-SMB2 3.3.5.15.x, MS-FSCC 2.3): server-side copy
 * (FSCTL_SRV_REQUEST_RESUME_KEY, FSCTL_SRV_COPYCHUNK(_WRITE)), sparse files (FSCTL_SET_SPARSE,
 * FSCTL_QUERY_ALLOCATED_RANGES), snapshots (none), reparse points (none), and
 * FSCTL_QUERY_NETWORK_INTERFACE_INFO, which names no open.
 */
import {randomBytes} from 'node:crypto';
import {networkInterfaces} from 'node:os';
import {read as fsRead, write as fsWrite} from 'node:fs';
import {Access, FileAttributes, Fsctl} from '../../smb2/constants.js';
import {encodeIoctlResponse, type IoctlRequest} from '../../smb2/messages/ioctl.js';
import {NtStatus, NtStatusError} from '../../smb2/ntstatus.js';
import {ioConflict} from '../../state/file-table.js';
import type {Open} from '../../state/open.js';
import {fsError} from '../../vfs/errors.js';
import {storeMeta} from '../../vfs/meta.js';
import {reply, type HandlerResult, type RequestContext} from '../context.js';
import {checkAlive, openMeta, requireAccess, resolveOpen} from './files.js';
import {keepFrozenTime} from './write.js';

export const FSCTL_SET_SPARSE = 0x000900c4;
export const FSCTL_QUERY_ALLOCATED_RANGES = 0x000940cf;
export const FSCTL_GET_REPARSE_POINT = 0x000900a8;
export const FSCTL_GET_OBJECT_ID = 0x0009009c;
export const FSCTL_CREATE_OR_GET_OBJECT_ID = 0x000900c0;

/** 3.3.1.5 ServerSideCopyMaxNumberofChunks / MaxChunkSize / MaxDataSize (Windows' values). */
const MAX_CHUNKS = 256;
const MAX_CHUNK_SIZE = 1024 * 1024;
const MAX_DATA_SIZE = 16 * 1024 * 1024;
const EMPTY = Buffer.alloc(0);

function out(req: IoctlRequest, output: Buffer, status = 0): HandlerResult {
  return reply(encodeIoctlResponse, {ctlCode: req.ctlCode, fileId: req.fileId, input: EMPTY, output, flags: 0}, status);
}

/** Resume keys name an open for COPYCHUNK: its id, then 16 random bytes, so a key cannot be guessed. */
const resumeKeys = new WeakMap<Open, Buffer>();

function resumeKey(o: Open): Buffer {
  let k = resumeKeys.get(o);
  if (!k) {
    k = Buffer.alloc(24);
    k.writeBigUInt64LE(BigInt(o.id), 0);
    randomBytes(16).copy(k, 8);
    resumeKeys.set(o, k);
  }
  return k;
}

function requestResumeKey(req: IoctlRequest, o: Open): HandlerResult {
  // 2.2.32.3: ResumeKey (24), ContextLength (4), Context: 32 bytes as Windows sends them.
  if (req.maxOutputResponse < 32) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'MaxOutputResponse');
  const b = Buffer.alloc(32);
  resumeKey(o).copy(b, 0);
  return out(req, b);
}

function copyResult(chunks: number, chunkBytes: number, total: number): Buffer {
  const b = Buffer.alloc(12);
  b.writeUInt32LE(chunks, 0);
  b.writeUInt32LE(chunkBytes, 4);
  b.writeUInt32LE(total, 8);
  return b;
}

function io(fn: typeof fsRead | typeof fsWrite, fd: number, buf: Buffer, len: number, pos: number): Promise<number> {
  return new Promise((resolve, reject) =>
    (fn as typeof fsRead)(fd, buf, 0, len, pos, (e: NodeJS.ErrnoException | null, n: number) => (e ? reject(e) : resolve(n))),
  );
}

async function copyChunk(src: Open, dst: Open, buf: Buffer, from: number, to: number, length: number): Promise<number> {
  let done = 0;
  while (done < length) {
    const n = await io(fsRead, src.fd, buf, Math.min(buf.length, length - done), from + done);
    if (n === 0) break;
    let w = 0;
    while (w < n) w += await io(fsWrite, dst.fd, buf.subarray(w), n - w, to + done + w);
    done += n;
  }
  return done;
}

async function copyChunks(ctx: RequestContext, req: IoctlRequest, dst: Open): Promise<HandlerResult> {
  // 3.3.5.15.6: the response needs 12 bytes; the input is the key, a count and the chunks.
  if (req.maxOutputResponse < 12) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'MaxOutputResponse');
  const input = req.input;
  if (input.length < 32) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'SRV_COPYCHUNK_COPY too short');
  const count = input.readUInt32LE(24);
  if (input.length < 32 + count * 24) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'chunks past the input');
  const chunks: {src: number; dst: number; len: number}[] = [];
  let total = 0;
  let tooBig = count > MAX_CHUNKS;
  for (let i = 0; i < count && !tooBig; i++) {
    const at = 32 + i * 24;
    const len = input.readUInt32LE(at + 16);
    const s = input.readBigUInt64LE(at);
    const d = input.readBigUInt64LE(at + 8);
    if (len === 0 || len > MAX_CHUNK_SIZE || s > BigInt(Number.MAX_SAFE_INTEGER) || d > BigInt(Number.MAX_SAFE_INTEGER)) tooBig = true;
    total += len;
    chunks.push({src: Number(s), dst: Number(d), len});
  }
  // 3.3.5.15.6: limits exceeded -> STATUS_INVALID_PARAMETER with the limits in the response.
  if (tooBig || total > MAX_DATA_SIZE) return out(req, copyResult(MAX_CHUNKS, MAX_CHUNK_SIZE, MAX_DATA_SIZE), NtStatus.INVALID_PARAMETER);
  const key = input.subarray(0, 24);
  const src = ctx.server.registry.open(key.readBigUInt64LE(0));
  if (!src || !src.alive || !resumeKeys.get(src)?.equals(key)) throw new NtStatusError(NtStatus.OBJECT_NAME_NOT_FOUND, 'unknown resume key');
  // 3.3.5.15.6: target needs FILE_WRITE_DATA (and FILE_READ_DATA for FSCTL_SRV_COPYCHUNK); source FILE_READ_DATA.
  requireAccess(dst, Access.FILE_WRITE_DATA, 'COPYCHUNK target');
  if (req.ctlCode === Fsctl.SRV_COPYCHUNK) requireAccess(dst, Access.FILE_READ_DATA, 'COPYCHUNK target read');
  requireAccess(src, Access.FILE_READ_DATA, 'COPYCHUNK source');
  if (src.isDirectory || dst.isDirectory) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'directory');
  const buf = Buffer.allocUnsafe(Math.min(MAX_CHUNK_SIZE, Math.max(...chunks.map((c) => c.len), 1)));
  let written = 0;
  let n = 0;
  for (const c of chunks) {
    if (ioConflict(src.entry, src, BigInt(c.src), BigInt(c.len), false) || ioConflict(dst.entry, dst, BigInt(c.dst), BigInt(c.len), true)) {
      throw new NtStatusError(NtStatus.FILE_LOCK_CONFLICT);
    }
    let got: number;
    try {
      got = await copyChunk(src, dst, buf, c.src, c.dst, c.len);
    } catch (e) {
      throw fsError(e);
    }
    checkAlive(dst);
    written += got;
    if (got < c.len) {
      // The source ended inside the chunk: MS-FSA answers STATUS_END_OF_FILE... Windows reports the progress.
      if (got === 0) throw new NtStatusError(NtStatus.END_OF_FILE);
      n++;
      break;
    }
    n++;
  }
  await keepFrozenTime(dst);
  return out(req, copyResult(n, 0, written));
}

async function setSparse(req: IoctlRequest, o: Open): Promise<HandlerResult> {
  requireAccess(o, Access.FILE_WRITE_DATA | Access.FILE_WRITE_ATTRIBUTES | Access.FILE_APPEND_DATA, 'SET_SPARSE');
  if (o.isDirectory) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'SET_SPARSE on a directory');
  // MS-FSCC 2.3.64: an empty buffer means TRUE.
  const sparse = req.input.length === 0 ? true : req.input[0] !== 0;
  const m = await openMeta(o);
  const attrs = sparse ? m.attributes | FileAttributes.SPARSE_FILE : m.attributes & ~FileAttributes.SPARSE_FILE;
  try {
    await storeMeta(o.fs, o.fd, m.stat, attrs === 0 ? FileAttributes.NORMAL : attrs, undefined);
  } catch (e) {
    throw fsError(e);
  }
  return out(req, EMPTY);
}

async function allocatedRanges(req: IoctlRequest, o: Open): Promise<HandlerResult> {
  requireAccess(o, Access.FILE_READ_DATA, 'QUERY_ALLOCATED_RANGES');
  if (req.input.length < 16) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'FILE_ALLOCATED_RANGE_BUFFER');
  const offset = req.input.readBigInt64LE(0);
  const length = req.input.readBigInt64LE(8);
  if (offset < 0n || length < 0n || offset + length > 0x7fffffffffffffffn) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'range');
  const m = await openMeta(o);
  const end = offset + length < m.stat.size ? offset + length : m.stat.size;
  // Without lseek(SEEK_DATA) in Node, every byte below the end of file counts as allocated: correct for the
  // files clients make (holes only come from a sparse write pattern), and what MS-FSCC allows for non-sparse files.
  if (end <= offset) return out(req, EMPTY);
  if (req.maxOutputResponse < 16) throw new NtStatusError(NtStatus.BUFFER_TOO_SMALL);
  const b = Buffer.alloc(16);
  b.writeBigInt64LE(offset, 0);
  b.writeBigInt64LE(end - offset, 8);
  return out(req, b);
}

/**
 * MS-FSCC 2.3.7 / 2.3.27: FILE_OBJECTID_BUFFER. The object id is the file id (inode and device), stable
 * for the file's life; BirthVolumeId is the device, BirthObjectId the object id, DomainId zero.
 */
async function objectId(req: IoctlRequest, o: Open): Promise<HandlerResult> {
  if (req.maxOutputResponse < 64) throw new NtStatusError(NtStatus.BUFFER_TOO_SMALL);
  const m = await openMeta(o);
  const b = Buffer.alloc(64);
  b.writeBigUInt64LE(BigInt.asUintN(64, m.stat.ino), 0);
  b.writeBigUInt64LE(BigInt.asUintN(64, m.stat.dev), 8);
  b.writeBigUInt64LE(BigInt.asUintN(64, m.stat.dev), 16);
  b.copy(b, 32, 0, 16);
  return out(req, b);
}

function sockaddr(family: string, address: string): Buffer {
  const b = Buffer.alloc(128);
  if (family === 'IPv4') {
    b.writeUInt16LE(0x0002, 0);
    address.split('.').forEach((p, i) => (b[4 + i] = Number(p)));
  } else {
    b.writeUInt16LE(0x0017, 0);
    const [head = '', tail = ''] = address.split('%')[0]!.split('::');
    const h = head ? head.split(':') : [];
    const t = tail ? tail.split(':') : [];
    const groups = address.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
    groups.forEach((g, i) => b.writeUInt16BE(parseInt(g || '0', 16), 8 + i * 2));
  }
  return b;
}

/** 3.3.5.15.11: the server's interfaces (NETWORK_INTERFACE_INFO, 2.2.32.5), no RSS or RDMA. */
export function networkInterfaceInfo(req: IoctlRequest): HandlerResult {
  const all = 0xffffffffffffffffn;
  // "If FileId ... is not 0xFFFFFFFFFFFFFFFF, the server MUST fail the request with STATUS_INVALID_PARAMETER."
  if (req.fileId.persistent !== all || req.fileId.volatile !== all) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'FileId must be all ones');
  const entries: Buffer[] = [];
  let index = 0;
  for (const [, addrs] of Object.entries(networkInterfaces())) {
    index++;
    for (const a of addrs ?? []) {
      if (a.internal) continue;
      const e = Buffer.alloc(152);
      e.writeUInt32LE(index, 4);
      e.writeUInt32LE(0, 8); // Capability: neither RSS nor RDMA
      e.writeBigUInt64LE(1_000_000_000n, 16); // LinkSpeed: 1 Gbit/s, as we cannot know
      sockaddr(a.family, a.address).copy(e, 24);
      entries.push(e);
    }
  }
  for (let i = 0; i < entries.length - 1; i++) entries[i]!.writeUInt32LE(152, 0);
  const data = Buffer.concat(entries);
  if (data.length > req.maxOutputResponse) throw new NtStatusError(NtStatus.BUFFER_TOO_SMALL);
  return out(req, data);
}

/** FSCTLs on a disk open; undefined when `ctlCode` is not one of them. */
export async function fileFsctl(ctx: RequestContext, req: IoctlRequest): Promise<HandlerResult | undefined> {
  switch (req.ctlCode) {
    case Fsctl.SRV_REQUEST_RESUME_KEY:
      return requestResumeKey(req, resolveOpen(ctx, req.fileId));
    case Fsctl.SRV_COPYCHUNK:
    case Fsctl.SRV_COPYCHUNK_WRITE:
      return copyChunks(ctx, req, resolveOpen(ctx, req.fileId));
    case FSCTL_SET_SPARSE:
      return setSparse(req, resolveOpen(ctx, req.fileId));
    case FSCTL_QUERY_ALLOCATED_RANGES:
      return allocatedRanges(req, resolveOpen(ctx, req.fileId));
    case FSCTL_CREATE_OR_GET_OBJECT_ID:
    case FSCTL_GET_OBJECT_ID:
      return objectId(req, resolveOpen(ctx, req.fileId));
    case FSCTL_GET_REPARSE_POINT:
      resolveOpen(ctx, req.fileId);
      // MS-FSCC 2.3.31: a file without a reparse point.
      throw new NtStatusError(NtStatus.NOT_A_REPARSE_POINT);
    case Fsctl.SRV_ENUMERATE_SNAPSHOTS: {
      resolveOpen(ctx, req.fileId);
      // 3.3.5.15.1: at least 16 bytes of room; no snapshots: counts 0, SnapShotArraySize 2 (an empty multi-sz).
      if (req.maxOutputResponse < 16) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'MaxOutputResponse');
      const b = Buffer.alloc(16);
      b.writeUInt32LE(2, 8);
      return out(req, b);
    }
    default:
      return undefined;
  }
}
