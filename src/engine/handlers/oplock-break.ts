/**
 * OPLOCK_BREAK acknowledgments (MS-SMB2 3.3.5.22). An oplock acknowledgment finishes the break of its open
 * (src/oplock: level checks and statuses of 3.3.5.22.1) and is answered with the level now held. Leases are
 * not granted, so a lease acknowledgment gets STATUS_OBJECT_NAME_NOT_FOUND (3.3.5.22.2: no lease with that key).
 */
import {decodeOplockBreakAck, encodeOplockBreak} from '../../smb2/messages/oplock-break.js';
import {NtStatus, NtStatusError} from '../../smb2/ntstatus.js';
import type {Reader} from '../../wire/reader.js';
import {reply, type HandlerResult, type RequestContext} from '../context.js';
import {resolveOpen} from './files.js';

export function handleOplockBreak(ctx: RequestContext, body: Reader): HandlerResult {
  const ack = decodeOplockBreakAck(body);
  if (ack.kind !== 'oplock') throw new NtStatusError(NtStatus.OBJECT_NAME_NOT_FOUND, 'no such lease');
  const o = resolveOpen(ctx, ack.fileId);
  const r = o.entry.oplocks.acknowledge(o, ack.oplockLevel);
  if (r.status !== NtStatus.SUCCESS) throw new NtStatusError(r.status, `oplock acknowledgment with level ${ack.oplockLevel}`);
  const id = BigInt(o.id);
  return reply(encodeOplockBreak, {oplockLevel: r.level, fileId: {persistent: id, volatile: id}});
}
