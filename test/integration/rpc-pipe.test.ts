// Named pipes on IPC$ through the raw-frame client against the real daemon: message-mode READs with
// STATUS_BUFFER_OVERFLOW, READs that wait (interim STATUS_PENDING) until a WRITE, a CANCEL or a CLOSE ends
// them, TRANSCEIVE and PIPE_BUSY, PEEK, PIPE_WAIT, pipe information classes, byte mode and non-blocking
// mode, and every way a pipe open ends (CLOSE, TREE_DISCONNECT, LOGOFF, a lost connection).
// Acceptance 4 of issue 7 (10,000 PDUs through the pipe) is in rpc-fuzz.test.ts.
import {readFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, beforeEach, afterEach, describe, expect, it} from 'vitest';
import {NDR20, PTYPE, encodeBind} from '../../src/rpc/pdu.js';
import {SRVSVC} from '../../src/rpc/services/srvsvc.js';
import {Command, FileInfoClass, Fsctl, FsInfoClass, HeaderFlags, InfoType} from '../../src/smb2/constants.js';
import {encodeCancelRequest} from '../../src/smb2/messages/cancel.js';
import {RELATED_FILE_ID, type FileId} from '../../src/smb2/messages/common.js';
import {decodeQueryInfoResponse} from '../../src/smb2/messages/query-info.js';
import {decodeReadResponse} from '../../src/smb2/messages/read.js';
import {NtStatus, ntStatusName} from '../../src/smb2/ntstatus.js';
import type {Writer} from '../../src/wire/writer.js';
import {RawClient, bodyReader, type Smb2Message} from '../helpers/raw-client.js';
import {close, logoff, queryInfo, readBody, setInfo, treeDisconnect} from '../helpers/raw-ops.js';
import {bindPipe, openPipe, pipeIoctl, pipeRead, pipeWrite, readMessage, transceive} from '../helpers/raw-pipe.js';
import {startSmbServer, type SmbServer} from '../helpers/smb-server.js';

const name = (s: number) => ntStatusName(s);
const bind = (callId = 1) => encodeBind(PTYPE.BIND, callId, {contexts: [{contextId: 0, abstract: SRVSVC.syntax, transfer: [NDR20]}]});

let server: SmbServer;
let c: RawClient;

beforeAll(async () => {
  server = await startSmbServer({users: {alice: 'pw'}, shares: {public: {comment: 'Public files'}}});
});
afterAll(async () => {
  await server?.stop();
});
beforeEach(async () => {
  c = await RawClient.connect({port: server.port, timeoutMs: 3000});
  await c.setup({user: 'alice', password: 'pw', share: 'IPC$'});
});
afterEach(async () => {
  await c?.close();
});

/** Send a READ without waiting; returns its MessageId once the interim STATUS_PENDING came back. */
async function pendingRead(fid: FileId, length = 4280): Promise<bigint> {
  const id = c.send(Command.READ, readBody(fid, 0n, length));
  const interim = await c.recv();
  expect(interim.header.messageId).toBe(id);
  expect(name(interim.status)).toBe('STATUS_PENDING');
  expect(interim.header.flags & HeaderFlags.ASYNC_COMMAND).toBeTruthy();
  return id;
}

function readData(m: Smb2Message): Buffer {
  return Buffer.from(decodeReadResponse(bodyReader(m)).data);
}

function isBindAck(pdu: Buffer): boolean {
  return pdu[0] === 5 && pdu[2] === PTYPE.BIND_ACK && pdu.readUInt16LE(8) === pdu.length;
}

/** The daemon's `opens` figure (written to its stats file every second) reaching `n`. */
async function opensBecome(n: number): Promise<void> {
  const file = join(server.dir, 'run', 'stats');
  const deadline = Date.now() + 5000;
  let last = '';
  while (Date.now() < deadline) {
    last = readFileSync(file, 'utf8');
    if (new RegExp(`^opens: ${n}$`, 'm').test(last)) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`opens never became ${n}:\n${last}`);
}

