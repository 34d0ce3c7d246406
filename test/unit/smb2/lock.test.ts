import {describe, expect, it} from 'vitest';
import {Command, LockFlags} from '../../../src/smb2/constants.js';
import {decodeLockRequest, decodeLockResponse, encodeLockRequest, encodeLockResponse} from '../../../src/smb2/messages/lock.js';
import {FID, body, expectBadStructureSizeThrows, expectTruncationsThrow, patched, roundTrip} from './helpers.js';
import {checkFourByteBody} from './simple.js';

describe('LOCK (2.2.26, 2.2.27)', () => {
  const req = {
    lockSequenceNumber: 3,
    lockSequenceIndex: 17,
    fileId: FID,
    locks: [
      {offset: 0n, length: 10n, flags: LockFlags.EXCLUSIVE_LOCK | LockFlags.FAIL_IMMEDIATELY},
      {offset: 100n, length: 0xffffffffffffffffn, flags: LockFlags.UNLOCK},
    ],
  };
  it('request', () => {
    const {bytes, value} = roundTrip(Command.LOCK, encodeLockRequest, decodeLockRequest, req);
    expect(value).toEqual(req);
    expect(bytes.readUInt32LE(64 + 4)).toBe((17 << 4) | 3);
    expect(bytes.length).toBe(64 + 24 + 48);
    expectTruncationsThrow(bytes, decodeLockRequest);
    expectBadStructureSizeThrows(bytes, decodeLockRequest);
    expect(() => body(patched(bytes, 2, 0), decodeLockRequest)).toThrow(/LockCount/);
    expect(() => body(patched(bytes, 2, 3), decodeLockRequest)).toThrow(/do not fit/);
  });
  it('response', () => checkFourByteBody(Command.LOCK, encodeLockResponse, decodeLockResponse));
});
