/**
 * SMB2 OPLOCK_BREAK command, both forms (MS-SMB2 2.2.23-2.2.25):
 *   oplock: notification / acknowledgment / response, StructureSize 24;
 *   lease:  notification (44), acknowledgment and response (36).
 * A decoder tells the forms apart by StructureSize, as the server must (3.3.5.22).
 */
import {MalformedPacket} from '../../wire/errors.js';
import type {Reader} from '../../wire/reader.js';
import type {Writer} from '../../wire/writer.js';
import {SMB2_HEADER_SIZE} from '../constants.js';
import {headerStart, readFileId, requireFixed, writeFileId, type FileId} from './common.js';

export const OPLOCK_BREAK_SIZE = 24;
export const LEASE_BREAK_NOTIFICATION_SIZE = 44;
export const LEASE_BREAK_ACK_SIZE = 36;

export interface OplockBreak {
  kind: 'oplock';
  oplockLevel: number;
  fileId: FileId;
}

/** Lease break acknowledgment (client) and response (server) share this shape. */
export interface LeaseBreakAck {
  kind: 'lease';
  flags: number;
  leaseKey: Buffer;
  leaseState: number;
  leaseDuration: bigint;
}

export interface LeaseBreakNotification {
  newEpoch: number;
  /** LeaseBreakFlags.ACK_REQUIRED. */
  flags: number;
  leaseKey: Buffer;
  currentLeaseState: number;
  newLeaseState: number;
  breakReason: number;
  accessMaskHint: number;
  shareMaskHint: number;
}

function structureSize(r: Reader): {hdr: number; size: number} {
  const hdr = r.offset - SMB2_HEADER_SIZE;
  if (hdr < r.start) throw new MalformedPacket('OPLOCK_BREAK: reader is not positioned after an SMB2 header', r.offset);
  return {hdr, size: r.u16()};
}

/** Client -> server: an oplock break acknowledgment or a lease break acknowledgment. */
export function decodeOplockBreakAck(r: Reader): OplockBreak | LeaseBreakAck {
  const at = r.offset;
  const {hdr, size} = structureSize(r);
  if (size === OPLOCK_BREAK_SIZE) {
    requireFixed(r, hdr, OPLOCK_BREAK_SIZE, 'OPLOCK_BREAK acknowledgment');
    const oplockLevel = r.u8();
    r.skip(1 + 4);
    return {kind: 'oplock', oplockLevel, fileId: readFileId(r)};
  }
  if (size === LEASE_BREAK_ACK_SIZE) {
    requireFixed(r, hdr, LEASE_BREAK_ACK_SIZE, 'LEASE_BREAK acknowledgment');
    r.skip(2);
    const flags = r.u32();
    const leaseKey = r.copy(16);
    const leaseState = r.u32();
    return {kind: 'lease', flags, leaseKey, leaseState, leaseDuration: r.u64()};
  }
  // 3.3.5.22: "Otherwise, the server MUST fail the request with STATUS_INVALID_PARAMETER." (StructureSize
  // neither 24 nor 36).
  throw new MalformedPacket(`OPLOCK_BREAK: StructureSize ${size} is neither 24 nor 36`, at);
}

/** The oplock form is the same for notification, acknowledgment and response. */
export function encodeOplockBreak(w: Writer, m: Omit<OplockBreak, 'kind'>): void {
  headerStart(w);
  w.u16(OPLOCK_BREAK_SIZE).u8(m.oplockLevel).u8(0).u32(0);
  writeFileId(w, m.fileId);
}

/** Lease break acknowledgment or response. */
export function encodeLeaseBreakAck(w: Writer, m: Omit<LeaseBreakAck, 'kind'>): void {
  headerStart(w);
  w.u16(LEASE_BREAK_ACK_SIZE).u16(0).u32(m.flags).fixed(m.leaseKey, 16).u32(m.leaseState).u64(m.leaseDuration);
}

/** Server -> client lease break notification (sent with MessageId 0xFFFFFFFFFFFFFFFF). */
export function encodeLeaseBreakNotification(w: Writer, m: LeaseBreakNotification): void {
  headerStart(w);
  w.u16(LEASE_BREAK_NOTIFICATION_SIZE).u16(m.newEpoch).u32(m.flags).fixed(m.leaseKey, 16);
  w.u32(m.currentLeaseState).u32(m.newLeaseState).u32(m.breakReason).u32(m.accessMaskHint).u32(m.shareMaskHint);
}

export function decodeLeaseBreakNotification(r: Reader): LeaseBreakNotification {
  const at = r.offset;
  const {hdr, size} = structureSize(r);
  if (size !== LEASE_BREAK_NOTIFICATION_SIZE) {
    throw new MalformedPacket(`LEASE_BREAK notification: StructureSize ${size}, MUST be 44`, at);
  }
  requireFixed(r, hdr, LEASE_BREAK_NOTIFICATION_SIZE, 'LEASE_BREAK notification');
  return {
    newEpoch: r.u16(),
    flags: r.u32(),
    leaseKey: r.copy(16),
    currentLeaseState: r.u32(),
    newLeaseState: r.u32(),
    breakReason: r.u32(),
    accessMaskHint: r.u32(),
    shareMaskHint: r.u32(),
  };
}
