/**
 * SMB2 CREATE request (MS-SMB2 2.2.13) and response (2.2.14); the context list is in
 * src/smb2/contexts/create-contexts.ts.
 */
import {MalformedPacket} from '../../wire/errors.js';
import type {Reader} from '../../wire/reader.js';
import {decodeUtf16, encodeUtf16} from '../../wire/utf16.js';
import type {Writer} from '../../wire/writer.js';
import {SMB2_HEADER_SIZE} from '../constants.js';
import {decodeCreateContexts, encodeCreateContexts, type CreateContext} from '../contexts/create-contexts.js';
import {beginBody, bufferAt, headerStart, readFileId, requireFixed, writeFileId, type FileId} from './common.js';

export const CREATE_REQUEST_SIZE = 57;
export const CREATE_RESPONSE_SIZE = 89;

export interface CreateRequest {
  securityFlags: number;
  requestedOplockLevel: number;
  impersonationLevel: number;
  smbCreateFlags: bigint;
  desiredAccess: number;
  fileAttributes: number;
  shareAccess: number;
  createDisposition: number;
  createOptions: number;
  /** Path relative to the share root, as sent (backslashes; "" for the root). */
  name: string;
  createContexts: CreateContext[];
}

function contextsAt(r: Reader, hdr: number, offset: number, length: number, fixed: number, what: string): CreateContext[] {
  if (length === 0) return [];
  // 2.2.13: "CreateContextsOffset (4 bytes): The offset, in bytes, from the beginning of the SMB2 header to
  // the first 8-byte aligned SMB2_CREATE_CONTEXT structure in the request."
  if (offset % 8 !== 0) throw new MalformedPacket(`${what}: CreateContextsOffset ${offset} is not 8-byte aligned`, r.offset);
  bufferAt(r, hdr, offset, length, fixed, what);
  return decodeCreateContexts(r, hdr + offset, length);
}

export function decodeCreateRequest(r: Reader): CreateRequest {
  const hdr = beginBody(r, CREATE_REQUEST_SIZE, 'CREATE request');
  requireFixed(r, hdr, CREATE_REQUEST_SIZE, 'CREATE request');
  const securityFlags = r.u8();
  const requestedOplockLevel = r.u8();
  const impersonationLevel = r.u32();
  const smbCreateFlags = r.u64();
  r.skip(8); // Reserved
  const desiredAccess = r.u32();
  const fileAttributes = r.u32();
  const shareAccess = r.u32();
  const createDisposition = r.u32();
  const createOptions = r.u32();
  const nameOffset = r.u16();
  const nameLength = r.u16();
  const ctxOffset = r.u32();
  const ctxLength = r.u32();
  const fixed = CREATE_REQUEST_SIZE - 1;
  // A name that is not whole UTF-16 cannot be a path (decodeUtf16 rejects odd lengths and lone surrogates).
  const name = decodeUtf16(bufferAt(r, hdr, nameOffset, nameLength, fixed, 'CREATE name'));
  const createContexts = contextsAt(r, hdr, ctxOffset, ctxLength, fixed, 'CREATE contexts');
  r.seek(r.end);
  return {
    securityFlags,
    requestedOplockLevel,
    impersonationLevel,
    smbCreateFlags,
    desiredAccess,
    fileAttributes,
    shareAccess,
    createDisposition,
    createOptions,
    name,
    createContexts,
  };
}

export function encodeCreateRequest(w: Writer, m: CreateRequest): void {
  const hdr = headerStart(w);
  const name = encodeUtf16(m.name);
  w.u16(CREATE_REQUEST_SIZE).u8(m.securityFlags).u8(m.requestedOplockLevel).u32(m.impersonationLevel);
  w.u64(m.smbCreateFlags).u64(0);
  w.u32(m.desiredAccess).u32(m.fileAttributes).u32(m.shareAccess).u32(m.createDisposition).u32(m.createOptions);
  w.u16(SMB2_HEADER_SIZE + CREATE_REQUEST_SIZE - 1).u16(name.length);
  const ctxAt = w.reserve(8);
  if (name.length > 0) w.bytes(name);
  else w.u8(0);
  if (m.createContexts.length > 0) {
    w.align(8, hdr);
    const off = w.length - hdr;
    const len = encodeCreateContexts(w, m.createContexts);
    w.patchU32(ctxAt, off).patchU32(ctxAt + 4, len);
  }
}

export interface CreateResponse {
  oplockLevel: number;
  flags: number;
  createAction: number;
  creationTime: bigint;
  lastAccessTime: bigint;
  lastWriteTime: bigint;
  changeTime: bigint;
  allocationSize: bigint;
  endOfFile: bigint;
  fileAttributes: number;
  fileId: FileId;
  createContexts: CreateContext[];
}

export function decodeCreateResponse(r: Reader): CreateResponse {
  const hdr = beginBody(r, CREATE_RESPONSE_SIZE, 'CREATE response');
  requireFixed(r, hdr, CREATE_RESPONSE_SIZE, 'CREATE response');
  const oplockLevel = r.u8();
  const flags = r.u8();
  const createAction = r.u32();
  const creationTime = r.u64();
  const lastAccessTime = r.u64();
  const lastWriteTime = r.u64();
  const changeTime = r.u64();
  const allocationSize = r.u64();
  const endOfFile = r.u64();
  const fileAttributes = r.u32();
  r.skip(4); // Reserved2
  const fileId = readFileId(r);
  const ctxOffset = r.u32();
  const ctxLength = r.u32();
  const createContexts = contextsAt(r, hdr, ctxOffset, ctxLength, CREATE_RESPONSE_SIZE - 1, 'CREATE response contexts');
  r.seek(r.end);
  return {
    oplockLevel,
    flags,
    createAction,
    creationTime,
    lastAccessTime,
    lastWriteTime,
    changeTime,
    allocationSize,
    endOfFile,
    fileAttributes,
    fileId,
    createContexts,
  };
}

export function encodeCreateResponse(w: Writer, m: CreateResponse): void {
  const hdr = headerStart(w);
  w.u16(CREATE_RESPONSE_SIZE).u8(m.oplockLevel).u8(m.flags).u32(m.createAction);
  w.u64(m.creationTime).u64(m.lastAccessTime).u64(m.lastWriteTime).u64(m.changeTime);
  w.u64(m.allocationSize).u64(m.endOfFile).u32(m.fileAttributes).u32(0);
  writeFileId(w, m.fileId);
  const ctxAt = w.reserve(8);
  if (m.createContexts.length > 0) {
    w.align(8, hdr);
    const off = w.length - hdr;
    const len = encodeCreateContexts(w, m.createContexts);
    w.patchU32(ctxAt, off).patchU32(ctxAt + 4, len);
  } else {
    w.u8(0);
  }
}
