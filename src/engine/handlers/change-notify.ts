/**
 * CHANGE_NOTIFY (MS-SMB2 3.3.5.19): only directories can be watched. Watching itself is not served yet:
 * a directory gets STATUS_NOT_SUPPORTED (clients then poll), a file STATUS_INVALID_PARAMETER.
 */
import {Access} from '../../smb2/constants.js';
import {decodeChangeNotifyRequest} from '../../smb2/messages/change-notify.js';
import {NtStatus, NtStatusError} from '../../smb2/ntstatus.js';
import type {Reader} from '../../wire/reader.js';
import type {HandlerResult, RequestContext} from '../context.js';
import {resolveOpen} from './files.js';

export function handleChangeNotify(ctx: RequestContext, body: Reader): HandlerResult {
  const req = decodeChangeNotifyRequest(body);
  const o = resolveOpen(ctx, req.fileId);
  // 3.3.5.19: "If the open is not a directory, the server MUST fail the request with STATUS_INVALID_PARAMETER."
  if (!o.isDirectory) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'CHANGE_NOTIFY on a file');
  if (!(o.grantedAccess & Access.FILE_LIST_DIRECTORY)) throw new NtStatusError(NtStatus.ACCESS_DENIED);
  if (req.outputBufferLength > ctx.conn.maxTransactSize) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'OutputBufferLength');
  throw new NtStatusError(NtStatus.NOT_SUPPORTED, 'directory change notification is not served yet');
}
