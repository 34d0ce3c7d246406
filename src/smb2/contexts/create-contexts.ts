/**
 * SMB2_CREATE_CONTEXT list (MS-SMB2 2.2.13.2 request, 2.2.14.2 response) and the payloads of the contexts
 * an engine answers first (MxAc, QFid, DHnQ/DHnC, DH2Q/DH2C, RqLs v1/v2).
 *
 * Names are kept as latin1 strings: every byte maps to one char and back, so the 4-char tags read as
 * text ('MxAc') and the 16-byte GUID names still round-trip exactly.
 */
import {MalformedPacket} from '../../wire/errors.js';
import type {Reader} from '../../wire/reader.js';
import {Reader as WireReader} from '../../wire/reader.js';
import type {Writer} from '../../wire/writer.js';

const guidName = (hex: string): string => Buffer.from(hex, 'hex').toString('latin1');

/** 2.2.13.2 context names (and the Apple and POSIX ones clients send). */
export const CreateContextName = Object.freeze({
  EA_BUFFER: 'ExtA',
  SD_BUFFER: 'SecD',
  DURABLE_HANDLE_REQUEST: 'DHnQ',
  DURABLE_HANDLE_RECONNECT: 'DHnC',
  ALLOCATION_SIZE: 'AlSi',
  QUERY_MAXIMAL_ACCESS_REQUEST: 'MxAc',
  TIMEWARP_TOKEN: 'TWrp',
  QUERY_ON_DISK_ID: 'QFid',
  REQUEST_LEASE: 'RqLs',
  DURABLE_HANDLE_REQUEST_V2: 'DH2Q',
  DURABLE_HANDLE_RECONNECT_V2: 'DH2C',
  APP_INSTANCE_ID: guidName('45bca66aefa7f74a9008fa462e144d74'),
  APP_INSTANCE_VERSION: guidName('b982d0b73b56074fa07b524a8116a010'),
  SVHDX_OPEN_DEVICE_CONTEXT: guidName('9ccbcf9e04c1e643980e158da1f6ec83'),
  /** Apple's SMB2 extensions (AAPL create context). */
  AAPL: 'AAPL',
  /** SMB3 POSIX extensions create context. */
  POSIX: guidName('93ad25509cb411e7b42383de968bcd7c'),
});

export interface CreateContext {
  /** latin1 string of the Name bytes (see CreateContextName). */
  name: string;
  /** A view when decoded. */
  data: Buffer;
}

/** Printable form of a context name for logs. */
export function createContextLabel(name: string): string {
  return /^[\x20-\x7e]+$/.test(name) ? name : Buffer.from(name, 'latin1').toString('hex');
}

export function findCreateContext(list: readonly CreateContext[], name: string): CreateContext | undefined {
  return list.find((c) => c.name === name);
}

const CONTEXT_HEADER_SIZE = 16;

/**
 * Decode the list at absolute position `pos` spanning `length` bytes (the caller has checked the span lies
 * in the message).
 */
export function decodeCreateContexts(r: Reader, pos: number, length: number): CreateContext[] {
  if (length === 0) return [];
  const list = r.sub(pos, length);
  const out: CreateContext[] = [];
  let at = pos;
  for (;;) {
    if (at + CONTEXT_HEADER_SIZE > list.end) {
      throw new MalformedPacket('create context header runs past CreateContextsLength', at);
    }
    const next = list.buf.readUInt32LE(at);
    const nameOffset = list.buf.readUInt16LE(at + 4);
    const nameLength = list.buf.readUInt16LE(at + 6);
    const dataOffset = list.buf.readUInt16LE(at + 10);
    const dataLength = list.buf.readUInt32LE(at + 12);
    const extentEnd = next === 0 ? list.end : at + next;
    if (next !== 0) {
      // 2.2.13.2: "Next (4 bytes): The offset from the beginning of this structure to its 8-byte aligned
      // neighbor; 0 for the last."
      if (next % 8 !== 0 || next < CONTEXT_HEADER_SIZE || extentEnd > list.end) {
        throw new MalformedPacket(`create context Next ${next} is unaligned, too small or past the list`, at);
      }
    }
    // Name and Data must lie inside this context's extent and after its 16-byte header.
    if (nameLength === 0 || nameOffset < CONTEXT_HEADER_SIZE || at + nameOffset + nameLength > extentEnd) {
      throw new MalformedPacket(`create context name [${nameOffset}+${nameLength}] outside the context`, at);
    }
    let data: Buffer;
    if (dataLength === 0) {
      data = list.buf.subarray(0, 0);
    } else {
      if (dataOffset < CONTEXT_HEADER_SIZE || at + dataOffset + dataLength > extentEnd) {
        throw new MalformedPacket(`create context data [${dataOffset}+${dataLength}] outside the context`, at);
      }
      data = list.slice(at + dataOffset, dataLength);
    }
    const name = list.slice(at + nameOffset, nameLength).toString('latin1');
    out.push({name, data});
    if (next === 0) break;
    at += next;
  }
  return out;
}

/**
 * Write the list at the writer's position (which the caller has 8-byte aligned); returns its length.
 * Name at offset 16, Data at the next 8-byte boundary, each context padded to 8 before the next.
 */
