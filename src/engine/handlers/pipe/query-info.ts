/**
 * QUERY_INFO on a pipe open (MS-SMB2 3.3.5.20): the classes a client asks of a pipe (MS-FSCC 2.4):
 * FileBasicInformation and FileNetworkOpenInformation (no times, FILE_ATTRIBUTE_NORMAL),
 * FileStandardInformation (EndOfFile = octets waiting; a pipe is always delete-pending),
 * FileAccessInformation, FilePositionInformation, FilePipeInformation and FilePipeLocalInformation;
 * FileFsDeviceInformation for the file system. Other classes get STATUS_INVALID_PARAMETER, as the named
 * pipe file system answers them; security descriptors and quotas STATUS_NOT_SUPPORTED.
 */
import {Access, FileAttributes, FileInfoClass, FsInfoClass, InfoType} from '../../../smb2/constants.js';
import {decodeQueryInfoRequest, encodeQueryInfoResponse} from '../../../smb2/messages/query-info.js';
import {NtStatus, NtStatusError} from '../../../smb2/ntstatus.js';
import type {PipeOpen} from '../../../state/pipe-open.js';
import type {Reader} from '../../../wire/reader.js';
import {reply, type HandlerResult, type RequestContext} from '../../context.js';
import {resolvePipe} from '../../pipes.js';
import {PIPE_ALLOCATION_SIZE} from './create.js';

/** MS-FSCC 2.4.38 values. */
const FILE_PIPE_MESSAGE_TYPE = 1;
const FILE_PIPE_FULL_DUPLEX = 2;
const FILE_PIPE_UNLIMITED_INSTANCES = 0xffffffff;
const FILE_PIPE_CONNECTED_STATE = 3;
const FILE_PIPE_CLIENT_END = 0;
/** Quotas reported: the services side takes any WRITE the connection allows. */
const PIPE_QUOTA = 65536;
/** MS-FSCC 2.5.10 DeviceType FILE_DEVICE_NAMED_PIPE. */
const FILE_DEVICE_NAMED_PIPE = 0x11;

function available(ctx: RequestContext, p: PipeOpen): number {
  const r = ctx.server.services.pipePeek(p.handle);
  return r.status === 'ok' ? r.available : 0;
}

function fileInfo(ctx: RequestContext, p: PipeOpen, cls: number): Buffer {
  switch (cls) {
    case FileInfoClass.FileBasicInformation: {
      if (!(p.grantedAccess & Access.FILE_READ_ATTRIBUTES)) throw new NtStatusError(NtStatus.ACCESS_DENIED);
      const b = Buffer.alloc(40); // four FILETIMEs of 0, FileAttributes, Reserved
      b.writeUInt32LE(FileAttributes.NORMAL, 32);
      return b;
    }
    case FileInfoClass.FileStandardInformation: {
      const b = Buffer.alloc(24);
      b.writeBigUInt64LE(PIPE_ALLOCATION_SIZE, 0);
      b.writeBigUInt64LE(BigInt(available(ctx, p)), 8);
      b.writeUInt32LE(1, 16); // NumberOfLinks
      b[20] = 1; // DeletePending: a pipe goes away with its last handle
      return b;
    }
    case FileInfoClass.FileAccessInformation: {
      const b = Buffer.alloc(4);
      b.writeUInt32LE(p.grantedAccess >>> 0, 0);
      return b;
    }
    case FileInfoClass.FilePositionInformation:
      return Buffer.alloc(8);
    case FileInfoClass.FileNetworkOpenInformation: {
      if (!(p.grantedAccess & Access.FILE_READ_ATTRIBUTES)) throw new NtStatusError(NtStatus.ACCESS_DENIED);
      const b = Buffer.alloc(56);
      b.writeBigUInt64LE(PIPE_ALLOCATION_SIZE, 32);
      b.writeUInt32LE(FileAttributes.NORMAL, 48);
      return b;
    }
    case FileInfoClass.FilePipeInformation: {
      const b = Buffer.alloc(8);
      b.writeUInt32LE(p.readMode, 0);
      b.writeUInt32LE(p.completionMode, 4);
      return b;
    }
    case FileInfoClass.FilePipeLocalInformation: {
      const b = Buffer.alloc(40);
      b.writeUInt32LE(FILE_PIPE_MESSAGE_TYPE, 0);
      b.writeUInt32LE(FILE_PIPE_FULL_DUPLEX, 4);
      b.writeUInt32LE(FILE_PIPE_UNLIMITED_INSTANCES, 8);
      b.writeUInt32LE(1, 12); // CurrentInstances: each open is its own instance
      b.writeUInt32LE(PIPE_QUOTA, 16); // InboundQuota
      b.writeUInt32LE(available(ctx, p), 20); // ReadDataAvailable
      b.writeUInt32LE(PIPE_QUOTA, 24); // OutboundQuota
      b.writeUInt32LE(PIPE_QUOTA, 28); // WriteQuotaAvailable
      b.writeUInt32LE(FILE_PIPE_CONNECTED_STATE, 32);
      b.writeUInt32LE(FILE_PIPE_CLIENT_END, 36);
      return b;
    }
    default:
      throw new NtStatusError(NtStatus.INVALID_PARAMETER, `file information class ${cls} on a pipe`);
  }
}

function fsInfo(cls: number): Buffer {
  if (cls !== FsInfoClass.FileFsDeviceInformation) throw new NtStatusError(NtStatus.INVALID_PARAMETER, `file system information class ${cls} on a pipe`);
  const b = Buffer.alloc(8);
  b.writeUInt32LE(FILE_DEVICE_NAMED_PIPE, 0);
  return b;
}

export function handlePipeQueryInfo(ctx: RequestContext, body: Reader): HandlerResult {
  const req = decodeQueryInfoRequest(body);
  const p = resolvePipe(ctx, req.fileId);
  // 3.3.5.20: "If OutputBufferLength is greater than Connection.MaxTransactSize ... STATUS_INVALID_PARAMETER".
  if (req.outputBufferLength > ctx.conn.maxTransactSize) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'OutputBufferLength');
  let data: Buffer;
  switch (req.infoType) {
    case InfoType.FILE:
      data = fileInfo(ctx, p, req.fileInfoClass);
      break;
    case InfoType.FILESYSTEM:
      data = fsInfo(req.fileInfoClass);
      break;
    case InfoType.SECURITY:
    case InfoType.QUOTA:
      throw new NtStatusError(NtStatus.NOT_SUPPORTED, 'no security descriptors or quotas on pipes');
    default:
      throw new NtStatusError(NtStatus.INVALID_PARAMETER, `InfoType ${req.infoType}`);
  }
  // Every class served here is fixed-size: a smaller buffer is refused (3.3.5.20.1).
  if (req.outputBufferLength < data.length) throw new NtStatusError(NtStatus.INFO_LENGTH_MISMATCH);
  return reply(encodeQueryInfoResponse, data);
}
