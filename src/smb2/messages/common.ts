/**
 * Helpers every message codec shares (MS-SMB2 2.2): StructureSize checks, header-relative buffers, FileId.
 *
 * Decoders are called with the reader at the first byte after the 64-byte header, so the header starts at
 * `r.offset - 64`; the reader's window ends where this message ends. Encoders are called right after the
 * header was written, so the same arithmetic holds on the Writer. That makes both work inside a compound.
 */
import {MalformedPacket} from '../../wire/errors.js';
import type {Reader} from '../../wire/reader.js';
import type {Writer} from '../../wire/writer.js';
import {SMB2_HEADER_SIZE} from '../constants.js';

/** Start a body decode: check the header fits before us and StructureSize matches; returns the header start. */
export function beginBody(r: Reader, structureSize: number, what: string): number {
  const hdr = r.offset - SMB2_HEADER_SIZE;
  if (hdr < r.start) throw new MalformedPacket(`${what}: reader is not positioned after an SMB2 header`, r.offset);
  const at = r.offset;
  const got = r.u16();
  // Every request and response section of 2.2 reads: "StructureSize (2 bytes): The client/server MUST set
  // this field to N"; 3.3.5.2.6 lets the server fail a request whose StructureSize is wrong.
  if (got !== structureSize) {
    throw new MalformedPacket(`${what}: StructureSize ${got}, MUST be ${structureSize}`, at);
  }
  return hdr;
}

/** Require the fixed part (StructureSize rounded down to even: the odd bit says "a buffer follows"). */
export function requireFixed(r: Reader, hdr: number, structureSize: number, what: string): void {
  const fixedEnd = hdr + SMB2_HEADER_SIZE + (structureSize & ~1);
  if (fixedEnd > r.end) {
    throw new MalformedPacket(`${what}: fixed part needs ${structureSize & ~1} bytes, message has ${r.end - hdr - SMB2_HEADER_SIZE}`, r.offset);
  }
}

/**
 * A variable buffer given as (offset from the header, length): a view, checked to lie inside this message
 * and after the fixed part. A zero length yields an empty buffer whatever the offset (clients send 0 or
 * a nominal offset then).
 */
export function bufferAt(
  r: Reader,
  hdr: number,
  offset: number,
  length: number,
  fixedSize: number,
  what: string,
): Buffer {
  if (length === 0) return EMPTY;
  const min = SMB2_HEADER_SIZE + fixedSize;
  if (offset < min) {
    throw new MalformedPacket(`${what}: offset ${offset} points into the header or fixed part (< ${min})`, r.offset);
  }
  const pos = hdr + offset;
  if (pos + length > r.end) {
    throw new MalformedPacket(`${what}: [${offset}, ${offset + length}) runs past the message end ${r.end - hdr}`, r.offset);
  }
  return r.buf.subarray(pos, pos + length);
}

/** Header start for an encoder that runs right after encodeHeader(). */
export function headerStart(w: Writer): number {
  const h = w.length - SMB2_HEADER_SIZE;
  if (h < 0) throw new RangeError('encoder called before the SMB2 header was written');
  return h;
}

/** 2.2.14.1 SMB2_FILEID: Persistent (8) + Volatile (8). */
export interface FileId {
  persistent: bigint;
  volatile: bigint;
}

/** The FileId a related compound request uses to mean "the previous open" (3.3.5.2.7.2). */
export const RELATED_FILE_ID: Readonly<FileId> = Object.freeze({
  persistent: 0xffffffffffffffffn,
  volatile: 0xffffffffffffffffn,
});

export function readFileId(r: Reader): FileId {
  return {persistent: r.u64(), volatile: r.u64()};
}

export function writeFileId(w: Writer, id: FileId): void {
  w.u64(id.persistent);
  w.u64(id.volatile);
}

export function isRelatedFileId(id: FileId): boolean {
  return id.persistent === RELATED_FILE_ID.persistent && id.volatile === RELATED_FILE_ID.volatile;
}

/** The empty buffer decoders return for a zero-length field. */
export const EMPTY: Buffer = Buffer.alloc(0);

/** The 9-byte "OutputBufferOffset, OutputBufferLength, Buffer" response shared by 2.2.34, 2.2.36, 2.2.38. */
export const OUTPUT_RESPONSE_SIZE = 9;
const OUTPUT_RESPONSE_OFFSET = SMB2_HEADER_SIZE + OUTPUT_RESPONSE_SIZE - 1; // 72

export function decodeOutputResponse(r: Reader, what: string): Buffer {
  const hdr = beginBody(r, OUTPUT_RESPONSE_SIZE, what);
  requireFixed(r, hdr, OUTPUT_RESPONSE_SIZE, what);
  const off = r.u16();
  const len = r.u32();
  const out = bufferAt(r, hdr, off, len, OUTPUT_RESPONSE_SIZE - 1, `${what} output`);
  r.seek(r.end);
  return out;
}

export function encodeOutputResponse(w: Writer, output: Uint8Array): void {
  headerStart(w);
  w.u16(OUTPUT_RESPONSE_SIZE).u16(OUTPUT_RESPONSE_OFFSET).u32(output.length);
  if (output.length > 0) w.bytes(output);
  else w.u8(0);
}
