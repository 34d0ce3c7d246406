/**
 * SMB2 ERROR response (MS-SMB2 2.2.2) and ERROR Context (2.2.2.1, 3.1.1 only).
 *
 * The status itself travels in the header; this body only adds ErrorData.
 */
import type {Reader} from '../../wire/reader.js';
import {padTo} from '../../wire/reader.js';
import type {Writer} from '../../wire/writer.js';
import {beginBody, headerStart, requireFixed} from './common.js';

export const ERROR_RESPONSE_SIZE = 9;

export interface ErrorContext {
  errorId: number;
  /** A view when decoded. */
  data: Buffer;
}

export interface ErrorResponse {
  /** Raw ErrorData (views when decoded); ignored by the encoder when `contexts` is non-empty. */
  errorData: Buffer;
  /** 3.1.1 only; when non-empty the encoder builds ErrorData from these. */
  contexts: ErrorContext[];
}

export function errorResponse(errorData: Buffer = Buffer.alloc(0)): ErrorResponse {
  return {errorData, contexts: []};
}

/** ErrorData for STATUS_BUFFER_TOO_SMALL: the 4-byte size the client should have offered (2.2.2.2). */
export function bufferTooSmallData(required: number): Buffer {
  const b = Buffer.alloc(4);
  b.writeUInt32LE(required >>> 0);
  return b;
}

export function decodeErrorResponse(r: Reader): ErrorResponse {
  const hdr = beginBody(r, ERROR_RESPONSE_SIZE, 'ERROR response');
  requireFixed(r, hdr, ERROR_RESPONSE_SIZE, 'ERROR response');
  const count = r.u8();
  r.skip(1);
  const byteCount = r.u32();
  const dataStart = r.offset;
  const errorData = r.bytes(byteCount);
  const contexts: ErrorContext[] = [];
  if (count > 0) {
    // 2.2.2: "if this field is nonzero, the ErrorData field MUST be formatted as a variable-length array of
    // SMB2 ERROR Context structures containing ErrorContextCount entries." Each starts 8-byte aligned.
    const d = r.sub(dataStart, byteCount);
    for (let i = 0; i < count; i++) {
      if (i > 0) d.skip(Math.min(padTo(d.offset - dataStart, 8), d.remaining));
      const len = d.u32();
      const errorId = d.u32();
      contexts.push({errorId, data: d.bytes(len)});
    }
  }
  // ByteCount 0 comes with one (ignored) byte of ErrorData; tolerate its absence.
  r.seek(r.end);
  return {errorData, contexts};
}

export function encodeErrorResponse(w: Writer, m: ErrorResponse): void {
  headerStart(w);
  if (m.contexts.length > 0xff) throw new RangeError('more than 255 error contexts');
  w.u16(ERROR_RESPONSE_SIZE).u8(m.contexts.length).u8(0);
  const countAt = w.reserve(4);
  const dataStart = w.length;
  if (m.contexts.length > 0) {
    m.contexts.forEach((c, i) => {
      if (i > 0) w.align(8, dataStart);
      w.u32(c.data.length).u32(c.errorId).bytes(c.data);
    });
  } else {
    w.bytes(m.errorData);
  }
  const byteCount = w.length - dataStart;
  w.patchU32(countAt, byteCount);
  // 2.2.2: "If the ByteCount field is zero then the server MUST supply an ErrorData field that is one byte
  // in length, and SHOULD set that byte to zero".
  if (byteCount === 0) w.u8(0);
}
