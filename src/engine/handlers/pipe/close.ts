/**
 * CLOSE of a pipe open (MS-SMB2 3.3.5.10): the services side closes the pipe, READs still waiting on it end
 * with STATUS_CANCELLED. With SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB the response carries what CREATE reported.
 */
import {CloseFlags, FileAttributes} from '../../../smb2/constants.js';
import {decodeCloseRequest, EMPTY_CLOSE_RESPONSE, encodeCloseResponse, type CloseResponse} from '../../../smb2/messages/close.js';
import type {Reader} from '../../../wire/reader.js';
import {reply, type HandlerResult, type RequestContext} from '../../context.js';
import {resolvePipe} from '../../pipes.js';
import {PIPE_ALLOCATION_SIZE} from './create.js';

const POSTQUERY: Readonly<CloseResponse> = Object.freeze({
  ...EMPTY_CLOSE_RESPONSE,
  flags: CloseFlags.POSTQUERY_ATTRIB,
  allocationSize: PIPE_ALLOCATION_SIZE,
  fileAttributes: FileAttributes.NORMAL,
});

export function handlePipeClose(ctx: RequestContext, body: Reader): HandlerResult {
  const req = decodeCloseRequest(body);
  const p = resolvePipe(ctx, req.fileId);
  ctx.server.registry.closePipe(p);
  return reply(encodeCloseResponse, req.flags & CloseFlags.POSTQUERY_ATTRIB ? POSTQUERY : EMPTY_CLOSE_RESPONSE);
}
