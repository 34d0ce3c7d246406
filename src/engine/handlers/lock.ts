/**
 * LOCK (MS-SMB2 3.3.5.14, MS-FSA 2.1.5.8): byte-range locks kept per file in the registry's FileTable
 * (shared and exclusive, checked by READ and WRITE of other opens). Unlocks must name a range this open
 * locked exactly. A lock that conflicts fails at once with FAIL_IMMEDIATELY; without it the request goes
 * async (STATUS_PENDING) and is granted when the range is free, or ends with STATUS_CANCELLED.
 */
import {LockFlags} from '../../smb2/constants.js';
import {decodeLockRequest, encodeLockResponse, type LockElement} from '../../smb2/messages/lock.js';
import {NtStatus, NtStatusError} from '../../smb2/ntstatus.js';
import {breakLevelII} from '../../oplock/breaks.js';
import {lockConflict} from '../../state/file-table.js';
import type {Open} from '../../state/open.js';
import type {Reader} from '../../wire/reader.js';
import {Waiter} from '../async.js';
import {errorReply, reply, type HandlerResult, type RequestContext} from '../context.js';
import {resolveOpen} from './files.js';

const FAIL_IMMEDIATELY = 0x00000010;
const U64_MAX = 0xffffffffffffffffn;

function unlock(o: Open, locks: LockElement[]): void {
  const e = o.entry;
  for (const l of locks) {
    if (l.flags !== LockFlags.UNLOCK) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'UNLOCK mixed with locks');
    const i = e.locks.findIndex((x) => x.open === o && x.offset === l.offset && x.length === l.length);
    if (i < 0) throw new NtStatusError(NtStatus.RANGE_NOT_LOCKED);
    e.locks.splice(i, 1);
  }
  e.locksReleased();
}

/** Take every lock of the request or none; returns the index that conflicted, or -1. */
function tryLock(o: Open, locks: LockElement[]): number {
  const e = o.entry;
  const taken = [];
  for (let i = 0; i < locks.length; i++) {
    const l = locks[i]!;
    const exclusive = (l.flags & LockFlags.EXCLUSIVE_LOCK) !== 0;
    if (lockConflict(e, o, l.offset, l.length, exclusive)) {
      for (const t of taken) e.locks.splice(e.locks.indexOf(t), 1);
      return i;
    }
    const lock = {open: o, offset: l.offset, length: l.length, exclusive};
    e.locks.push(lock);
    taken.push(lock);
  }
  return -1;
}

function validateLocks(locks: LockElement[]): void {
  for (const l of locks) {
    const kind = l.flags & ~FAIL_IMMEDIATELY;
    // 3.3.5.14.1: exactly one of SHARED_LOCK / EXCLUSIVE_LOCK (optionally FAIL_IMMEDIATELY), else invalid.
    if (kind !== LockFlags.SHARED_LOCK && kind !== LockFlags.EXCLUSIVE_LOCK) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'lock flags');
    if (locks.length > 1 && !(l.flags & FAIL_IMMEDIATELY)) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'several blocking locks');
    // MS-FSA 2.1.5.8: a range that wraps past 2^64 is STATUS_INVALID_LOCK_RANGE.
    if (l.length > 0n && l.offset + l.length - 1n > U64_MAX) throw new NtStatusError(NtStatus.INVALID_LOCK_RANGE);
  }
}

export function handleLock(ctx: RequestContext, body: Reader): HandlerResult {
  const req = decodeLockRequest(body);
  const o = resolveOpen(ctx, req.fileId);
  if (req.locks[0]!.flags & LockFlags.UNLOCK) {
    unlock(o, req.locks);
    return reply(encodeLockResponse, undefined);
  }
  validateLocks(req.locks);
  // MS-FSA 2.1.4.12: a byte-range lock takes LEVEL_II oplocks away from the file's other opens.
  breakLevelII(o);
  if (tryLock(o, req.locks) < 0) return reply(encodeLockResponse, undefined);
  if (req.locks[0]!.flags & FAIL_IMMEDIATELY) throw new NtStatusError(NtStatus.LOCK_NOT_GRANTED);
  // One blocking lock: wait for the range (async), retried whenever locks of the file go away.
  const e = o.entry;
  const retry = (): void => {
    if (!o.alive) {
      e.lockWaiters.delete(retry);
      waiter.settle(errorReply(NtStatus.FILE_CLOSED));
    } else if (tryLock(o, req.locks) < 0) {
      e.lockWaiters.delete(retry);
      waiter.settle(reply(encodeLockResponse, undefined));
    }
  };
  const waiter = new Waiter(() => e.lockWaiters.delete(retry));
  e.lockWaiters.add(retry);
  return waiter.pending();
}
