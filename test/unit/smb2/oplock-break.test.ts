import {describe, expect, it} from 'vitest';
import {MalformedPacket} from '../../../src/wire/errors.js';
import {Command, LeaseState, OplockLevel} from '../../../src/smb2/constants.js';
import {
  decodeLeaseBreakNotification,
  decodeOplockBreakAck,
  encodeLeaseBreakAck,
  encodeLeaseBreakNotification,
  encodeOplockBreak,
} from '../../../src/smb2/messages/oplock-break.js';
import {FID, body, expectTruncationsThrow, message, patched, roundTrip} from './helpers.js';

describe('OPLOCK_BREAK (2.2.23-2.2.25)', () => {
  it('oplock form', () => {
    const m = message(Command.OPLOCK_BREAK, encodeOplockBreak, {oplockLevel: OplockLevel.II, fileId: FID});
    expect(m.length).toBe(88);
    expect(body(m, decodeOplockBreakAck).value).toEqual({kind: 'oplock', oplockLevel: OplockLevel.II, fileId: FID});
    expectTruncationsThrow(m, decodeOplockBreakAck);
  });
  it('lease acknowledgment form', () => {
    const v = {flags: 0, leaseKey: Buffer.alloc(16, 4), leaseState: LeaseState.READ_CACHING, leaseDuration: 0n};
    const m = message(Command.OPLOCK_BREAK, encodeLeaseBreakAck, v);
    expect(m.length).toBe(100);
    expect(body(m, decodeOplockBreakAck).value).toEqual({kind: 'lease', ...v});
    expectTruncationsThrow(m, decodeOplockBreakAck);
  });
  it('any other StructureSize is invalid', () => {
    const m = message(Command.OPLOCK_BREAK, encodeOplockBreak, {oplockLevel: 0, fileId: FID});
    expect(() => body(patched(m, 0, 44), decodeOplockBreakAck)).toThrow(/neither 24 nor 36/);
  });
  it('lease break notification', () => {
    const v = {newEpoch: 2, flags: 1, leaseKey: Buffer.alloc(16, 8), currentLeaseState: 7, newLeaseState: 1, breakReason: 0, accessMaskHint: 0, shareMaskHint: 0};
    const {bytes, value} = roundTrip(Command.OPLOCK_BREAK, encodeLeaseBreakNotification, decodeLeaseBreakNotification, v);
    expect(value).toEqual(v);
    expect(bytes.length).toBe(64 + 44);
    expect(() => body(patched(bytes, 0, 36), decodeLeaseBreakNotification)).toThrow(MalformedPacket);
    expectTruncationsThrow(bytes, decodeLeaseBreakNotification);
  });
});