export function encodeCreateContexts(w: Writer, list: readonly CreateContext[]): number {
  const start = w.length;
  let prevNextAt = -1;
  let prevStart = 0;
  for (const c of list) {
    if (prevNextAt >= 0) {
      w.align(8, start);
      w.patchU32(prevNextAt, w.length - prevStart);
    }
    const ctxStart = w.length;
    const name = Buffer.from(c.name, 'latin1');
    prevNextAt = w.reserve(4);
    prevStart = ctxStart;
    w.u16(CONTEXT_HEADER_SIZE).u16(name.length).u16(0);
    const dataOffAt = w.reserve(2);
    w.u32(c.data.length);
    w.bytes(name);
    if (c.data.length > 0) {
      w.align(8, ctxStart);
      w.patchU16(dataOffAt, w.length - ctxStart);
      w.bytes(c.data);
    }
  }
  return w.length - start;
}

// ---- payloads --------------------------------------------------------------------------------------------

/** 2.2.13.2.5 MxAc request data: optional Timestamp (FILETIME). */
export function decodeMxAcRequest(data: Buffer): {timestamp?: bigint} {
  if (data.length === 0) return {};
  const r = new WireReader(data);
  return {timestamp: r.u64()};
}

/** 2.2.14.2.5 MxAc response data. */
export function encodeMxAcResponse(queryStatus: number, maximalAccess: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(queryStatus >>> 0, 0);
  b.writeUInt32LE(maximalAccess >>> 0, 4);
  return b;
}

/** 2.2.14.2.9 QFid response data: DiskFileId (16), VolumeId (16) — 32 bytes, opaque to the client. */
export function encodeQFidResponse(diskFileId: Buffer, volumeId: Buffer): Buffer {
  const b = Buffer.alloc(32);
  diskFileId.copy(b, 0, 0, Math.min(16, diskFileId.length));
  volumeId.copy(b, 16, 0, Math.min(16, volumeId.length));
  return b;
}

/** 2.2.13.2.4 DHnC request data: the FileId to reconnect (Data field, 16 bytes). */
export function decodeDHnC(data: Buffer): {persistent: bigint; volatile: bigint} {
  const r = new WireReader(data);
  return {persistent: r.u64(), volatile: r.u64()};
}

export interface DurableV2Request {
  timeout: number;
  flags: number;
  createGuid: Buffer;
}

/** 2.2.13.2.11 DH2Q request data (32 bytes). */
export function decodeDH2Q(data: Buffer): DurableV2Request {
  const r = new WireReader(data);
  const timeout = r.u32();
  const flags = r.u32();
  r.skip(8);
  return {timeout, flags, createGuid: r.copy(16)};
}

export function encodeDH2Q(m: DurableV2Request): Buffer {
  const b = Buffer.alloc(32);
  b.writeUInt32LE(m.timeout >>> 0, 0);
  b.writeUInt32LE(m.flags >>> 0, 4);
  m.createGuid.copy(b, 16, 0, 16);
  return b;
}

/** 2.2.14.2.12 DH2Q response data (8 bytes). */
export function encodeDH2QResponse(timeout: number, flags: number): Buffer {
  const b = Buffer.alloc(8);
  b.writeUInt32LE(timeout >>> 0, 0);
  b.writeUInt32LE(flags >>> 0, 4);
  return b;
}

/** 2.2.13.2.12 DH2C request data (36 bytes). */
export function decodeDH2C(data: Buffer): {persistent: bigint; volatile: bigint; createGuid: Buffer; flags: number} {
  const r = new WireReader(data);
  return {persistent: r.u64(), volatile: r.u64(), createGuid: r.copy(16), flags: r.u32()};
}

export interface Lease {
  leaseKey: Buffer;
  leaseState: number;
  leaseFlags: number;
  leaseDuration: bigint;
  /** v2 only (2.2.13.2.10). */
  parentLeaseKey?: Buffer;
  epoch?: number;
}

/** RqLs data: 32 bytes is SMB2_CREATE_REQUEST_LEASE (2.2.13.2.8), 52 bytes is _V2 (2.2.13.2.10). */
export function decodeLease(data: Buffer): Lease {
  if (data.length !== 32 && data.length !== 52) {
    throw new MalformedPacket(`RqLs data is ${data.length} bytes; MUST be 32 (v1) or 52 (v2)`);
  }
  const r = new WireReader(data);
  const lease: Lease = {leaseKey: r.copy(16), leaseState: r.u32(), leaseFlags: r.u32(), leaseDuration: r.u64()};
  if (data.length === 52) {
    lease.parentLeaseKey = r.copy(16);
    lease.epoch = r.u16();
  }
  return lease;
}

export function encodeLease(m: Lease): Buffer {
  const v2 = m.parentLeaseKey !== undefined || m.epoch !== undefined;
  const b = Buffer.alloc(v2 ? 52 : 32);
  m.leaseKey.copy(b, 0, 0, 16);
  b.writeUInt32LE(m.leaseState >>> 0, 16);
  b.writeUInt32LE(m.leaseFlags >>> 0, 20);
  b.writeBigUInt64LE(m.leaseDuration, 24);
  if (v2) {
    m.parentLeaseKey?.copy(b, 32, 0, 16);
    b.writeUInt16LE(m.epoch ?? 0, 48);
  }
  return b;
}
