// Named pipes on IPC$ through the raw-frame client (test/helpers/raw-client.ts): open, write, read,
// transceive, peek, and a small DCE/RPC exchange on top (bind, call) built with the project's PDU codecs.
import {Access, Command, CreateDisposition, Fsctl, ImpersonationLevel, OplockLevel, ShareAccess} from '../../src/smb2/constants.js';
import type {FileId} from '../../src/smb2/messages/common.js';
import {decodeIoctlResponse} from '../../src/smb2/messages/ioctl.js';
import {decodeReadResponse} from '../../src/smb2/messages/read.js';
import {NtStatus, ntStatusName} from '../../src/smb2/ntstatus.js';
import {NDR20, PTYPE, encodeBind, encodeRequest, type SyntaxId} from '../../src/rpc/pdu.js';
import {bodyReader, type RawClient, type Smb2Message} from './raw-client.js';
import {create, ioctl, read, write} from './raw-ops.js';

/** CREATE of a pipe as smbclient and rpcclient send it. */
export async function createPipe(c: RawClient, name: string): Promise<{msg: Smb2Message; fileId?: FileId}> {
  return create(c, name, {
    requestedOplockLevel: OplockLevel.NONE,
    impersonationLevel: ImpersonationLevel.IMPERSONATION,
    desiredAccess: Access.FILE_READ_DATA | Access.FILE_WRITE_DATA | Access.FILE_APPEND_DATA | Access.FILE_READ_EA | Access.FILE_WRITE_EA | Access.FILE_READ_ATTRIBUTES | Access.FILE_WRITE_ATTRIBUTES | Access.READ_CONTROL | Access.SYNCHRONIZE,
    shareAccess: ShareAccess.READ | ShareAccess.WRITE,
    createDisposition: CreateDisposition.OPEN,
    createOptions: 0,
  });
}

export async function openPipe(c: RawClient, name: string): Promise<FileId> {
  const r = await createPipe(c, name);
  if (!r.fileId) throw new Error(`CREATE ${name}: ${ntStatusName(r.msg.status)}`);
  return r.fileId;
}

export async function pipeWrite(c: RawClient, fid: FileId, data: Buffer): Promise<number> {
  return (await write(c, fid, 0n, data)).status;
}

/** One READ: its status and data (BUFFER_OVERFLOW carries data too). */
export async function pipeRead(c: RawClient, fid: FileId, length = 4280): Promise<{status: number; data: Buffer}> {
  const r = await read(c, fid, 0n, length);
  const m = r.msg;
  if (m.status === NtStatus.BUFFER_OVERFLOW) return {status: m.status, data: Buffer.from(decodeReadResponse(bodyReader(m)).data)};
  return {status: m.status, data: r.data ?? Buffer.alloc(0)};
}

export async function pipeIoctl(c: RawClient, fid: FileId, ctl: number, input: Buffer, maxOutput = 4280): Promise<{status: number; output: Buffer}> {
  const m = await ioctl(c, fid, ctl, input, {maxOutputResponse: maxOutput});
  if (m.status !== NtStatus.SUCCESS && m.status !== NtStatus.BUFFER_OVERFLOW) return {status: m.status, output: Buffer.alloc(0)};
  return {status: m.status, output: Buffer.from(decodeIoctlResponse(bodyReader(m)).output)};
}

export const transceive = (c: RawClient, fid: FileId, input: Buffer, maxOutput = 4280) => pipeIoctl(c, fid, Fsctl.PIPE_TRANSCEIVE, input, maxOutput);

/** A whole message: READs until one ends without STATUS_BUFFER_OVERFLOW. */
export async function readMessage(c: RawClient, fid: FileId, chunk = 4280): Promise<Buffer> {
  const parts: Buffer[] = [];
  for (;;) {
    const r = await pipeRead(c, fid, chunk);
    if (r.status !== NtStatus.SUCCESS && r.status !== NtStatus.BUFFER_OVERFLOW) throw new Error(`READ: ${ntStatusName(r.status)}`);
    parts.push(r.data);
    if (r.status === NtStatus.SUCCESS) return Buffer.concat(parts);
  }
}

/** bind on a fresh pipe; returns the bind_ack (or bind_nak) PDU. */
export async function bindPipe(c: RawClient, fid: FileId, syntax: SyntaxId, callId = 1): Promise<Buffer> {
  const r = await transceive(c, fid, encodeBind(PTYPE.BIND, callId, {contexts: [{contextId: 0, abstract: syntax, transfer: [NDR20]}]}));
  if (r.status !== NtStatus.SUCCESS) throw new Error(`bind: ${ntStatusName(r.status)}`);
  return r.output;
}

/** One call in one fragment each way (the stubs used here are small); returns the response PDU. */
export async function callPipe(c: RawClient, fid: FileId, opnum: number, stub: Buffer, callId = 2): Promise<Buffer> {
  const [pdu] = encodeRequest(callId, 0, opnum, stub);
  const r = await transceive(c, fid, pdu!);
  if (r.status !== NtStatus.SUCCESS) throw new Error(`call: ${ntStatusName(r.status)}`);
  return r.output;
}

export {Command};
