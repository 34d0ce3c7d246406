/**
 * SMB2 QUERY_DIRECTORY request (MS-SMB2 2.2.33) and response (2.2.34). The entries themselves are
 * MS-FSCC 2.4 structures, encoded by src/smb2/fscc/.
 */
import {MalformedPacket} from '../../wire/errors.js';
import type {Reader} from '../../wire/reader.js';
import {decodeUtf16, encodeUtf16} from '../../wire/utf16.js';
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

export const QUERY_DIRECTORY_REQUEST_SIZE = 33;

export interface QueryDirectoryRequest {
  fileInformationClass: number;
  flags: number;
  fileIndex: number;
  fileId: FileId;
  /** Search pattern ("*" usually; may be "" only together with a restart in practice). */
  fileName: string;
  outputBufferLength: number;
}

export function decodeQueryDirectoryRequest(r: Reader): QueryDirectoryRequest {
  const hdr = beginBody(r, QUERY_DIRECTORY_REQUEST_SIZE, 'QUERY_DIRECTORY request');
  requireFixed(r, hdr, QUERY_DIRECTORY_REQUEST_SIZE, 'QUERY_DIRECTORY request');
  const fileInformationClass = r.u8();
  const flags = r.u8();
  const fileIndex = r.u32();
  const fileId = readFileId(r);
  const nameOffset = r.u16();
  const nameLength = r.u16();
  const outputBufferLength = r.u32();
  const raw = bufferAt(r, hdr, nameOffset, nameLength, QUERY_DIRECTORY_REQUEST_SIZE - 1, 'QUERY_DIRECTORY FileName');
  const fileName = decodeUtf16(raw);
  r.seek(r.end);
  return {fileInformationClass, flags, fileIndex, fileId, fileName, outputBufferLength};
}

export function encodeQueryDirectoryRequest(w: Writer, m: QueryDirectoryRequest): void {
  headerStart(w);
  const name = encodeUtf16(m.fileName);
  if (name.length > 0xffff) throw new MalformedPacket('QUERY_DIRECTORY FileName longer than 65535 bytes');
  w.u16(QUERY_DIRECTORY_REQUEST_SIZE).u8(m.fileInformationClass).u8(m.flags).u32(m.fileIndex);
  writeFileId(w, m.fileId);
  w.u16(SMB2_HEADER_SIZE + QUERY_DIRECTORY_REQUEST_SIZE - 1).u16(name.length).u32(m.outputBufferLength);
  if (name.length > 0) w.bytes(name);
  else w.u8(0);
}

/** The directory entries (a view when decoded). */
export function decodeQueryDirectoryResponse(r: Reader): Buffer {
  return decodeOutputResponse(r, 'QUERY_DIRECTORY response');
}

export function encodeQueryDirectoryResponse(w: Writer, entries: Uint8Array): void {
  encodeOutputResponse(w, entries);
}