describe('reading and writing', () => {
  it('a message longer than the READ comes in pieces: STATUS_BUFFER_OVERFLOW, then the rest', async () => {
    const fid = await openPipe(c, 'srvsvc');
    expect(name(await pipeWrite(c, fid, bind()))).toBe('STATUS_SUCCESS');
    const first = await pipeRead(c, fid, 10);
    expect(name(first.status)).toBe('STATUS_BUFFER_OVERFLOW');
    expect(first.data.length).toBe(10);
    const rest = await readMessage(c, fid, 16);
    expect(isBindAck(Buffer.concat([first.data, rest]))).toBe(true);
  });

  it('a READ with nothing to read waits (STATUS_PENDING) and a WRITE on the pipe completes it', async () => {
    const fid = await openPipe(c, '\\PIPE\\srvsvc');
    const readId = await pendingRead(fid);
    expect(name(await pipeWrite(c, fid, bind()))).toBe('STATUS_SUCCESS');
    const done = await c.response(readId);
    expect(name(done.status)).toBe('STATUS_SUCCESS');
    expect(isBindAck(readData(done))).toBe(true);
  });

  it('CANCEL ends a waiting READ with STATUS_CANCELLED; CLOSE and TREE_DISCONNECT end the others', async () => {
    const fid = await openPipe(c, 'srvsvc');
    const a = await pendingRead(fid);
    c.send(Command.CANCEL, (w) => encodeCancelRequest(w), {messageId: a});
    expect(name((await c.response(a)).status)).toBe('STATUS_CANCELLED');
    const b = await pendingRead(fid);
    expect(name((await close(c, fid)).status)).toBe('STATUS_SUCCESS');
    expect(name((await c.response(b)).status)).toBe('STATUS_CANCELLED');
    const fid2 = await openPipe(c, 'wkssvc');
    const d = await pendingRead(fid2);
    expect(name((await treeDisconnect(c)).status)).toBe('STATUS_SUCCESS');
    expect(name((await c.response(d)).status)).toBe('STATUS_CANCELLED');
  });

  it('READ and WRITE on a closed or unknown FileId: STATUS_FILE_CLOSED', async () => {
    const fid = await openPipe(c, 'srvsvc');
    expect(name((await close(c, fid)).status)).toBe('STATUS_SUCCESS');
    expect(name((await pipeRead(c, fid)).status)).toBe('STATUS_FILE_CLOSED');
    expect(name(await pipeWrite(c, fid, bind()))).toBe('STATUS_FILE_CLOSED');
    expect(name(await pipeWrite(c, {persistent: 5n, volatile: 5n}, bind()))).toBe('STATUS_FILE_CLOSED');
  });
});

