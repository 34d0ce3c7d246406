/**
 * SMB2 QUERY_INFO request (MS-SMB2 2.2.37) and response (2.2.38).
 */
import type {Reader} from '../../wire/reader.js';
import type {Writer} from '../../wire/writer.js';
import {SMB2_HEADER_SIZE} from '../constants.js';
import {
  beginBody,
  bufferAt,
  decodeOutputResponse,
  encodeOutputResponse,
  headerStart,
  readFileId,
  requireFixed,
  writeFileId,
  type FileId,
} from './common.js';

export const QUERY_INFO_REQUEST_SIZE = 41;

export interface QueryInfoRequest {
  infoType: number;
  fileInfoClass: number;
  outputBufferLength: number;
  /** FileFullEaInformation's EA name list or a quota SID list (a view). */
  inputBuffer: Buffer;
  /** SecurityInformation bits for InfoType SECURITY. */
  additionalInformation: number;
  flags: number;
  fileId: FileId;
}

export function decodeQueryInfoRequest(r: Reader): QueryInfoRequest {
  const hdr = beginBody(r, QUERY_INFO_REQUEST_SIZE, 'QUERY_INFO request');
  requireFixed(r, hdr, QUERY_INFO_REQUEST_SIZE, 'QUERY_INFO request');
  const infoType = r.u8();
  const fileInfoClass = r.u8();
  const outputBufferLength = r.u32();
  const inOffset = r.u16();
  r.skip(2);
  const inLength = r.u32();
  const additionalInformation = r.u32();
  const flags = r.u32();
  const fileId = readFileId(r);
  const inputBuffer = bufferAt(r, hdr, inOffset, inLength, QUERY_INFO_REQUEST_SIZE - 1, 'QUERY_INFO input');
  r.seek(r.end);
  return {infoType, fileInfoClass, outputBufferLength, inputBuffer, additionalInformation, flags, fileId};
}

export function encodeQueryInfoRequest(w: Writer, m: QueryInfoRequest): void {
  headerStart(w);
  const inOff = m.inputBuffer.length > 0 ? SMB2_HEADER_SIZE + QUERY_INFO_REQUEST_SIZE - 1 : 0;
  w.u16(QUERY_INFO_REQUEST_SIZE).u8(m.infoType).u8(m.fileInfoClass).u32(m.outputBufferLength);
  w.u16(inOff).u16(0).u32(m.inputBuffer.length).u32(m.additionalInformation).u32(m.flags);
  writeFileId(w, m.fileId);
  if (m.inputBuffer.length > 0) w.bytes(m.inputBuffer);
  else w.u8(0);
}

/** The information structure (a view when decoded). */
export function decodeQueryInfoResponse(r: Reader): Buffer {
  return decodeOutputResponse(r, 'QUERY_INFO response');
}

export function encodeQueryInfoResponse(w: Writer, output: Uint8Array): void {
  encodeOutputResponse(w, output);
}
