// File-operation helpers for the raw-frame client (test/helpers/raw-client.ts): body builders for every
// command a malformed-input case needs, and request helpers that return the response as it came. Each
// helper takes SendOptions, so a test corrupts a CREATE name offset with
//   create(c, 'x', {mutate: (m) => void m.writeUInt16LE(0xffff, HDR.body + 44)}).
// Body field offsets (from the start of the body, i.e. HDR.body + n) are listed in BODY below.
import {Access, Command, CreateDisposition, CreateOptions, FileInfoClass, ImpersonationLevel, InfoType, IoctlFlags, OplockLevel, ShareAccess} from '../../src/smb2/constants.js';
import {encodeCloseRequest} from '../../src/smb2/messages/close.js';
import {RELATED_FILE_ID, type FileId} from '../../src/smb2/messages/common.js';
import {decodeCreateResponse, encodeCreateRequest, type CreateRequest} from '../../src/smb2/messages/create.js';
import {encodeEchoRequest} from '../../src/smb2/messages/echo.js';
import {encodeIoctlRequest, type IoctlRequest} from '../../src/smb2/messages/ioctl.js';
import {encodeLogoffRequest} from '../../src/smb2/messages/logoff.js';
import {encodeQueryDirectoryRequest, decodeQueryDirectoryResponse} from '../../src/smb2/messages/query-directory.js';
import {encodeQueryInfoRequest, type QueryInfoRequest} from '../../src/smb2/messages/query-info.js';
import {decodeReadResponse, encodeReadRequest} from '../../src/smb2/messages/read.js';
import {encodeSetInfoRequest, type SetInfoRequest} from '../../src/smb2/messages/set-info.js';
import {encodeTreeDisconnectRequest} from '../../src/smb2/messages/tree-disconnect.js';
import {encodeWriteRequest} from '../../src/smb2/messages/write.js';
import {NtStatus} from '../../src/smb2/ntstatus.js';
import {bodyReader, creditsFor, type Body, type RawClient, type SendOptions, type Smb2Message} from './raw-client.js';

export {RELATED_FILE_ID};

/** Offsets inside request bodies (MS-SMB2 2.2.x), for hooks: the message offset is HDR.body + value. */
export const BODY = Object.freeze({
  negotiate: {structureSize: 0, dialectCount: 2, contextOffset: 28, contextCount: 32, dialects: 36},
  sessionSetup: {structureSize: 0, securityBufferOffset: 12, securityBufferLength: 14},
  treeConnect: {structureSize: 0, flags: 2, pathOffset: 4, pathLength: 6},
  create: {structureSize: 0, nameOffset: 44, nameLength: 46, contextsOffset: 48, contextsLength: 52},
  close: {structureSize: 0, fileId: 8},
  read: {structureSize: 0, length: 4, offset: 8, fileId: 16, channel: 36, readChannelOffset: 44, readChannelLength: 46},
  write: {structureSize: 0, dataOffset: 2, length: 4, offset: 8, fileId: 16, channelInfoOffset: 40, channelInfoLength: 42},
  queryDirectory: {structureSize: 0, infoClass: 2, fileId: 8, nameOffset: 24, nameLength: 26, outputLength: 28},
  ioctl: {structureSize: 0, ctlCode: 4, fileId: 8, inputOffset: 24, inputCount: 28, maxInputResponse: 32, outputOffset: 36, outputCount: 40, maxOutputResponse: 44, flags: 48},
  setInfo: {structureSize: 0, infoType: 2, infoClass: 3, bufferLength: 4, bufferOffset: 8, fileId: 16},
  queryInfo: {structureSize: 0, infoType: 2, infoClass: 3, outputLength: 4, inputOffset: 8, inputLength: 12, fileId: 24},
});

export function echoBody(): Body {
  return (w) => encodeEchoRequest(w);
}

export function createBody(name: string, o: Partial<CreateRequest> = {}): Body {
  return (w) =>
    encodeCreateRequest(w, {
      securityFlags: 0,
      requestedOplockLevel: OplockLevel.NONE,
      impersonationLevel: ImpersonationLevel.IMPERSONATION,
      smbCreateFlags: 0n,
      desiredAccess: Access.GENERIC_READ | Access.GENERIC_WRITE,
      fileAttributes: 0,
      shareAccess: ShareAccess.READ | ShareAccess.WRITE | ShareAccess.DELETE,
      createDisposition: CreateDisposition.OPEN_IF,
      createOptions: CreateOptions.NON_DIRECTORY_FILE,
      name,
      createContexts: [],
      ...o,
    });
}

