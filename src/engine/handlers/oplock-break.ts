/**
 * OPLOCK_BREAK acknowledgments (MS-SMB2 3.3.5.22). This server grants no oplocks or leases yet, so no break
 * is ever outstanding: an oplock acknowledgment gets STATUS_INVALID_OPLOCK_PROTOCOL (3.3.5.22.1), a lease
 * acknowledgment STATUS_OBJECT_NAME_NOT_FOUND (3.3.5.22.2: no lease with that key).
 */
import {decodeOplockBreakAck} from '../../smb2/messages/oplock-break.js';
import {NtStatus, NtStatusError} from '../../smb2/ntstatus.js';
import type {Reader} from '../../wire/reader.js';
import type {HandlerResult, RequestContext} from '../context.js';
import {resolveOpen} from './files.js';

export function handleOplockBreak(ctx: RequestContext, body: Reader): HandlerResult {
  const ack = decodeOplockBreakAck(body);
  if (ack.kind === 'oplock') {
    resolveOpen(ctx, ack.fileId);
    throw new NtStatusError(NtStatus.INVALID_OPLOCK_PROTOCOL, 'no oplock break outstanding');
  }
  throw new NtStatusError(NtStatus.OBJECT_NAME_NOT_FOUND, 'no such lease');
}
