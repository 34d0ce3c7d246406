/**
 * Shared by the handlers that work on opens: FileId resolution (including the related-compound
 * 0xFFFFFFFFFFFFFFFF FileId, 3.3.5.2.7.2), access mask mapping, and the attributes of an open.
 */
import {Access} from '../../smb2/constants.js';
import type {FileId} from '../../smb2/messages/common.js';
import {NtStatus, NtStatusError} from '../../smb2/ntstatus.js';
import type {Open} from '../../state/open.js';
import {fsError} from '../../vfs/errors.js';
import type {FileMeta} from '../../vfs/meta.js';
import {readStream, streamStat} from '../../vfs/streams.js';
import {chainFileId, rememberFileId} from '../compound.js';
import type {RequestContext} from '../context.js';

/** The Open a request names; a related request's 0xFFFF... FileId is the one the previous request used. */
export function resolveOpen(ctx: RequestContext, id: FileId): Open {
  const {volatile, persistent} = chainFileId(ctx.chain, ctx.related, id);
  const o = ctx.server.registry.open(volatile);
  if (!o || !o.alive || o.tree !== ctx.tree || BigInt(o.id) !== persistent) {
    throw new NtStatusError(NtStatus.FILE_CLOSED, 'unknown FileId');
  }
  rememberFileId(ctx.chain, volatile, persistent);
  return o;
}

/** After an await: the open (and its tree) may have gone. */
export function checkAlive(o: Open): void {
  if (!o.alive || !o.tree.alive) throw new NtStatusError(NtStatus.FILE_CLOSED, 'closed while the request ran');
}

/** fstat of the open plus its DOS attributes and creation time. */
export async function openMeta(o: Open): Promise<FileMeta> {
  try {
    const st = await o.fs.fstat(o.fd);
    let m = await o.fs.meta(st, o.name, {fd: o.fd});
    if (o.stream) {
      // A stream has the base object's times and attributes (without DIRECTORY) and its own size.
      const size = (await readStream(o.fs, o.fd, o.stream.xattr)).length;
      m = {stat: streamStat(m.stat, size), attributes: m.attributes & ~0x10 || 0x80};
    }
    checkAlive(o);
    o.lastStat = m.stat;
    return m;
  } catch (e) {
    if (e instanceof NtStatusError) throw e;
    throw fsError(e);
  }
}

/** MS-SMB2 2.2.13.1 / MS-DTYP 2.4.3: the file generic mapping. */
export const FILE_GENERIC_READ = 0x00120089;
export const FILE_GENERIC_WRITE = 0x00120116;
export const FILE_GENERIC_EXECUTE = 0x001200a0;
export const FILE_ALL_ACCESS = 0x001f01ff;

/** Bits that change the object or its metadata: refused on a read-only tree. */
export const WRITE_ACCESS =
  Access.FILE_WRITE_DATA |
  Access.FILE_APPEND_DATA |
  Access.FILE_WRITE_EA |
  Access.FILE_WRITE_ATTRIBUTES |
  Access.FILE_DELETE_CHILD |
  Access.DELETE |
  Access.WRITE_DAC |
  Access.WRITE_OWNER;

export function mapGenericAccess(mask: number): number {
  let m = mask & 0x0fffffff & ~Access.MAXIMUM_ALLOWED;
  if (mask & Access.GENERIC_READ) m |= FILE_GENERIC_READ;
  if (mask & Access.GENERIC_WRITE) m |= FILE_GENERIC_WRITE;
  if (mask & Access.GENERIC_EXECUTE) m |= FILE_GENERIC_EXECUTE;
  if (mask & Access.GENERIC_ALL) m |= FILE_ALL_ACCESS;
  return m >>> 0;
}

/** Throws ACCESS_DENIED unless the open was granted one of `bits`. */
export function requireAccess(o: Open, bits: number, what: string): void {
  if (!(o.grantedAccess & bits)) throw new NtStatusError(NtStatus.ACCESS_DENIED, `${what} without access`);
}