describe('FSCTLs', () => {
  it('TRANSCEIVE answers in one exchange; unread data or a waiting READ makes it STATUS_PIPE_BUSY', async () => {
    const fid = await openPipe(c, 'srvsvc');
    expect(isBindAck(await bindPipe(c, fid, SRVSVC.syntax))).toBe(true);
    const small = await transceive(c, fid, bind(2), 20); // a second bind: bind_nak, cut to 20 octets
    expect(name(small.status)).toBe('STATUS_BUFFER_OVERFLOW');
    expect(small.output.length).toBe(20);
    expect(name((await transceive(c, fid, bind(3))).status)).toBe('STATUS_PIPE_BUSY');
    await readMessage(c, fid); // the rest of the nak
    const r = await pendingRead(fid);
    expect(name((await transceive(c, fid, bind(4))).status)).toBe('STATUS_PIPE_BUSY');
    c.send(Command.CANCEL, (w) => encodeCancelRequest(w), {messageId: r});
    expect(name((await c.response(r)).status)).toBe('STATUS_CANCELLED');
  });

  it('PEEK shows the waiting message without taking it', async () => {
    const fid = await openPipe(c, 'srvsvc');
    const empty = await pipeIoctl(c, fid, Fsctl.PIPE_PEEK, Buffer.alloc(0), 64);
    expect(name(empty.status)).toBe('STATUS_SUCCESS');
    expect([...[0, 4, 8, 12].map((o) => empty.output.readUInt32LE(o))]).toEqual([3, 0, 0, 0]);
    await pipeWrite(c, fid, bind());
    expect(name((await pipeIoctl(c, fid, Fsctl.PIPE_PEEK, Buffer.alloc(0), 8)).status)).toBe('STATUS_BUFFER_TOO_SMALL');
    const part = await pipeIoctl(c, fid, Fsctl.PIPE_PEEK, Buffer.alloc(0), 24);
    expect(name(part.status)).toBe('STATUS_BUFFER_OVERFLOW');
    const whole = await pipeIoctl(c, fid, Fsctl.PIPE_PEEK, Buffer.alloc(0), 4096);
    expect(name(whole.status)).toBe('STATUS_SUCCESS');
    const length = whole.output.readUInt32LE(12);
    expect(whole.output.readUInt32LE(4)).toBe(length); // ReadDataAvailable
    expect(whole.output.readUInt32LE(8)).toBe(1); // NumberOfMessages
    const peeked = whole.output.subarray(16);
    expect(part.output.subarray(16)).toEqual(peeked.subarray(0, 8));
    expect(await readMessage(c, fid)).toEqual(peeked);
  });

  it('PIPE_WAIT: a served pipe is available at once, another is not found; it names no open', async () => {
    const wait = (pipe: string) => {
      const n = Buffer.from(pipe, 'utf16le');
      const input = Buffer.alloc(14 + n.length);
      input.writeBigInt64LE(50n, 0);
      input.writeUInt32LE(n.length, 8);
      input[12] = 1;
      n.copy(input, 14);
      return input;
    };
    expect(name((await pipeIoctl(c, RELATED_FILE_ID, Fsctl.PIPE_WAIT, wait('srvsvc'), 0)).status)).toBe('STATUS_SUCCESS');
    expect(name((await pipeIoctl(c, RELATED_FILE_ID, Fsctl.PIPE_WAIT, wait('winreg'), 0)).status)).toBe('STATUS_OBJECT_NAME_NOT_FOUND');
    expect(name((await pipeIoctl(c, RELATED_FILE_ID, Fsctl.PIPE_WAIT, Buffer.alloc(5), 0)).status)).toBe('STATUS_INVALID_PARAMETER');
    const fid = await openPipe(c, 'srvsvc');
    expect(name((await pipeIoctl(c, fid, Fsctl.PIPE_WAIT, wait('srvsvc'), 0)).status)).toBe('STATUS_INVALID_PARAMETER');
  });

  it('other FSCTLs on a pipe: STATUS_NOT_SUPPORTED; on an unknown FileId STATUS_FILE_CLOSED', async () => {
    const fid = await openPipe(c, 'srvsvc');
    expect(name((await pipeIoctl(c, fid, Fsctl.SRV_ENUMERATE_SNAPSHOTS, Buffer.alloc(0), 16)).status)).toBe('STATUS_NOT_SUPPORTED');
    expect(name((await pipeIoctl(c, {persistent: 9n, volatile: 9n}, Fsctl.SRV_ENUMERATE_SNAPSHOTS, Buffer.alloc(0), 16)).status)).toBe('STATUS_FILE_CLOSED');
  });
});

