/**
 * SMB2 CHANGE_NOTIFY request (MS-SMB2 2.2.35) and response (2.2.36). The response carries
 * FILE_NOTIFY_INFORMATION entries (MS-FSCC 2.7.1), encoded elsewhere.
 */
import type {Reader} from '../../wire/reader.js';
import type {Writer} from '../../wire/writer.js';
import {
  beginBody,
  decodeOutputResponse,
  encodeOutputResponse,
  headerStart,
  readFileId,
  requireFixed,
  writeFileId,
  type FileId,
} from './common.js';

export const CHANGE_NOTIFY_REQUEST_SIZE = 32;

export interface ChangeNotifyRequest {
  /** ChangeNotifyFlags.WATCH_TREE. */
  flags: number;
  outputBufferLength: number;
  fileId: FileId;
  completionFilter: number;
}

export function decodeChangeNotifyRequest(r: Reader): ChangeNotifyRequest {
  const hdr = beginBody(r, CHANGE_NOTIFY_REQUEST_SIZE, 'CHANGE_NOTIFY request');
  requireFixed(r, hdr, CHANGE_NOTIFY_REQUEST_SIZE, 'CHANGE_NOTIFY request');
  const flags = r.u16();
  const outputBufferLength = r.u32();
  const fileId = readFileId(r);
  const completionFilter = r.u32();
  r.skip(4);
  return {flags, outputBufferLength, fileId, completionFilter};
}

export function encodeChangeNotifyRequest(w: Writer, m: ChangeNotifyRequest): void {
  headerStart(w);
  w.u16(CHANGE_NOTIFY_REQUEST_SIZE).u16(m.flags).u32(m.outputBufferLength);
  writeFileId(w, m.fileId);
  w.u32(m.completionFilter).u32(0);
}

export function decodeChangeNotifyResponse(r: Reader): Buffer {
  return decodeOutputResponse(r, 'CHANGE_NOTIFY response');
}

export function encodeChangeNotifyResponse(w: Writer, notifications: Uint8Array): void {
  encodeOutputResponse(w, notifications);
}
