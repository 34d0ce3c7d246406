/**
 * QUERY_INFO (MS-SMB2 3.3.5.20): file classes (3.3.5.20.1) and file system classes (3.3.5.20.2) clients use
 * for listings and `allinfo`. Security descriptors and quotas come with the next issue.
 */
import {createHash} from 'node:crypto';
import {Access, FileInfoClass, InfoType} from '../../smb2/constants.js';
import {decodeQueryInfoRequest, encodeQueryInfoResponse} from '../../smb2/messages/query-info.js';
import {NtStatus, NtStatusError} from '../../smb2/ntstatus.js';
import type {Open} from '../../state/open.js';
import {fsError} from '../../vfs/errors.js';
import type {Reader} from '../../wire/reader.js';
import {Writer} from '../../wire/writer.js';
import {errorReply, reply, type HandlerResult, type RequestContext} from '../context.js';
import {encodeSd, readStoredSd, sdFromMode} from '../../vfs/ntacl.js';
import {FILE_INFO_MIN, FILE_INFO_VARIABLE, writeFileInfo} from '../../smb2/fscc/file-info.js';
import {FS_ATTRIBUTES, FS_INFO_MIN, FS_INFO_VARIABLE, writeFsInfo} from '../../smb2/fscc/fs-info.js';
import {checkAlive, openMeta, resolveOpen} from './files.js';
import {listStreams} from '../../vfs/streams.js';

/** FILE_NAMED_STREAMS (MS-FSCC 2.5.1): set on shares that serve named streams. */
const FILE_NAMED_STREAMS = 0x00040000;

/** The named streams of the open's object (its descriptor when it can read xattrs, else its path). */
async function streamsOf(o: Open): Promise<{name: string; size: bigint}[]> {
  if (!o.fs.options.streams) return [];
  let list;
  try {
    list = await listStreams(o.fs, {fd: o.fd});
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EBADF') throw fsError(e);
    list = await listStreams(o.fs, {rel: o.rel}).catch((e2) => {
      throw fsError(e2);
    });
  }
  return list.map((s) => ({name: s.name, size: BigInt(s.size)}));
}

/** Classes that only report attributes need FILE_READ_ATTRIBUTES (3.3.5.20.1 defers to MS-FSA 2.1.5.11). */
const NEEDS_READ_ATTRIBUTES = new Set<number>([
  FileInfoClass.FileBasicInformation,
  FileInfoClass.FileAllInformation,
  FileInfoClass.FileNetworkOpenInformation,
  FileInfoClass.FileAttributeTagInformation,
]);

/** A stable serial number per share, so clients that cache by volume see the same volume each time. */
export function volumeSerial(path: string): number {
  return createHash('sha256').update(path).digest().readUInt32LE(0);
}

/** Fit `data` into OutputBufferLength: variable classes are cut with STATUS_BUFFER_OVERFLOW. */
function fit(data: Buffer, limit: number, variable: boolean): HandlerResult {
  if (data.length <= limit) return reply(encodeQueryInfoResponse, data);
  if (!variable) throw new NtStatusError(NtStatus.INFO_LENGTH_MISMATCH);
  return reply(encodeQueryInfoResponse, data.subarray(0, limit), NtStatus.BUFFER_OVERFLOW);
}