/** The options that open a directory for listing. */
export const DIRECTORY: Partial<CreateRequest> = Object.freeze({
  desiredAccess: Access.FILE_LIST_DIRECTORY | Access.FILE_READ_ATTRIBUTES | Access.SYNCHRONIZE,
  createDisposition: CreateDisposition.OPEN,
  createOptions: CreateOptions.DIRECTORY_FILE,
});

export function closeBody(fileId: FileId): Body {
  return (w) => encodeCloseRequest(w, {flags: 0, fileId});
}

export function readBody(fileId: FileId, offset: bigint, length: number, channel = 0): Body {
  return (w) =>
    encodeReadRequest(w, {padding: 0x50, flags: 0, length, offset, fileId, minimumCount: 0, channel, remainingBytes: 0, readChannelInfo: Buffer.alloc(0)});
}

export function writeBody(fileId: FileId, offset: bigint, data: Buffer, channel = 0): Body {
  return (w) => encodeWriteRequest(w, {offset, fileId, channel, remainingBytes: 0, flags: 0, data, writeChannelInfo: Buffer.alloc(0)});
}

export function queryDirectoryBody(fileId: FileId, pattern = '*', o: {infoClass?: number; flags?: number; outputLength?: number} = {}): Body {
  return (w) =>
    encodeQueryDirectoryRequest(w, {
      fileInformationClass: o.infoClass ?? FileInfoClass.FileIdBothDirectoryInformation,
      flags: o.flags ?? 0,
      fileIndex: 0,
      fileId,
      fileName: pattern,
      outputBufferLength: o.outputLength ?? 65536,
    });
}

export function ioctlBody(fileId: FileId, ctlCode: number, input: Buffer, o: Partial<IoctlRequest> = {}): Body {
  return (w) =>
    encodeIoctlRequest(w, {ctlCode, fileId, input, maxInputResponse: 0, output: Buffer.alloc(0), maxOutputResponse: 65536, flags: IoctlFlags.IS_FSCTL, ...o});
}

export function setInfoBody(fileId: FileId, infoType: number, infoClass: number, buffer: Buffer, o: Partial<SetInfoRequest> = {}): Body {
  return (w) => encodeSetInfoRequest(w, {infoType, fileInfoClass: infoClass, buffer, additionalInformation: 0, fileId, ...o});
}

export function queryInfoBody(fileId: FileId, infoType: number, infoClass: number, o: Partial<QueryInfoRequest> = {}): Body {
  return (w) =>
    encodeQueryInfoRequest(w, {
      infoType,
      fileInfoClass: infoClass,
      outputBufferLength: 4096,
      inputBuffer: Buffer.alloc(0),
      additionalInformation: 0,
      flags: 0,
      fileId,
      ...o,
    });
}

// ---- request helpers ----

export interface Opened {
  msg: Smb2Message;
  fileId?: FileId;
}

export async function create(c: RawClient, name: string, req: Partial<CreateRequest> = {}, o: SendOptions = {}): Promise<Opened> {
  const msg = await c.request(Command.CREATE, createBody(name, req), o);
  if (msg.status !== NtStatus.SUCCESS) return {msg};
  return {msg, fileId: decodeCreateResponse(bodyReader(msg)).fileId};
}

/** CREATE that must succeed. */
export async function open(c: RawClient, name: string, req: Partial<CreateRequest> = {}): Promise<FileId> {
  const r = await create(c, name, req);
  if (!r.fileId) throw new Error(`CREATE ${name}: 0x${r.msg.status.toString(16)}`);
  return r.fileId;
}

export function close(c: RawClient, fileId: FileId, o: SendOptions = {}): Promise<Smb2Message> {
  return c.request(Command.CLOSE, closeBody(fileId), o);
}

export async function read(c: RawClient, fileId: FileId, offset: bigint, length: number, o: SendOptions = {}): Promise<{msg: Smb2Message; data?: Buffer}> {
  const msg = await c.request(Command.READ, readBody(fileId, offset, length), {creditCharge: c.multiCredit ? creditsFor(length) : 0, ...o});
  if (msg.status !== NtStatus.SUCCESS) return {msg};
  return {msg, data: Buffer.from(decodeReadResponse(bodyReader(msg)).data)};
}

