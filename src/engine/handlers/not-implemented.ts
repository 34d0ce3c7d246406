/**
 * Commands whose handlers come with the next issue (FLUSH, READ, WRITE, LOCK, CHANGE_NOTIFY, SET_INFO,
 * OPLOCK_BREAK). They already validate like the real ones will: the body is decoded (a malformed one gets
 * STATUS_INVALID_PARAMETER, 3.3.5.2.6) and the FileId resolved (an unknown one gets STATUS_FILE_CLOSED);
 * only then STATUS_NOT_SUPPORTED.
 */
import {Command} from '../../smb2/constants.js';
import type {FileId} from '../../smb2/messages/common.js';
import {decodeChangeNotifyRequest} from '../../smb2/messages/change-notify.js';
import {decodeFlushRequest} from '../../smb2/messages/flush.js';
import {decodeLockRequest} from '../../smb2/messages/lock.js';
import {decodeOplockBreakAck} from '../../smb2/messages/oplock-break.js';
import {decodeReadRequest} from '../../smb2/messages/read.js';
import {decodeSetInfoRequest} from '../../smb2/messages/set-info.js';
import {decodeWriteRequest} from '../../smb2/messages/write.js';
import {NtStatus, NtStatusError} from '../../smb2/ntstatus.js';
import type {Reader} from '../../wire/reader.js';
import type {HandlerResult, RequestContext} from '../context.js';
import {resolveOpen} from './files.js';

/** The FileId of a decoded request body, or undefined (a lease break ack names a lease, not an open). */
function decodeFileId(command: number, body: Reader): FileId | undefined {
  switch (command) {
    case Command.FLUSH:
      return decodeFlushRequest(body).fileId;
    case Command.READ:
      return decodeReadRequest(body).fileId;
    case Command.WRITE:
      return decodeWriteRequest(body).fileId;
    case Command.LOCK:
      return decodeLockRequest(body).fileId;
    case Command.CHANGE_NOTIFY:
      return decodeChangeNotifyRequest(body).fileId;
    case Command.SET_INFO:
      return decodeSetInfoRequest(body).fileId;
    case Command.OPLOCK_BREAK: {
      const ack = decodeOplockBreakAck(body);
      return ack.kind === 'oplock' ? ack.fileId : undefined;
    }
    default:
      return undefined;
  }
}

export function handleNotImplemented(ctx: RequestContext, body: Reader): HandlerResult {
  const fileId = decodeFileId(ctx.header.command, body);
  if (fileId) resolveOpen(ctx, fileId);
  throw new NtStatusError(NtStatus.NOT_SUPPORTED, `command 0x${ctx.header.command.toString(16)} is not implemented yet`);
}
