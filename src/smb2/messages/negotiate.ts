/**
 * SMB2 NEGOTIATE request (MS-SMB2 2.2.3) and response (2.2.4), with the 3.1.1 negotiate context list.
 */
import {MalformedPacket} from '../../wire/errors.js';
import type {Reader} from '../../wire/reader.js';
import type {Writer} from '../../wire/writer.js';
import {Dialect, SMB2_HEADER_SIZE} from '../constants.js';
import {
  decodeNegotiateContexts,
  encodeNegotiateContexts,
  type NegotiateContext,
} from '../contexts/negotiate-contexts.js';
import {beginBody, bufferAt, headerStart, requireFixed} from './common.js';

export const NEGOTIATE_REQUEST_SIZE = 36;
export const NEGOTIATE_RESPONSE_SIZE = 65;

export interface NegotiateRequest {
  securityMode: number;
  capabilities: number;
  /** 16 bytes (a copy). */
  clientGuid: Buffer;
  dialects: number[];
  /** Present only when `dialects` holds 0x0311; otherwise the field is ClientStartTime (kept raw). */
  negotiateContexts: NegotiateContext[];
  /** The 8 bytes after ClientGuid as a u64 when the request is not 3.1.1 (ClientStartTime, MUST be 0). */
  clientStartTime: bigint;
}

export function decodeNegotiateRequest(r: Reader): NegotiateRequest {
  const hdr = beginBody(r, NEGOTIATE_REQUEST_SIZE, 'NEGOTIATE request');
  requireFixed(r, hdr, NEGOTIATE_REQUEST_SIZE, 'NEGOTIATE request');
  const dialectCount = r.u16();
  // 3.3.5.4: "If the DialectCount of the SMB2 NEGOTIATE Request is 0, the server MUST fail the request with
  // STATUS_INVALID_PARAMETER."
  if (dialectCount === 0) throw new MalformedPacket('NEGOTIATE: DialectCount is 0', r.offset - 2);
  const securityMode = r.u16();
  r.skip(2); // Reserved
  const capabilities = r.u32();
  const clientGuid = r.copy(16);
  const ctxAt = r.offset;
  const contextOffset = r.u32();
  const contextCount = r.u16();
  r.skip(2); // Reserved2
  const clientStartTime = r.buf.readBigUInt64LE(ctxAt);
  if (dialectCount * 2 > r.remaining) {
    throw new MalformedPacket(`NEGOTIATE: ${dialectCount} dialects do not fit the message`, r.offset);
  }
  const dialects: number[] = [];
  for (let i = 0; i < dialectCount; i++) dialects.push(r.u16());
  let negotiateContexts: NegotiateContext[] = [];
  const is311 = dialects.includes(Dialect.SMB3_1_1);
  if (is311 && contextCount > 0) {
    const dialectsEnd = SMB2_HEADER_SIZE + NEGOTIATE_REQUEST_SIZE - 1 + dialectCount * 2;
    // The context list follows the Dialects array; pointing back into the fixed part or dialects is malformed.
    if (contextOffset < dialectsEnd) {
      throw new MalformedPacket(`NEGOTIATE: NegotiateContextOffset ${contextOffset} overlaps the Dialects array`, ctxAt);
    }
    negotiateContexts = decodeNegotiateContexts(r, hdr, contextOffset, contextCount);
  }
  r.seek(r.end);
  return {
    securityMode,
    capabilities,
    clientGuid,
    dialects,
    negotiateContexts,
    clientStartTime: is311 ? 0n : clientStartTime,
  };
}

export function encodeNegotiateRequest(w: Writer, m: NegotiateRequest): void {
  const hdr = headerStart(w);
  const is311 = m.dialects.includes(Dialect.SMB3_1_1);
  w.u16(NEGOTIATE_REQUEST_SIZE).u16(m.dialects.length).u16(m.securityMode).u16(0).u32(m.capabilities);
  w.fixed(m.clientGuid, 16);
  const offAt = w.length;
  if (is311) {
    w.u32(0).u16(m.negotiateContexts.length).u16(0);
  } else {
    w.u64(m.clientStartTime);
  }
  for (const d of m.dialects) w.u16(d);
  if (is311 && m.negotiateContexts.length > 0) {
    w.align(8, hdr);
    w.patchU32(offAt, w.length - hdr);
    encodeNegotiateContexts(w, hdr, m.negotiateContexts);
  }
}

