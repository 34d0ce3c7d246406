/**
 * IOCTL on IPC$ (MS-SMB2 3.3.5.15): the named pipe FSCTLs
 *   FSCTL_PIPE_TRANSCEIVE (3.3.5.15.3): write one request, read one message back;
 *   FSCTL_PIPE_PEEK (3.3.5.15.4): look at the waiting data without taking it, never blocking;
 *   FSCTL_PIPE_WAIT (MS-FSCC 2.3.49): our pipes have unlimited instances, so a served one is available now;
 * the tree-level FSCTLs a client sends on IPC$ (VALIDATE_NEGOTIATE_INFO, DFS referrals, interface list) go
 * to the disk handler, which answers them for any tree; anything else on a pipe is STATUS_NOT_SUPPORTED, as
 * the named pipe file system answers an FSCTL it does not know.
 */
import {Access, Fsctl, IoctlFlags} from '../../../smb2/constants.js';
import {isRelatedFileId} from '../../../smb2/messages/common.js';
import {decodeIoctlRequest, encodeIoctlResponse, type IoctlRequest} from '../../../smb2/messages/ioctl.js';
import {NtStatus, NtStatusError} from '../../../smb2/ntstatus.js';
import type {PipeOpen} from '../../../state/pipe-open.js';
import {MalformedPacket} from '../../../wire/errors.js';
import {Reader} from '../../../wire/reader.js';
import {decodeUtf16} from '../../../wire/utf16.js';
import {reply, type HandlerResult, type Reply, type RequestContext} from '../../context.js';
import {PipeMode, resolvePipe, waitForData, type PipeData} from '../../pipes.js';
import {handleIoctl} from '../ioctl.js';

const EMPTY = Buffer.alloc(0);
/** MS-FSCC 2.3.46: NamedPipeState FILE_PIPE_CONNECTED_STATE. */
const FILE_PIPE_CONNECTED_STATE = 3;
const PEEK_HEADER_SIZE = 16;

/** FSCTLs that name no open (3.3.5.15: their FileId MUST be all 0xFF) and mean the same on every tree. */
const TREE_FSCTLS = new Set<number>([Fsctl.VALIDATE_NEGOTIATE_INFO, Fsctl.DFS_GET_REFERRALS, Fsctl.DFS_GET_REFERRALS_EX, Fsctl.QUERY_NETWORK_INTERFACE_INFO]);

function ioctlReply(req: IoctlRequest, p: PipeOpen, output: Buffer, status: number = NtStatus.SUCCESS): Reply {
  const id = p.wireId;
  return reply(encodeIoctlResponse, {ctlCode: req.ctlCode, fileId: {persistent: id, volatile: id}, input: EMPTY, output, flags: 0}, status);
}

function checkSizes(ctx: RequestContext, req: IoctlRequest): void {
  // 3.3.5.15: InputCount or MaxOutputResponse beyond Connection.MaxTransactSize is STATUS_INVALID_PARAMETER.
  const max = ctx.conn.maxTransactSize;
  if (req.input.length > max || req.maxOutputResponse > max) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'IOCTL buffers above MaxTransactSize');
}

function transceive(ctx: RequestContext, req: IoctlRequest): HandlerResult {
  const p = resolvePipe(ctx, req.fileId);
  // The FSCTL's access bits ask for read and write (FILE_READ_WRITE_ACCESS).
  if ((p.grantedAccess & (Access.FILE_READ_DATA | Access.FILE_WRITE_DATA)) !== (Access.FILE_READ_DATA | Access.FILE_WRITE_DATA)) {
    throw new NtStatusError(NtStatus.ACCESS_DENIED, 'TRANSCEIVE needs read and write access');
  }
  checkSizes(ctx, req);
  // A transaction is a message exchange: the client end must read messages.
  if (p.readMode !== PipeMode.MESSAGE) throw new NtStatusError(NtStatus.INVALID_PIPE_STATE, 'TRANSCEIVE on a byte-mode open');
  // MS-FSCC 2.3.53: unread data (or a read already waiting for it) makes the transaction STATUS_PIPE_BUSY.
  if (p.waiters.length > 0) throw new NtStatusError(NtStatus.PIPE_BUSY, 'a READ is waiting on this pipe');
  const services = ctx.server.services;
  const r = services.pipeTransceive(p.handle, req.input, req.maxOutputResponse);
  if (r.status === 'busy') throw new NtStatusError(NtStatus.PIPE_BUSY, 'unread data in the pipe');
  if (r.status !== 'ok') throw new NtStatusError(NtStatus.PIPE_BROKEN, 'pipe gone on the services side');
  const finish = (d: PipeData): Reply => ioctlReply(req, p, d.data, d.more ? NtStatus.BUFFER_OVERFLOW : NtStatus.SUCCESS);
  if (r.data.length > 0 || r.more) return finish(r);
  // The input was not a whole request (or one with no answer): the read half waits like a READ, except on a
  // non-blocking open, where the write is done and nothing is there to read yet.
  if (req.maxOutputResponse === 0 || p.completionMode === PipeMode.COMPLETE_OPERATION) return finish(r);
  return waitForData(p, req.maxOutputResponse, finish);
}

