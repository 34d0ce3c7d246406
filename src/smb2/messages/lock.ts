/**
 * SMB2 LOCK request (MS-SMB2 2.2.26) with its SMB2_LOCK_ELEMENT array (2.2.26.1), and response (2.2.27).
 */
import {MalformedPacket} from '../../wire/errors.js';
import type {Reader} from '../../wire/reader.js';
import type {Writer} from '../../wire/writer.js';
import {beginBody, headerStart, readFileId, requireFixed, writeFileId, type FileId} from './common.js';

export const LOCK_REQUEST_SIZE = 48;
export const LOCK_RESPONSE_SIZE = 4;
export const LOCK_ELEMENT_SIZE = 24;

export interface LockElement {
  offset: bigint;
  length: bigint;
  /** LockFlags. */
  flags: number;
}

export interface LockRequest {
  /** Low 4 bits of the LockSequence field (2.1+ resilient handles). */
  lockSequenceNumber: number;
  /** Upper 28 bits of the LockSequence field. */
  lockSequenceIndex: number;
  fileId: FileId;
  locks: LockElement[];
}

export function decodeLockRequest(r: Reader): LockRequest {
  const hdr = beginBody(r, LOCK_REQUEST_SIZE, 'LOCK request');
  requireFixed(r, hdr, LOCK_REQUEST_SIZE, 'LOCK request');
  const countAt = r.offset;
  const lockCount = r.u16();
  // 2.2.26: "LockCount (2 bytes): MUST be set to the number of SMB2_LOCK_ELEMENT structures that are
  // contained in the Locks[] array. The lock count MUST be greater than or equal to 1."
  if (lockCount === 0) throw new MalformedPacket('LOCK: LockCount MUST be greater than or equal to 1', countAt);
  const seq = r.u32();
  const fileId = readFileId(r);
  if (lockCount * LOCK_ELEMENT_SIZE > r.remaining) {
    throw new MalformedPacket(`LOCK: ${lockCount} lock elements do not fit the message`, countAt);
  }
  const locks: LockElement[] = [];
  for (let i = 0; i < lockCount; i++) {
    const offset = r.u64();
    const length = r.u64();
    const flags = r.u32();
    r.skip(4);
    locks.push({offset, length, flags});
  }
  r.seek(r.end);
  return {lockSequenceNumber: seq & 0xf, lockSequenceIndex: seq >>> 4, fileId, locks};
}

export function encodeLockRequest(w: Writer, m: LockRequest): void {
  headerStart(w);
  if (m.locks.length === 0) throw new RangeError('LOCK needs at least one element');
  w.u16(LOCK_REQUEST_SIZE).u16(m.locks.length).u32(((m.lockSequenceIndex << 4) | (m.lockSequenceNumber & 0xf)) >>> 0);
  writeFileId(w, m.fileId);
  for (const l of m.locks) w.u64(l.offset).u64(l.length).u32(l.flags).u32(0);
}

export function decodeLockResponse(r: Reader): void {
  beginBody(r, LOCK_RESPONSE_SIZE, 'LOCK response');
  r.skip(2);
}

export function encodeLockResponse(w: Writer): void {
  headerStart(w);
  w.u16(LOCK_RESPONSE_SIZE).u16(0);
}
