/**
 * LOGOFF (MS-SMB2 3.3.5.6): end the session. The response is still signed with the session's key (the
 * connection captured the session in the request context before it went away).
 */
import {decodeLogoffRequest, encodeLogoffResponse} from '../../smb2/messages/logoff.js';
import type {Reader} from '../../wire/reader.js';
import {reply, type HandlerResult, type RequestContext} from '../context.js';

export async function handleLogoff(ctx: RequestContext, body: Reader): Promise<HandlerResult> {
  decodeLogoffRequest(body);
  const s = ctx.session!;
  ctx.server.log.debug('auth', `${ctx.conn.peer}: LOGOFF of session ${s.label}`);
  const signer = s.signingRequired || (ctx.header.flags & 0x8) !== 0 ? s : undefined;
  await ctx.server.registry.endSession(s);
  ctx.signWith = signer?.signer ? signer : undefined;
  return reply(encodeLogoffResponse, undefined);
}
