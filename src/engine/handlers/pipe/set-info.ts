/**
 * SET_INFO on a pipe open (MS-SMB2 3.3.5.21): FilePipeInformation (MS-FSCC 2.4.37) sets how this end reads
 * (message or byte stream) and whether a READ with nothing to read waits (queue) or fails at once
 * (complete). Our pipes are message pipes, so both read modes are allowed. Other classes get
 * STATUS_INVALID_PARAMETER as the named pipe file system answers them; security and quotas NOT_SUPPORTED.
 */
import {Access, FileInfoClass, InfoType} from '../../../smb2/constants.js';
import {decodeSetInfoRequest, encodeSetInfoResponse} from '../../../smb2/messages/set-info.js';
import {NtStatus, NtStatusError} from '../../../smb2/ntstatus.js';
import type {Reader} from '../../../wire/reader.js';
import {reply, type HandlerResult, type RequestContext} from '../../context.js';
import {PipeMode, resolvePipe} from '../../pipes.js';

export function handlePipeSetInfo(ctx: RequestContext, body: Reader): HandlerResult {
  const req = decodeSetInfoRequest(body);
  const p = resolvePipe(ctx, req.fileId);
  if (req.infoType === InfoType.SECURITY || req.infoType === InfoType.QUOTA) throw new NtStatusError(NtStatus.NOT_SUPPORTED, 'no security descriptors or quotas on pipes');
  if (req.infoType !== InfoType.FILE) throw new NtStatusError(NtStatus.INVALID_PARAMETER, `InfoType ${req.infoType}`);
  if (req.fileInfoClass !== FileInfoClass.FilePipeInformation) throw new NtStatusError(NtStatus.INVALID_PARAMETER, `file information class ${req.fileInfoClass} on a pipe`);
  if (req.buffer.length < 8) throw new NtStatusError(NtStatus.INFO_LENGTH_MISMATCH);
  if (!(p.grantedAccess & Access.FILE_WRITE_ATTRIBUTES)) throw new NtStatusError(NtStatus.ACCESS_DENIED, 'FilePipeInformation without FILE_WRITE_ATTRIBUTES');
  const readMode = req.buffer.readUInt32LE(0);
  const completionMode = req.buffer.readUInt32LE(4);
  // MS-FSCC 2.4.37: each field takes one of two values.
  if (readMode > PipeMode.MESSAGE || completionMode > PipeMode.COMPLETE_OPERATION) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'FilePipeInformation values');
  p.readMode = readMode;
  p.completionMode = completionMode;
  return reply(encodeSetInfoResponse, undefined);
}
