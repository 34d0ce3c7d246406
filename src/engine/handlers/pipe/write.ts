/**
 * WRITE to a pipe open (MS-SMB2 3.3.5.13): the octets go to the services side, which answers every complete
 * DCE/RPC PDU at once; READs waiting on this open then get their data. Offset means nothing on a pipe.
 */
import {Access} from '../../../smb2/constants.js';
import {decodeWriteRequest, encodeWriteResponse} from '../../../smb2/messages/write.js';
import {NtStatus, NtStatusError} from '../../../smb2/ntstatus.js';
import type {Reader} from '../../../wire/reader.js';
import {reply, type HandlerResult, type RequestContext} from '../../context.js';
import {resolvePipe, serveWaiters} from '../../pipes.js';

export function handlePipeWrite(ctx: RequestContext, body: Reader): HandlerResult {
  const req = decodeWriteRequest(body);
  const p = resolvePipe(ctx, req.fileId);
  // 3.3.5.13: without FILE_WRITE_DATA or FILE_APPEND_DATA granted, STATUS_ACCESS_DENIED.
  if (!(p.grantedAccess & (Access.FILE_WRITE_DATA | Access.FILE_APPEND_DATA))) throw new NtStatusError(NtStatus.ACCESS_DENIED, 'WRITE without write access');
  // 3.3.5.13: the server SHOULD fail a Length above Connection.MaxWriteSize with STATUS_INVALID_PARAMETER.
  if (req.data.length > ctx.conn.maxWriteSize) throw new NtStatusError(NtStatus.INVALID_PARAMETER, `Length ${req.data.length} above MaxWriteSize`);
  const services = ctx.server.services;
  const w = services.pipeWrite(p.handle, req.data);
  if (w.status !== 'ok') throw new NtStatusError(NtStatus.PIPE_BROKEN, 'pipe gone on the services side');
  serveWaiters(services, p);
  return reply(encodeWriteResponse, {count: w.written, remaining: 0});
}
