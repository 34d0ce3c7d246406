/**
 * LOCK, QUERY_DIRECTORY, CHANGE_NOTIFY and OPLOCK_BREAK on IPC$: a pipe has no byte ranges, entries,
 * change notifications or oplocks. The request is decoded (malformed: STATUS_INVALID_PARAMETER) and its
 * FileId resolved (unknown: STATUS_FILE_CLOSED), then refused with STATUS_NOT_SUPPORTED.
 */
import {Command} from '../../../smb2/constants.js';
import type {FileId} from '../../../smb2/messages/common.js';
import {decodeChangeNotifyRequest} from '../../../smb2/messages/change-notify.js';
import {decodeLockRequest} from '../../../smb2/messages/lock.js';
import {decodeOplockBreakAck} from '../../../smb2/messages/oplock-break.js';
import {decodeQueryDirectoryRequest} from '../../../smb2/messages/query-directory.js';
import {NtStatus, NtStatusError} from '../../../smb2/ntstatus.js';
import type {Reader} from '../../../wire/reader.js';
import type {HandlerResult, RequestContext} from '../../context.js';
import {resolvePipe} from '../../pipes.js';

function fileIdOf(command: number, body: Reader): FileId | undefined {
  switch (command) {
    case Command.LOCK:
      return decodeLockRequest(body).fileId;
    case Command.QUERY_DIRECTORY:
      return decodeQueryDirectoryRequest(body).fileId;
    case Command.CHANGE_NOTIFY:
      return decodeChangeNotifyRequest(body).fileId;
    case Command.OPLOCK_BREAK: {
      const ack = decodeOplockBreakAck(body);
      return ack.kind === 'oplock' ? ack.fileId : undefined;
    }
    default:
      return undefined;
  }
}

export function handlePipeUnsupported(ctx: RequestContext, body: Reader): HandlerResult {
  const fileId = fileIdOf(ctx.header.command, body);
  if (fileId) resolvePipe(ctx, fileId);
  throw new NtStatusError(NtStatus.NOT_SUPPORTED, `command 0x${ctx.header.command.toString(16)} on a pipe`);
}
