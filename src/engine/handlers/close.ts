/**
 * CLOSE (MS-SMB2 3.3.5.10): end an open; with SMB2_CLOSE_FLAG_POSTQUERY_ATTRIB the response carries the
 * object's attributes as they are at the close (otherwise every field but Flags is zero, 2.2.16).
 * Delete-on-close and delete pending are applied by the registry when the last open of the file goes.
 */
import {CloseFlags} from '../../smb2/constants.js';
import {allocationSize, endOfFile, fileTimes} from '../../smb2/fscc/attrs.js';
import {decodeCloseRequest, EMPTY_CLOSE_RESPONSE, encodeCloseResponse, type CloseResponse} from '../../smb2/messages/close.js';
import type {FileMeta} from '../../vfs/meta.js';
import type {Reader} from '../../wire/reader.js';
import {reply, type HandlerResult, type RequestContext} from '../context.js';
import {openMeta, resolveOpen} from './files.js';

export async function handleClose(ctx: RequestContext, body: Reader): Promise<HandlerResult> {
  const req = decodeCloseRequest(body);
  const o = resolveOpen(ctx, req.fileId);
  let value: CloseResponse = EMPTY_CLOSE_RESPONSE;
  let m: FileMeta | undefined;
  if (req.flags & CloseFlags.POSTQUERY_ATTRIB) {
    // The file may be about to go (delete on close): its attributes are still those of the last moment.
    m = await openMeta(o).catch(() => undefined);
  }
  await ctx.server.registry.closeOpen(o);
  if (m) {
    const st = m.stat;
    const t = fileTimes(st);
    value = {
      flags: CloseFlags.POSTQUERY_ATTRIB,
      creationTime: t.creation,
      lastAccessTime: t.lastAccess,
      lastWriteTime: t.lastWrite,
      changeTime: t.change,
      allocationSize: allocationSize(st),
      endOfFile: endOfFile(st),
      fileAttributes: m.attributes,
    };
  }
  return reply(encodeCloseResponse, value);
}
