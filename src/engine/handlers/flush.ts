/** FLUSH (MS-SMB2 3.3.5.11): fsync of the open's descriptor (libuv, off the event loop). */
import {fsync} from 'node:fs';
import {Access} from '../../smb2/constants.js';
import {decodeFlushRequest, encodeFlushResponse} from '../../smb2/messages/flush.js';
import {NtStatus, NtStatusError} from '../../smb2/ntstatus.js';
import {fsError} from '../../vfs/errors.js';
import type {Reader} from '../../wire/reader.js';
import {reply, type HandlerResult, type RequestContext} from '../context.js';
import {checkAlive, resolveOpen} from './files.js';

export async function handleFlush(ctx: RequestContext, body: Reader): Promise<HandlerResult> {
  const req = decodeFlushRequest(body);
  const o = resolveOpen(ctx, req.fileId);
  // 3.3.5.11: "If the Open.GrantedAccess does not include FILE_WRITE_DATA or FILE_APPEND_DATA, the server MUST
  // fail the request with STATUS_ACCESS_DENIED."
  if (!(o.grantedAccess & (Access.FILE_WRITE_DATA | Access.FILE_APPEND_DATA))) throw new NtStatusError(NtStatus.ACCESS_DENIED);
  if (!o.isDirectory) {
    try {
      await new Promise<void>((resolve, reject) => fsync(o.fd, (e) => (e ? reject(e) : resolve())));
    } catch (e) {
      throw fsError(e);
    }
    checkAlive(o);
  }
  return reply(encodeFlushResponse, undefined);
}
