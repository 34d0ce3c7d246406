/**
 * SMB2 READ request (MS-SMB2 2.2.19) and response (2.2.20). Response data is a view, and the encoder can
 * stop after the fixed part so the connection sends the file bytes straight from their own buffer.
 */
import type {Reader} from '../../wire/reader.js';
import type {Writer} from '../../wire/writer.js';
import {SMB2_HEADER_SIZE} from '../constants.js';
import {beginBody, bufferAt, headerStart, readFileId, requireFixed, writeFileId, type FileId} from './common.js';

export const READ_REQUEST_SIZE = 49;
export const READ_RESPONSE_SIZE = 17;
/** Where READ response data starts when it directly follows the fixed part (from the header). */
export const READ_RESPONSE_DATA_OFFSET = SMB2_HEADER_SIZE + READ_RESPONSE_SIZE - 1; // 80

export interface ReadRequest {
  /** Requested alignment of the response data (a hint). */
  padding: number;
  flags: number;
  length: number;
  offset: bigint;
  fileId: FileId;
  minimumCount: number;
  channel: number;
  remainingBytes: number;
  /** RDMA channel descriptors (a view; empty for Channel NONE). */
  readChannelInfo: Buffer;
}

export function decodeReadRequest(r: Reader): ReadRequest {
  const hdr = beginBody(r, READ_REQUEST_SIZE, 'READ request');
  requireFixed(r, hdr, READ_REQUEST_SIZE, 'READ request');
  const padding = r.u8();
  const flags = r.u8();
  const length = r.u32();
  const offset = r.u64();
  const fileId = readFileId(r);
  const minimumCount = r.u32();
  const channel = r.u32();
  const remainingBytes = r.u32();
  const infoOffset = r.u16();
  const infoLength = r.u16();
  const readChannelInfo = bufferAt(r, hdr, infoOffset, infoLength, READ_REQUEST_SIZE - 1, 'READ channel info');
  r.seek(r.end);
  return {padding, flags, length, offset, fileId, minimumCount, channel, remainingBytes, readChannelInfo};
}

export function encodeReadRequest(w: Writer, m: ReadRequest): void {
  headerStart(w);
  w.u16(READ_REQUEST_SIZE).u8(m.padding).u8(m.flags).u32(m.length).u64(m.offset);
  writeFileId(w, m.fileId);
  w.u32(m.minimumCount).u32(m.channel).u32(m.remainingBytes);
  const infoOff = m.readChannelInfo.length > 0 ? SMB2_HEADER_SIZE + READ_REQUEST_SIZE - 1 : 0;
  w.u16(infoOff).u16(m.readChannelInfo.length);
  // 2.2.19: the Buffer "MUST be at least one byte" even with no channel info (StructureSize 49 counts it).
  if (m.readChannelInfo.length > 0) w.bytes(m.readChannelInfo);
  else w.u8(0);
}

export interface ReadResponse {
  dataRemaining: number;
  /** ReadResponseFlags (3.1.1), else Reserved2. */
  flags: number;
  /** The bytes read (a view). */
  data: Buffer;
}

export function decodeReadResponse(r: Reader): ReadResponse {
  const hdr = beginBody(r, READ_RESPONSE_SIZE, 'READ response');
  requireFixed(r, hdr, READ_RESPONSE_SIZE - 1, 'READ response');
  const dataOffset = r.u8();
  r.skip(1);
  const dataLength = r.u32();
  const dataRemaining = r.u32();
  const flags = r.u32();
  const data = bufferAt(r, hdr, dataOffset, dataLength, READ_RESPONSE_SIZE - 1, 'READ data');
  r.seek(r.end);
  return {dataRemaining, flags, data};
}

/** Write the fixed part for `dataLength` bytes that the caller sends right after it (offset 80). */
export function encodeReadResponseHead(w: Writer, dataLength: number, dataRemaining = 0, flags = 0): void {
  headerStart(w);
  w.u16(READ_RESPONSE_SIZE).u8(READ_RESPONSE_DATA_OFFSET).u8(0).u32(dataLength).u32(dataRemaining).u32(flags);
}

export function encodeReadResponse(w: Writer, m: ReadResponse): void {
  encodeReadResponseHead(w, m.data.length, m.dataRemaining, m.flags);
  if (m.data.length > 0) w.bytes(m.data);
  else w.u8(0);
}
