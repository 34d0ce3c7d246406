/** Commands whose handlers come with the next issue (READ, WRITE, FLUSH, LOCK, SET_INFO, CHANGE_NOTIFY, OPLOCK_BREAK). */
import {NtStatus, NtStatusError} from '../../smb2/ntstatus.js';
import type {HandlerResult, RequestContext} from '../context.js';

export function handleNotImplemented(ctx: RequestContext): HandlerResult {
  throw new NtStatusError(NtStatus.NOT_SUPPORTED, `command 0x${ctx.header.command.toString(16)} is not implemented yet`);
}
