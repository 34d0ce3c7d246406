/** TREE_DISCONNECT (MS-SMB2 3.3.5.8): close the tree's opens and tell the services side. */
import {decodeTreeDisconnectRequest, encodeTreeDisconnectResponse} from '../../smb2/messages/tree-disconnect.js';
import type {Reader} from '../../wire/reader.js';
import {reply, type HandlerResult, type RequestContext} from '../context.js';

const NONE = undefined;

export async function handleTreeDisconnect(ctx: RequestContext, body: Reader): Promise<HandlerResult> {
  decodeTreeDisconnectRequest(body);
  await ctx.server.registry.endTree(ctx.session!, ctx.tree!);
  return reply(encodeTreeDisconnectResponse, NONE);
}
