/**
 * SMB2 CLOSE request (MS-SMB2 2.2.15) and response (2.2.16).
 */
import type {Reader} from '../../wire/reader.js';
import type {Writer} from '../../wire/writer.js';
import {beginBody, headerStart, readFileId, requireFixed, writeFileId, type FileId} from './common.js';

export const CLOSE_REQUEST_SIZE = 24;
export const CLOSE_RESPONSE_SIZE = 60;

export interface CloseRequest {
  /** CloseFlags.POSTQUERY_ATTRIB asks for the attributes in the response. */
  flags: number;
  fileId: FileId;
}

export function decodeCloseRequest(r: Reader): CloseRequest {
  const hdr = beginBody(r, CLOSE_REQUEST_SIZE, 'CLOSE request');
  requireFixed(r, hdr, CLOSE_REQUEST_SIZE, 'CLOSE request');
  const flags = r.u16();
  r.skip(4);
  return {flags, fileId: readFileId(r)};
}

export function encodeCloseRequest(w: Writer, m: CloseRequest): void {
  headerStart(w);
  w.u16(CLOSE_REQUEST_SIZE).u16(m.flags).u32(0);
  writeFileId(w, m.fileId);
}

/** Without POSTQUERY_ATTRIB the server MUST zero every field but Flags (2.2.16). */
export interface CloseResponse {
  flags: number;
  creationTime: bigint;
  lastAccessTime: bigint;
  lastWriteTime: bigint;
  changeTime: bigint;
  allocationSize: bigint;
  endOfFile: bigint;
  fileAttributes: number;
}

export const EMPTY_CLOSE_RESPONSE: Readonly<CloseResponse> = Object.freeze({
  flags: 0,
  creationTime: 0n,
  lastAccessTime: 0n,
  lastWriteTime: 0n,
  changeTime: 0n,
  allocationSize: 0n,
  endOfFile: 0n,
  fileAttributes: 0,
});

export function decodeCloseResponse(r: Reader): CloseResponse {
  const hdr = beginBody(r, CLOSE_RESPONSE_SIZE, 'CLOSE response');
  requireFixed(r, hdr, CLOSE_RESPONSE_SIZE, 'CLOSE response');
  const flags = r.u16();
  r.skip(4);
  return {
    flags,
    creationTime: r.u64(),
    lastAccessTime: r.u64(),
    lastWriteTime: r.u64(),
    changeTime: r.u64(),
    allocationSize: r.u64(),
    endOfFile: r.u64(),
    fileAttributes: r.u32(),
  };
}

export function encodeCloseResponse(w: Writer, m: CloseResponse): void {
  headerStart(w);
  w.u16(CLOSE_RESPONSE_SIZE).u16(m.flags).u32(0);
  w.u64(m.creationTime).u64(m.lastAccessTime).u64(m.lastWriteTime).u64(m.changeTime);
  w.u64(m.allocationSize).u64(m.endOfFile).u32(m.fileAttributes);
}