async function fileInfo(ctx: RequestContext, o: Open, cls: number, limit: number): Promise<HandlerResult> {
  const min = FILE_INFO_MIN[cls];
  if (min === undefined || cls === FileInfoClass.FileNameInformation) throw new NtStatusError(NtStatus.INVALID_INFO_CLASS);
  // 3.3.5.20.1: a buffer smaller than the fixed structure is refused outright.
  if (limit < min) throw new NtStatusError(NtStatus.INFO_LENGTH_MISMATCH);
  if (NEEDS_READ_ATTRIBUTES.has(cls) && !(o.grantedAccess & Access.FILE_READ_ATTRIBUTES)) throw new NtStatusError(NtStatus.ACCESS_DENIED);
  if (cls === FileInfoClass.FileFullEaInformation) {
    // No extended attributes are exposed to clients (user.* holds our own metadata).
    if (!(o.grantedAccess & Access.FILE_READ_EA)) throw new NtStatusError(NtStatus.ACCESS_DENIED);
    throw new NtStatusError(NtStatus.NO_EAS_ON_FILE);
  }
  const m = await openMeta(o);
  let streams;
  let baseStat;
  if (cls === FileInfoClass.FileStreamInformation) {
    streams = await streamsOf(o);
    if (o.stream) baseStat = await o.fs.fstat(o.fd).catch((e) => {
      throw fsError(e);
    });
    checkAlive(o);
  }
  const w = new Writer(128);
  writeFileInfo(w, cls, {
    streams,
    baseStat,
    stat: m.stat,
    attributes: m.attributes,
    grantedAccess: o.grantedAccess,
    position: o.position,
    mode: o.mode | (o.deleteOnClose ? 0x00001000 : 0), // FileModeInformation: the kept create options, DELETE_ON_CLOSE
    displayName: o.displayName,
    name: o.name,
    deletePending: o.entry.deletePending || o.deleteOnClose,
    volumeSerial: volumeSerial(o.tree.share.path),
  });
  return fit(w.finish(), limit, FILE_INFO_VARIABLE.has(cls));
}

async function fsInfo(ctx: RequestContext, o: Open, cls: number, limit: number): Promise<HandlerResult> {
  const min = FS_INFO_MIN[cls];
  if (min === undefined) throw new NtStatusError(NtStatus.INVALID_INFO_CLASS);
  if (limit < min) throw new NtStatusError(NtStatus.INFO_LENGTH_MISMATCH);
  const share = o.tree.share;
  let statfs;
  try {
    statfs = await o.fs.statfs();
  } catch (e) {
    throw fsError(e);
  }
  checkAlive(o);
  const serial = volumeSerial(share.path);
  const w = new Writer(128);
  writeFsInfo(w, cls, {
    statfs,
    label: share.name,
    serial,
    creationTime: ctx.server.startTime,
    fsAttributes: (FS_ATTRIBUTES | ctx.server.settings.fakeFsCaps | (o.fs.options.streams ? FILE_NAMED_STREAMS : 0)) >>> 0,
  });
  return fit(w.finish(), limit, FS_INFO_VARIABLE.has(cls));
}

/** 3.3.5.20.3: the descriptor parts asked for; too small a buffer gets BUFFER_TOO_SMALL with the size needed. */
async function securityInfo(o: Open, info: number, limit: number): Promise<HandlerResult> {
  if (!(o.grantedAccess & Access.READ_CONTROL)) throw new NtStatusError(NtStatus.ACCESS_DENIED, 'READ_CONTROL');
  const m = await openMeta(o);
  const sd = (await readStoredSd(o.fs, {fd: o.fd})) ?? sdFromMode(m.stat);
  const data = encodeSd(sd, info);
  checkAlive(o);
  if (data.length > limit) {
    const need = Buffer.alloc(4);
    need.writeUInt32LE(data.length, 0);
    return errorReply(NtStatus.BUFFER_TOO_SMALL, need);
  }
  return reply(encodeQueryInfoResponse, data);
}

export async function handleQueryInfo(ctx: RequestContext, body: Reader): Promise<HandlerResult> {
  const req = decodeQueryInfoRequest(body);
  const o = resolveOpen(ctx, req.fileId);
  // 3.3.5.20: "If OutputBufferLength is greater than Connection.MaxTransactSize ... STATUS_INVALID_PARAMETER".
  if (req.outputBufferLength > ctx.conn.maxTransactSize) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'OutputBufferLength');
  switch (req.infoType) {
    case InfoType.FILE:
      return fileInfo(ctx, o, req.fileInfoClass, req.outputBufferLength);
    case InfoType.FILESYSTEM:
      return fsInfo(ctx, o, req.fileInfoClass, req.outputBufferLength);
    case InfoType.SECURITY:
      return securityInfo(o, req.additionalInformation, req.outputBufferLength);
    case InfoType.QUOTA:
      throw new NtStatusError(NtStatus.NOT_SUPPORTED, 'security descriptors and quotas are not served yet');
    default:
      throw new NtStatusError(NtStatus.INVALID_PARAMETER, `InfoType ${req.infoType}`);
  }
}