export function write(c: RawClient, fileId: FileId, offset: bigint, data: Buffer, o: SendOptions = {}): Promise<Smb2Message> {
  return c.request(Command.WRITE, writeBody(fileId, offset, data), {creditCharge: c.multiCredit ? creditsFor(data.length) : 0, ...o});
}

export async function queryDirectory(
  c: RawClient,
  fileId: FileId,
  pattern = '*',
  q: {infoClass?: number; flags?: number; outputLength?: number} = {},
  o: SendOptions = {},
): Promise<{msg: Smb2Message; entries?: Buffer}> {
  const out = q.outputLength ?? 65536;
  const msg = await c.request(Command.QUERY_DIRECTORY, queryDirectoryBody(fileId, pattern, q), {creditCharge: c.multiCredit ? creditsFor(out) : 0, ...o});
  if (msg.status !== NtStatus.SUCCESS) return {msg};
  return {msg, entries: Buffer.from(decodeQueryDirectoryResponse(bodyReader(msg)))};
}

/** Names in a FileIdBothDirectoryInformation / FileBothDirectoryInformation buffer (MS-FSCC 2.4.17). */
export function directoryNames(entries: Buffer, infoClass = FileInfoClass.FileIdBothDirectoryInformation): string[] {
  const nameAt = infoClass === FileInfoClass.FileIdBothDirectoryInformation ? 104 : 94;
  const names: string[] = [];
  let off = 0;
  for (;;) {
    const next = entries.readUInt32LE(off);
    const len = entries.readUInt32LE(off + 60);
    names.push(entries.subarray(off + nameAt, off + nameAt + len).toString('utf16le'));
    if (next === 0) return names;
    off += next;
  }
}

export function ioctl(c: RawClient, fileId: FileId, ctlCode: number, input: Buffer, req: Partial<IoctlRequest> = {}, o: SendOptions = {}): Promise<Smb2Message> {
  const out = req.maxOutputResponse ?? 65536;
  return c.request(Command.IOCTL, ioctlBody(fileId, ctlCode, input, req), {creditCharge: c.multiCredit ? creditsFor(Math.max(input.length, out)) : 0, ...o});
}

export function setInfo(c: RawClient, fileId: FileId, infoClass: number, buffer: Buffer, o: SendOptions = {}): Promise<Smb2Message> {
  return c.request(Command.SET_INFO, setInfoBody(fileId, InfoType.FILE, infoClass, buffer), o);
}

export function queryInfo(c: RawClient, fileId: FileId, infoType: number, infoClass: number, o: SendOptions = {}): Promise<Smb2Message> {
  return c.request(Command.QUERY_INFO, queryInfoBody(fileId, infoType, infoClass), o);
}

export function echo(c: RawClient, o: SendOptions = {}): Promise<Smb2Message> {
  return c.request(Command.ECHO, echoBody(), o);
}

export function treeDisconnect(c: RawClient, o: SendOptions = {}): Promise<Smb2Message> {
  return c.request(Command.TREE_DISCONNECT, (w) => encodeTreeDisconnectRequest(w), o);
}

export function logoff(c: RawClient, o: SendOptions = {}): Promise<Smb2Message> {
  return c.request(Command.LOGOFF, (w) => encodeLogoffRequest(w), o);
}

// ---- SMB1 ----

/** An SMB1 message (MS-CIFS 2.2.3.1 header, then WordCount, words, ByteCount, bytes). */
export function smb1Message(command: number, words: Buffer = Buffer.alloc(0), bytes: Buffer = Buffer.alloc(0)): Buffer {
  const h = Buffer.alloc(32);
  h.write('\xffSMB', 0, 'latin1');
  h[4] = command;
  h[9] = 0x18; // Flags: case-insensitive, canonicalized paths
  h.writeUInt16LE(0xc853, 10); // Flags2: unicode, NT status, extended security, long names
  h.writeUInt16LE(0xffff, 24); // TID
  h.writeUInt16LE(0xfeff, 26); // PID
  const wc = Buffer.from([words.length / 2]);
  const bc = Buffer.alloc(2);
  bc.writeUInt16LE(bytes.length);
  return Buffer.concat([h, wc, words, bc, bytes]);
}

/** SMB_COM_NEGOTIATE (0x72) offering the given dialect strings. */
export function smb1Negotiate(dialects: string[] = ['NT LM 0.12', 'SMB 2.002', 'SMB 2.???']): Buffer {
  return smb1Message(0x72, Buffer.alloc(0), Buffer.concat(dialects.map((d) => Buffer.from(`\x02${d}\0`, 'latin1'))));
}
