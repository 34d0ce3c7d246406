/**
 * SMB2 IOCTL request (MS-SMB2 2.2.31) and response (2.2.32). Input and output are views; the FSCTL
 * structures inside them are decoded by src/smb2/fscc/.
 */
import {MalformedPacket} from '../../wire/errors.js';
import type {Reader} from '../../wire/reader.js';
import type {Writer} from '../../wire/writer.js';
import {SMB2_HEADER_SIZE} from '../constants.js';
import {beginBody, bufferAt, headerStart, readFileId, requireFixed, writeFileId, type FileId} from './common.js';

export const IOCTL_REQUEST_SIZE = 57;
export const IOCTL_RESPONSE_SIZE = 49;

export interface IoctlRequest {
  ctlCode: number;
  fileId: FileId;
  input: Buffer;
  maxInputResponse: number;
  /** Output sent by the client (rare; a view). */
  output: Buffer;
  maxOutputResponse: number;
  /** IoctlFlags.IS_FSCTL. */
  flags: number;
}

export function decodeIoctlRequest(r: Reader): IoctlRequest {
  const hdr = beginBody(r, IOCTL_REQUEST_SIZE, 'IOCTL request');
  requireFixed(r, hdr, IOCTL_REQUEST_SIZE, 'IOCTL request');
  r.skip(2);
  const ctlCode = r.u32();
  const fileId = readFileId(r);
  const inOffset = r.u32();
  const inCount = r.u32();
  const maxInputResponse = r.u32();
  const outOffset = r.u32();
  const outCount = r.u32();
  const maxOutputResponse = r.u32();
  const flags = r.u32();
  r.skip(4);
  const fixed = IOCTL_REQUEST_SIZE - 1;
  const input = bufferAt(r, hdr, inOffset, inCount, fixed, 'IOCTL input');
  const output = bufferAt(r, hdr, outOffset, outCount, fixed, 'IOCTL output');
  r.seek(r.end);
  return {ctlCode, fileId, input, maxInputResponse, output, maxOutputResponse, flags};
}

export function encodeIoctlRequest(w: Writer, m: IoctlRequest): void {
  headerStart(w);
  const base = SMB2_HEADER_SIZE + IOCTL_REQUEST_SIZE - 1;
  w.u16(IOCTL_REQUEST_SIZE).u16(0).u32(m.ctlCode);
  writeFileId(w, m.fileId);
  w.u32(m.input.length > 0 ? base : 0).u32(m.input.length).u32(m.maxInputResponse);
  w.u32(m.output.length > 0 ? base + m.input.length : 0).u32(m.output.length).u32(m.maxOutputResponse);
  w.u32(m.flags).u32(0);
  w.bytes(m.input).bytes(m.output);
  if (m.input.length === 0 && m.output.length === 0) w.u8(0);
}

export interface IoctlResponse {
  ctlCode: number;
  fileId: FileId;
  /** Usually empty (2.2.32: InputCount SHOULD be 0 except for pass-through FSCTLs). */
  input: Buffer;
  output: Buffer;
  flags: number;
}

export function decodeIoctlResponse(r: Reader): IoctlResponse {
  const hdr = beginBody(r, IOCTL_RESPONSE_SIZE, 'IOCTL response');
  requireFixed(r, hdr, IOCTL_RESPONSE_SIZE, 'IOCTL response');
  r.skip(2);
  const ctlCode = r.u32();
  const fileId = readFileId(r);
  const inOffset = r.u32();
  const inCount = r.u32();
  const outOffset = r.u32();
  const outCount = r.u32();
  const flags = r.u32();
  r.skip(4);
  const fixed = IOCTL_RESPONSE_SIZE - 1;
  const input = bufferAt(r, hdr, inOffset, inCount, fixed, 'IOCTL response input');
  const output = bufferAt(r, hdr, outOffset, outCount, fixed, 'IOCTL response output');
  r.seek(r.end);
  return {ctlCode, fileId, input, output, flags};
}

export function encodeIoctlResponse(w: Writer, m: IoctlResponse): void {
  const hdr = headerStart(w);
  const base = SMB2_HEADER_SIZE + IOCTL_RESPONSE_SIZE - 1; // 112, 8-aligned
  w.u16(IOCTL_RESPONSE_SIZE).u16(0).u32(m.ctlCode);
  writeFileId(w, m.fileId);
  // Offsets are given even for empty buffers: Windows does, and some clients check OutputOffset.
  const inOff = base;
  const outOff = base + m.input.length + ((8 - (m.input.length % 8)) % 8);
  w.u32(inOff).u32(m.input.length).u32(outOff).u32(m.output.length).u32(m.flags).u32(0);
  w.bytes(m.input);
  if (m.output.length > 0) {
    w.align(8, hdr);
    if (w.length - hdr !== outOff) throw new MalformedPacket('IOCTL response layout');
    w.bytes(m.output);
  }
}