export interface NegotiateResponse {
  securityMode: number;
  dialectRevision: number;
  /** 16 bytes (a copy). */
  serverGuid: Buffer;
  capabilities: number;
  maxTransactSize: number;
  maxReadSize: number;
  maxWriteSize: number;
  /** FILETIME. */
  systemTime: bigint;
  /** FILETIME; 0 is allowed. */
  serverStartTime: bigint;
  /** The GSS/SPNEGO token (a view when decoded). */
  securityBuffer: Buffer;
  /** Only for DialectRevision 0x0311. */
  negotiateContexts: NegotiateContext[];
}

export function decodeNegotiateResponse(r: Reader): NegotiateResponse {
  const hdr = beginBody(r, NEGOTIATE_RESPONSE_SIZE, 'NEGOTIATE response');
  requireFixed(r, hdr, NEGOTIATE_RESPONSE_SIZE, 'NEGOTIATE response');
  const securityMode = r.u16();
  const dialectRevision = r.u16();
  const contextCount = r.u16();
  const serverGuid = r.copy(16);
  const capabilities = r.u32();
  const maxTransactSize = r.u32();
  const maxReadSize = r.u32();
  const maxWriteSize = r.u32();
  const systemTime = r.u64();
  const serverStartTime = r.u64();
  const secOffset = r.u16();
  const secLength = r.u16();
  const contextOffset = r.u32();
  const securityBuffer = bufferAt(r, hdr, secOffset, secLength, NEGOTIATE_RESPONSE_SIZE - 1, 'NEGOTIATE SecurityBuffer');
  let negotiateContexts: NegotiateContext[] = [];
  // 2.2.4: "NegotiateContextCount: If the DialectRevision field is 0x0311, this field specifies the number
  // of negotiate contexts in NegotiateContextList; otherwise, this field MUST NOT be used."
  if (dialectRevision === Dialect.SMB3_1_1 && contextCount > 0) {
    negotiateContexts = decodeNegotiateContexts(r, hdr, contextOffset, contextCount);
  }
  r.seek(r.end);
  return {
    securityMode,
    dialectRevision,
    serverGuid,
    capabilities,
    maxTransactSize,
    maxReadSize,
    maxWriteSize,
    systemTime,
    serverStartTime,
    securityBuffer,
    negotiateContexts,
  };
}

export function encodeNegotiateResponse(w: Writer, m: NegotiateResponse): void {
  const hdr = headerStart(w);
  const is311 = m.dialectRevision === Dialect.SMB3_1_1;
  const contexts = is311 ? m.negotiateContexts : [];
  w.u16(NEGOTIATE_RESPONSE_SIZE).u16(m.securityMode).u16(m.dialectRevision).u16(contexts.length);
  w.fixed(m.serverGuid, 16);
  w.u32(m.capabilities).u32(m.maxTransactSize).u32(m.maxReadSize).u32(m.maxWriteSize);
  w.u64(m.systemTime).u64(m.serverStartTime);
  const bufStart = SMB2_HEADER_SIZE + NEGOTIATE_RESPONSE_SIZE - 1;
  w.u16(m.securityBuffer.length > 0 ? bufStart : 0).u16(m.securityBuffer.length);
  const ctxOffAt = w.reserve(4);
  w.bytes(m.securityBuffer);
  if (contexts.length > 0) {
    // 2.2.4: "NegotiateContextOffset: ... the offset, in bytes, from the beginning of the SMB2 header to the
    // first 8-byte aligned negotiate context in NegotiateContextList" (Padding fills the gap).
    w.align(8, hdr);
    w.patchU32(ctxOffAt, w.length - hdr);
    encodeNegotiateContexts(w, hdr, contexts);
  }
}