function peek(ctx: RequestContext, req: IoctlRequest): HandlerResult {
  const p = resolvePipe(ctx, req.fileId);
  if (!(p.grantedAccess & Access.FILE_READ_DATA)) throw new NtStatusError(NtStatus.ACCESS_DENIED, 'PEEK without FILE_READ_DATA');
  checkSizes(ctx, req);
  // MS-FSCC 2.3.46: the reply's fixed part does not fit.
  if (req.maxOutputResponse < PEEK_HEADER_SIZE) throw new NtStatusError(NtStatus.BUFFER_TOO_SMALL, 'MaxOutputResponse below the FILE_PIPE_PEEK_BUFFER header');
  const r = ctx.server.services.pipePeek(p.handle, req.maxOutputResponse - PEEK_HEADER_SIZE);
  if (r.status !== 'ok') throw new NtStatusError(NtStatus.PIPE_BROKEN, 'pipe gone on the services side');
  const out = Buffer.alloc(PEEK_HEADER_SIZE + r.data.length);
  out.writeUInt32LE(FILE_PIPE_CONNECTED_STATE, 0);
  out.writeUInt32LE(r.available, 4);
  out.writeUInt32LE(r.messages, 8);
  out.writeUInt32LE(r.messageLength, 12);
  r.data.copy(out, PEEK_HEADER_SIZE);
  // Part of the head message only: the data is there, and STATUS_BUFFER_OVERFLOW says it is not all.
  return ioctlReply(req, p, out, r.data.length < r.messageLength ? NtStatus.BUFFER_OVERFLOW : NtStatus.SUCCESS);
}

/** MS-FSCC 2.3.49 FSCTL_PIPE_WAIT Request: Timeout (8), NameLength (4), TimeoutSpecified (1), Padding (1), Name. */
function pipeWait(ctx: RequestContext, req: IoctlRequest): HandlerResult {
  // 3.3.5.15: FSCTL_PIPE_WAIT with a FileId other than all 0xFF is STATUS_INVALID_PARAMETER.
  if (!isRelatedFileId(req.fileId)) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'PIPE_WAIT names an open');
  let name: string;
  try {
    const r = new Reader(req.input);
    r.skip(8);
    const length = r.u32();
    r.skip(2);
    name = decodeUtf16(r.bytes(length));
  } catch (e) {
    if (e instanceof MalformedPacket) throw new NtStatusError(NtStatus.INVALID_PARAMETER, `PIPE_WAIT request: ${e.message}`);
    throw e;
  }
  const s = ctx.session!;
  const probe = ctx.server.services.pipeOpen({session: {sessionId: s.label, user: s.user, guest: s.guest, identity: s.identity!}, pipe: name});
  // MS-FSCC 2.3.50: STATUS_OBJECT_NAME_NOT_FOUND when no such pipe exists.
  if (probe.status !== 'ok') throw new NtStatusError(NtStatus.OBJECT_NAME_NOT_FOUND, `PIPE_WAIT for \`${name}'`);
  ctx.server.services.pipeClose(probe.handle);
  return reply(encodeIoctlResponse, {ctlCode: req.ctlCode, fileId: req.fileId, input: EMPTY, output: EMPTY, flags: 0});
}

export function handlePipeIoctl(ctx: RequestContext, body: Reader): HandlerResult | Promise<HandlerResult> {
  const start = body.offset;
  const req = decodeIoctlRequest(body);
  // 3.3.5.15: "If the Flags field of the request is not SMB2_0_IOCTL_IS_FSCTL the server MUST fail the request with STATUS_NOT_SUPPORTED."
  if ((req.flags & IoctlFlags.IS_FSCTL) === 0) throw new NtStatusError(NtStatus.NOT_SUPPORTED, 'not an FSCTL');
  switch (req.ctlCode) {
    case Fsctl.PIPE_TRANSCEIVE:
      return transceive(ctx, req);
    case Fsctl.PIPE_PEEK:
      return peek(ctx, req);
    case Fsctl.PIPE_WAIT:
      return pipeWait(ctx, req);
    default:
      if (TREE_FSCTLS.has(req.ctlCode)) return handleIoctl(ctx, body.seek(start));
      resolvePipe(ctx, req.fileId);
      throw new NtStatusError(NtStatus.NOT_SUPPORTED, `FSCTL 0x${req.ctlCode.toString(16)} on a pipe`);
  }
}
