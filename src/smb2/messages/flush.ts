/**
 * SMB2 FLUSH request (MS-SMB2 2.2.17) and response (2.2.18).
 */
import type {Reader} from '../../wire/reader.js';
import type {Writer} from '../../wire/writer.js';
import {beginBody, headerStart, readFileId, requireFixed, writeFileId, type FileId} from './common.js';

export const FLUSH_REQUEST_SIZE = 24;
export const FLUSH_RESPONSE_SIZE = 4;

export interface FlushRequest {
  fileId: FileId;
}

export function decodeFlushRequest(r: Reader): FlushRequest {
  const hdr = beginBody(r, FLUSH_REQUEST_SIZE, 'FLUSH request');
  requireFixed(r, hdr, FLUSH_REQUEST_SIZE, 'FLUSH request');
  r.skip(2 + 4); // Reserved1, Reserved2
  return {fileId: readFileId(r)};
}

export function encodeFlushRequest(w: Writer, m: FlushRequest): void {
  headerStart(w);
  w.u16(FLUSH_REQUEST_SIZE).u16(0).u32(0);
  writeFileId(w, m.fileId);
}

export function decodeFlushResponse(r: Reader): void {
  beginBody(r, FLUSH_RESPONSE_SIZE, 'FLUSH response');
  r.skip(2);
}

export function encodeFlushResponse(w: Writer): void {
  headerStart(w);
  w.u16(FLUSH_RESPONSE_SIZE).u16(0);
}