describe('pipe information and modes', () => {
  const info = async (fid: FileId, type: number, cls: number) => {
    const m = await queryInfo(c, fid, type, cls);
    return {status: name(m.status), data: m.status === NtStatus.SUCCESS ? Buffer.from(decodeQueryInfoResponse(bodyReader(m))) : Buffer.alloc(0)};
  };

  it('FilePipeLocalInformation, FileStandardInformation, FilePipeInformation, FileFsDeviceInformation', async () => {
    const fid = await openPipe(c, 'lsarpc');
    await pipeWrite(c, fid, bind());
    const local = await info(fid, InfoType.FILE, FileInfoClass.FilePipeLocalInformation);
    expect(local.status).toBe('STATUS_SUCCESS');
    expect(local.data.readUInt32LE(0)).toBe(1); // message type
    expect(local.data.readUInt32LE(20)).toBeGreaterThan(0); // ReadDataAvailable: the bind_ack
    expect(local.data.readUInt32LE(32)).toBe(3); // connected
    const std = await info(fid, InfoType.FILE, FileInfoClass.FileStandardInformation);
    expect(std.data.readBigUInt64LE(8)).toBe(BigInt(local.data.readUInt32LE(20)));
    expect(std.data[20]).toBe(1); // delete pending
    expect((await info(fid, InfoType.FILE, FileInfoClass.FilePipeInformation)).data).toEqual(Buffer.from([1, 0, 0, 0, 0, 0, 0, 0]));
    expect((await info(fid, InfoType.FILESYSTEM, FsInfoClass.FileFsDeviceInformation)).data.readUInt32LE(0)).toBe(0x11);
    expect((await info(fid, InfoType.FILE, FileInfoClass.FileStreamInformation)).status).toBe('STATUS_INVALID_PARAMETER');
    expect((await info(fid, InfoType.SECURITY, 0)).status).toBe('STATUS_NOT_SUPPORTED');
  });

  it('non-blocking mode: an empty pipe answers STATUS_PIPE_EMPTY at once; byte mode reads across messages', async () => {
    const fid = await openPipe(c, 'srvsvc');
    const mode = (read: number, completion: number) => {
      const b = Buffer.alloc(8);
      b.writeUInt32LE(read, 0);
      b.writeUInt32LE(completion, 4);
      return setInfo(c, fid, FileInfoClass.FilePipeInformation, b);
    };
    expect(name((await mode(1, 1)).status)).toBe('STATUS_SUCCESS');
    expect(name((await pipeRead(c, fid)).status)).toBe('STATUS_PIPE_EMPTY');
    expect(name((await mode(2, 0)).status)).toBe('STATUS_INVALID_PARAMETER');
    expect(name((await setInfo(c, fid, FileInfoClass.FilePipeInformation, Buffer.alloc(4))).status)).toBe('STATUS_INFO_LENGTH_MISMATCH');
    // Two messages waiting (bind_ack, then bind_nak for a second bind); byte mode returns both in one READ.
    await pipeWrite(c, fid, Buffer.concat([bind(1), bind(2)]));
    expect(name((await mode(0, 1)).status)).toBe('STATUS_SUCCESS');
    const both = await pipeRead(c, fid, 4280);
    expect(name(both.status)).toBe('STATUS_SUCCESS');
    const first = both.data.readUInt16LE(8);
    expect(both.data[2]).toBe(PTYPE.BIND_ACK);
    expect(both.data[first + 2]).toBe(PTYPE.BIND_NAK);
    expect(both.data.length).toBe(first + both.data.readUInt16LE(first + 8));
    expect(name((await pipeRead(c, fid)).status)).toBe('STATUS_PIPE_EMPTY');
  });

  it('FLUSH succeeds; LOCK, QUERY_DIRECTORY and CHANGE_NOTIFY on a pipe are STATUS_NOT_SUPPORTED', async () => {
    const fid = await openPipe(c, 'samr');
    expect(name((await c.request(Command.FLUSH, (w) => w.u16(24).u16(0).u32(0).u64(fid.persistent).u64(fid.volatile))).status)).toBe('STATUS_SUCCESS');
    const lock = (w: Writer) => w.u16(48).u16(1).u32(0).u64(fid.persistent).u64(fid.volatile).u64(0n).u64(1n).u32(2).u32(0);
    expect(name((await c.request(Command.LOCK, lock)).status)).toBe('STATUS_NOT_SUPPORTED');
    const notify = (w: Writer) => w.u16(32).u16(0).u32(4096).u64(fid.persistent).u64(fid.volatile).u32(1).u32(0);
    expect(name((await c.request(Command.CHANGE_NOTIFY, notify)).status)).toBe('STATUS_NOT_SUPPORTED');
  });
});

describe('pipe opens end with their tree, session and connection', () => {
  it('LOGOFF and a lost connection close every pipe (the daemon counts no open left)', async () => {
    await opensBecome(0);
    for (const p of ['srvsvc', 'lsarpc', 'samr']) await openPipe(c, p);
    await opensBecome(3);
    expect(name((await logoff(c)).status)).toBe('STATUS_SUCCESS');
    await opensBecome(0);
    const d = await RawClient.connect({port: server.port, timeoutMs: 3000});
    await d.setup({user: 'alice', password: 'pw', share: 'IPC$'});
    const fid = await openPipe(d, 'wkssvc');
    d.send(Command.READ, readBody(fid, 0n, 100)); // left waiting
    await opensBecome(1);
    await d.close();
    await opensBecome(0);
  });
});
