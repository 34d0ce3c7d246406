/**
 * SMB2 WRITE request (MS-SMB2 2.2.21) and response (2.2.22). The request payload is a view into the
 * receive buffer: no copy between the socket and the file.
 */
import type {Reader} from '../../wire/reader.js';
import type {Writer} from '../../wire/writer.js';
import {SMB2_HEADER_SIZE} from '../constants.js';
import {beginBody, bufferAt, headerStart, readFileId, requireFixed, writeFileId, type FileId} from './common.js';

export const WRITE_REQUEST_SIZE = 49;
export const WRITE_RESPONSE_SIZE = 17;
export const WRITE_REQUEST_DATA_OFFSET = SMB2_HEADER_SIZE + WRITE_REQUEST_SIZE - 1; // 112

export interface WriteRequest {
  offset: bigint;
  fileId: FileId;
  channel: number;
  remainingBytes: number;
  flags: number;
  /** The bytes to write (a view). */
  data: Buffer;
  /** RDMA channel descriptors (a view). */
  writeChannelInfo: Buffer;
}

export function decodeWriteRequest(r: Reader): WriteRequest {
  const hdr = beginBody(r, WRITE_REQUEST_SIZE, 'WRITE request');
  requireFixed(r, hdr, WRITE_REQUEST_SIZE, 'WRITE request');
  const dataOffset = r.u16();
  const length = r.u32();
  const offset = r.u64();
  const fileId = readFileId(r);
  const channel = r.u32();
  const remainingBytes = r.u32();
  const infoOffset = r.u16();
  const infoLength = r.u16();
  const flags = r.u32();
  const fixed = WRITE_REQUEST_SIZE - 1;
  // 3.3.5.13 (paraphrased): data described by DataOffset/Length outside the request fails it with
  // STATUS_INVALID_PARAMETER; bufferAt throws MalformedPacket, which the engine maps to exactly that.
  const data = bufferAt(r, hdr, dataOffset, length, fixed, 'WRITE data');
  const writeChannelInfo = bufferAt(r, hdr, infoOffset, infoLength, fixed, 'WRITE channel info');
  r.seek(r.end);
  return {offset, fileId, channel, remainingBytes, flags, data, writeChannelInfo};
}

export function encodeWriteRequest(w: Writer, m: WriteRequest): void {
  headerStart(w);
  const dataOff = WRITE_REQUEST_DATA_OFFSET;
  const infoOff = m.writeChannelInfo.length > 0 ? dataOff + m.data.length : 0;
  w.u16(WRITE_REQUEST_SIZE).u16(dataOff).u32(m.data.length).u64(m.offset);
  writeFileId(w, m.fileId);
  w.u32(m.channel).u32(m.remainingBytes).u16(infoOff).u16(m.writeChannelInfo.length).u32(m.flags);
  w.bytes(m.data).bytes(m.writeChannelInfo);
  if (m.data.length === 0 && m.writeChannelInfo.length === 0) w.u8(0);
}

export interface WriteResponse {
  count: number;
  /** Reserved; 0. */
  remaining: number;
}

export function decodeWriteResponse(r: Reader): WriteResponse {
  const hdr = beginBody(r, WRITE_RESPONSE_SIZE, 'WRITE response');
  requireFixed(r, hdr, WRITE_RESPONSE_SIZE, 'WRITE response');
  r.skip(2);
  const count = r.u32();
  const remaining = r.u32();
  r.skip(4); // WriteChannelInfoOffset/Length: reserved in responses
  return {count, remaining};
}

export function encodeWriteResponse(w: Writer, m: WriteResponse): void {
  headerStart(w);
  // Windows sends the 16 fixed bytes with no Buffer byte, as the captured 3.0 and 3.1.1 responses show.
  w.u16(WRITE_RESPONSE_SIZE).u16(0).u32(m.count).u32(m.remaining).u16(0).u16(0);
}
