/**
 * FLUSH of a pipe open (MS-SMB2 3.3.5.11): what the client wrote was already handed to the services side,
 * so there is nothing to wait for; the access check still applies.
 */
import {Access} from '../../../smb2/constants.js';
import {decodeFlushRequest, encodeFlushResponse} from '../../../smb2/messages/flush.js';
import {NtStatus, NtStatusError} from '../../../smb2/ntstatus.js';
import type {Reader} from '../../../wire/reader.js';
import {reply, type HandlerResult, type RequestContext} from '../../context.js';
import {resolvePipe} from '../../pipes.js';

export function handlePipeFlush(ctx: RequestContext, body: Reader): HandlerResult {
  const p = resolvePipe(ctx, decodeFlushRequest(body).fileId);
  // 3.3.5.11: "If the Open.GrantedAccess does not include FILE_WRITE_DATA or FILE_APPEND_DATA, the server MUST fail the request with STATUS_ACCESS_DENIED."
  if (!(p.grantedAccess & (Access.FILE_WRITE_DATA | Access.FILE_APPEND_DATA))) throw new NtStatusError(NtStatus.ACCESS_DENIED, 'FLUSH without write access');
  return reply(encodeFlushResponse, undefined);
}
