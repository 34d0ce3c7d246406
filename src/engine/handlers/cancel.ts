/**
 * CANCEL (MS-SMB2 3.3.5.16): ask a pending request to finish with STATUS_CANCELLED. CANCEL has no response
 * of its own, takes no sequence number and is not an error when nothing matches.
 */
import {HeaderFlags} from '../../smb2/constants.js';
import {decodeCancelRequest} from '../../smb2/messages/cancel.js';
import type {Reader} from '../../wire/reader.js';
import type {RequestContext} from '../context.js';

export function handleCancel(ctx: RequestContext, body: Reader): undefined {
  decodeCancelRequest(body);
  const h = ctx.header;
  const isAsync = (h.flags & HeaderFlags.ASYNC_COMMAND) !== 0;
  const found = ctx.conn.async.cancel(isAsync, isAsync ? h.asyncId : h.messageId, h.sessionId);
  ctx.server.log.debug('smb', () => `CANCEL of ${isAsync ? `async ${h.asyncId}` : `mid ${h.messageId}`}: ${found ? 'cancelling' : 'nothing pending'}`);
  return undefined;
}
