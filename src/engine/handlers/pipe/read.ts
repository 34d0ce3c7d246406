/**
 * READ of a pipe open (MS-SMB2 3.3.5.12): one DCE/RPC fragment (message mode) or as many octets as fit (byte
 * mode). A message longer than Length is answered with its first part and STATUS_BUFFER_OVERFLOW; the rest
 * comes with the next READ. Nothing to read: the READ waits (src/engine/pipes.ts), or on a non-blocking
 * open fails at once with STATUS_PIPE_EMPTY. Offset and MinimumCount mean nothing on a pipe.
 */
import {Access} from '../../../smb2/constants.js';
import {decodeReadRequest, encodeReadResponse} from '../../../smb2/messages/read.js';
import {NtStatus, NtStatusError} from '../../../smb2/ntstatus.js';
import type {Reader} from '../../../wire/reader.js';
import {reply, type HandlerResult, type Reply, type RequestContext} from '../../context.js';
import {PipeMode, readPipe, resolvePipe, waitForData, type PipeData} from '../../pipes.js';

export function readReply(d: PipeData): Reply {
  return reply(encodeReadResponse, {dataRemaining: 0, flags: 0, data: d.data}, d.more ? NtStatus.BUFFER_OVERFLOW : NtStatus.SUCCESS);
}

export function handlePipeRead(ctx: RequestContext, body: Reader): HandlerResult {
  const req = decodeReadRequest(body);
  const p = resolvePipe(ctx, req.fileId);
  // 3.3.5.12: "If Open.GrantedAccess does not allow for FILE_READ_DATA, the request MUST be failed with STATUS_ACCESS_DENIED."
  if (!(p.grantedAccess & Access.FILE_READ_DATA)) throw new NtStatusError(NtStatus.ACCESS_DENIED, 'READ without FILE_READ_DATA');
  // 3.3.5.12: the server SHOULD fail a Length above Connection.MaxReadSize with STATUS_INVALID_PARAMETER.
  if (req.length > ctx.conn.maxReadSize) throw new NtStatusError(NtStatus.INVALID_PARAMETER, `Length ${req.length} above MaxReadSize`);
  const services = ctx.server.services;
  // Reads are served in order: an earlier one still waiting goes first.
  if (p.waiters.length === 0) {
    const d = readPipe(services, p, req.length);
    if (d.data.length > 0 || d.more || req.length === 0) return readReply(d);
  }
  if (p.completionMode === PipeMode.COMPLETE_OPERATION) throw new NtStatusError(NtStatus.PIPE_EMPTY, 'non-blocking read of an empty pipe');
  ctx.server.log.debug('ipc', () => `READ of pipe \`${p.name}' (fid ${p.id}) waits for data`);
  return waitForData(p, req.length, readReply);
}
