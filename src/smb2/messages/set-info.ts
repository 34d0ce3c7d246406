/**
 * SMB2 SET_INFO request (MS-SMB2 2.2.39) and response (2.2.40).
 */
import type {Reader} from '../../wire/reader.js';
import type {Writer} from '../../wire/writer.js';
import {SMB2_HEADER_SIZE} from '../constants.js';
import {beginBody, bufferAt, headerStart, readFileId, requireFixed, writeFileId, type FileId} from './common.js';

export const SET_INFO_REQUEST_SIZE = 33;
export const SET_INFO_RESPONSE_SIZE = 2;

export interface SetInfoRequest {
  infoType: number;
  fileInfoClass: number;
  /** The information structure to apply (a view). */
  buffer: Buffer;
  additionalInformation: number;
  fileId: FileId;
}

export function decodeSetInfoRequest(r: Reader): SetInfoRequest {
  const hdr = beginBody(r, SET_INFO_REQUEST_SIZE, 'SET_INFO request');
  requireFixed(r, hdr, SET_INFO_REQUEST_SIZE, 'SET_INFO request');
  const infoType = r.u8();
  const fileInfoClass = r.u8();
  const length = r.u32();
  const offset = r.u16();
  r.skip(2);
  const additionalInformation = r.u32();
  const fileId = readFileId(r);
  const buffer = bufferAt(r, hdr, offset, length, SET_INFO_REQUEST_SIZE - 1, 'SET_INFO buffer');
  r.seek(r.end);
  return {infoType, fileInfoClass, buffer, additionalInformation, fileId};
}

export function encodeSetInfoRequest(w: Writer, m: SetInfoRequest): void {
  headerStart(w);
  w.u16(SET_INFO_REQUEST_SIZE).u8(m.infoType).u8(m.fileInfoClass).u32(m.buffer.length);
  w.u16(SMB2_HEADER_SIZE + SET_INFO_REQUEST_SIZE - 1).u16(0).u32(m.additionalInformation);
  writeFileId(w, m.fileId);
  if (m.buffer.length > 0) w.bytes(m.buffer);
  else w.u8(0);
}

export function decodeSetInfoResponse(r: Reader): void {
  beginBody(r, SET_INFO_RESPONSE_SIZE, 'SET_INFO response');
}

export function encodeSetInfoResponse(w: Writer): void {
  headerStart(w);
  w.u16(SET_INFO_RESPONSE_SIZE);
}
