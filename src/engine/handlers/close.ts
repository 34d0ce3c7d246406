/**
 * CLOSE (MS-SMB2 3.3.5.10): end an open; with SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB the response carries the
 * object's attributes as they are after the close (otherwise every field but Flags is zero, 2.2.16).
 */
import {CloseFlags} from '../../smb2/constants.js';
import {decodeCloseRequest, EMPTY_CLOSE_RESPONSE, encodeCloseResponse, type CloseResponse} from '../../smb2/messages/close.js';
import type {Reader} from '../../wire/reader.js';
import {reply, type HandlerResult, type RequestContext} from '../context.js';
import {allocationSize, dosAttributes, endOfFile, fileTimes} from '../../smb2/fscc/attrs.js';
import {resolveOpen, statOpen} from './files.js';

export async function handleClose(ctx: RequestContext, body: Reader): Promise<HandlerResult> {
  const req = decodeCloseRequest(body);
  const o = resolveOpen(ctx, req.fileId);
  let value: CloseResponse = EMPTY_CLOSE_RESPONSE;
  const postQuery = (req.flags & CloseFlags.POSTQUERY_ATTRIB) !== 0 && !o.deleteOnClose;
  const st = postQuery ? await statOpen(ctx, o).catch(() => o.lastStat) : undefined;
  await ctx.server.registry.closeOpen(o);
  if (o.deleteOnClose) {
    try {
      await ctx.server.vfs.remove(o.tree.identity, o.path, o.isDirectory);
    } catch (e) {
      ctx.server.log.debug('vfs', `delete on close of ${o.path} failed: ${(e as Error).message}`);
    }
  }
  if (st) {
    const t = fileTimes(st);
    const name = o.components[o.components.length - 1] ?? '';
    value = {
      flags: CloseFlags.POSTQUERY_ATTRIB,
      creationTime: t.creation,
      lastAccessTime: t.lastAccess,
      lastWriteTime: t.lastWrite,
      changeTime: t.change,
      allocationSize: allocationSize(st),
      endOfFile: endOfFile(st),
      fileAttributes: dosAttributes(st, name, o.tree.share.hideDotFiles),
    };
  }
  return reply(encodeCloseResponse, value);
}
