// SMB2 oplocks against the real daemon with the raw-frame client, two connections (two clients) on one file:
// the grant, the break notification a conflicting CREATE causes (3.3.4.6), the CREATE waiting with
// STATUS_PENDING until the holder acknowledges (3.3.5.22.1), closes, times out or the waiter cancels, LEVEL_II
// broken by a WRITE, and `oplocks = no`.
import {afterAll, afterEach, beforeAll, describe, expect, it} from 'vitest';
import {Access, Command, FileInfoClass, HeaderFlags, OplockLevel} from '../../src/smb2/constants.js';
import {encodeCancelRequest} from '../../src/smb2/messages/cancel.js';
import {decodeCreateResponse} from '../../src/smb2/messages/create.js';
import {decodeOplockBreakAck, encodeOplockBreak, type OplockBreak} from '../../src/smb2/messages/oplock-break.js';
import type {FileId} from '../../src/smb2/messages/common.js';
import {NtStatus} from '../../src/smb2/ntstatus.js';
import {bodyReader, RawClient, type Smb2Message} from '../helpers/raw-client.js';
import {close, closeBody, create, createBody, RELATED_FILE_ID, setInfo, write} from '../helpers/raw-ops.js';
import {startSmbServer, type SmbServer} from '../helpers/smb-server.js';
import {ensureTestAccount} from '../helpers/test-account.js';

const USER = 'ksmbdoplock';
const PASS = 'Oplock-pw1';
const UNSOLICITED = 0xffffffffffffffffn;

let server: SmbServer;
const clients: RawClient[] = [];
let n = 0;

async function client(share = 'share'): Promise<RawClient> {
  const c = await RawClient.connect({port: server.port});
  clients.push(c);
  return c.setup({user: USER, password: PASS, share});
}

function levelOf(m: Smb2Message): number {
  return decodeCreateResponse(bodyReader(m)).oplockLevel;
}

async function openWith(c: RawClient, name: string, level: number): Promise<{fileId: FileId; level: number}> {
  const r = await create(c, name, {requestedOplockLevel: level});
  expect(r.msg.status).toBe(NtStatus.SUCCESS);
  return {fileId: r.fileId!, level: levelOf(r.msg)};
}

/** The next message must be an oplock break notification (3.3.4.6 header fields). */
async function breakNotification(c: RawClient, timeoutMs = 3000): Promise<OplockBreak> {
  // One that arrived while the client waited for a response is kept among the unmatched messages.
  const i = c.unmatched.findIndex((u) => u.header.messageId === UNSOLICITED);
  const m = i >= 0 ? c.unmatched.splice(i, 1)[0]! : await c.recv(timeoutMs);
  expect(m.header.command).toBe(Command.OPLOCK_BREAK);
  expect(m.header.messageId).toBe(UNSOLICITED);
  expect(m.header.sessionId).toBe(0n);
  expect(m.header.treeId).toBe(0);
  expect(m.header.flags & HeaderFlags.SERVER_TO_REDIR).not.toBe(0);
  expect(m.header.flags & HeaderFlags.SIGNED).toBe(0);
  return decodeOplockBreakAck(bodyReader(m)) as OplockBreak;
}

function ack(c: RawClient, fileId: FileId, oplockLevel: number): Promise<Smb2Message> {
  return c.request(Command.OPLOCK_BREAK, (w) => encodeOplockBreak(w, {oplockLevel, fileId}));
}

/** Send a CREATE and take its interim STATUS_PENDING response. */
async function pendingCreate(c: RawClient, name: string, level: number = OplockLevel.NONE): Promise<bigint> {
  const id = c.send(Command.CREATE, createBody(name, {requestedOplockLevel: level}));
  const interim = await c.recv();
  expect(interim.header.messageId).toBe(id);
  expect(interim.status).toBe(NtStatus.PENDING);
  expect(interim.header.flags & HeaderFlags.ASYNC_COMMAND).not.toBe(0);
  return id;
}

beforeAll(async () => {
  ensureTestAccount(USER);
  server = await startSmbServer({
    users: {[USER]: PASS},
    global: {'oplock break timeout': '2'},
    shares: {share: {'read only': 'no'}, plain: {'read only': 'no', oplocks: 'no'}},
  });
});

afterEach(async () => {
  for (const c of clients.splice(0)) await c.close();
});

afterAll(async () => {
  await server?.stop();
});

describe('oplocks', () => {
  it('grants BATCH to the only open, breaks it for a second client and lets that CREATE wait for the acknowledgment', async () => {
    const name = `batch${n++}.txt`;
    const [a, b] = [await client(), await client()];
    const h = await openWith(a, name, OplockLevel.BATCH);
    expect(h.level).toBe(OplockLevel.BATCH);
    const id = await pendingCreate(b, name, OplockLevel.II);
    const brk = await breakNotification(a);
    expect(brk.oplockLevel).toBe(OplockLevel.II);
    expect(brk.fileId).toEqual(h.fileId);
    // Nothing for B until A answers.
    await expect(b.recv(300)).rejects.toThrow();
    const r = await ack(a, h.fileId, OplockLevel.II);
    expect(r.status).toBe(NtStatus.SUCCESS);
    expect((decodeOplockBreakAck(bodyReader(r)) as OplockBreak).oplockLevel).toBe(OplockLevel.II);
    const final = await b.response(id);
    expect(final.status).toBe(NtStatus.SUCCESS);
    expect(levelOf(final)).toBe(OplockLevel.II);
    // A second acknowledgment finds no break outstanding.
    expect((await ack(a, h.fileId, OplockLevel.NONE)).status).toBe(NtStatus.INVALID_DEVICE_STATE);
  });

  it('LEVEL_II holders are broken to NONE by another client\'s WRITE, without an acknowledgment', async () => {
    const name = `level2-${n++}.txt`;
    const [a, b] = [await client(), await client()];
    const ha = await openWith(a, name, OplockLevel.II);
    expect(ha.level).toBe(OplockLevel.II);
    const hb = await openWith(b, name, OplockLevel.II);
    expect(hb.level).toBe(OplockLevel.II);
    expect((await write(b, hb.fileId, 0n, Buffer.from('hello'))).status).toBe(NtStatus.SUCCESS);
    const brk = await breakNotification(a);
    expect(brk.oplockLevel).toBe(OplockLevel.NONE);
    expect(brk.fileId).toEqual(ha.fileId);
    // The writer's own LEVEL_II goes too (MS-FSA 2.1.4.12).
    const own = await breakNotification(b);
    expect(own.oplockLevel).toBe(OplockLevel.NONE);
    expect(own.fileId).toEqual(hb.fileId);
    // No acknowledgment was wanted: one that comes is a protocol error, and then there is nothing to acknowledge.
    expect((await ack(a, ha.fileId, OplockLevel.NONE)).status).toBe(NtStatus.INVALID_OPLOCK_PROTOCOL);
    expect((await ack(a, ha.fileId, OplockLevel.NONE)).status).toBe(NtStatus.INVALID_DEVICE_STATE);
  });

  it('a size change through another open breaks LEVEL_II to NONE too', async () => {
    const name = `eof${n++}.txt`;
    const [a, b] = [await client(), await client()];
    const ha = await openWith(a, name, OplockLevel.II);
    const hb = await openWith(b, name, OplockLevel.NONE);
    const eof = Buffer.alloc(8);
    eof.writeBigUInt64LE(100n);
    expect((await setInfo(b, hb.fileId, FileInfoClass.FileEndOfFileInformation, eof)).status).toBe(NtStatus.SUCCESS);
    const brk = await breakNotification(a);
    expect(brk.oplockLevel).toBe(OplockLevel.NONE);
    expect(brk.fileId).toEqual(ha.fileId);
  });

  it('a close of the holder releases the waiting CREATE, which may then get BATCH itself', async () => {
    const name = `close${n++}.txt`;
    const [a, b] = [await client(), await client()];
    const h = await openWith(a, name, OplockLevel.EXCLUSIVE);
    expect(h.level).toBe(OplockLevel.EXCLUSIVE);
    const id = await pendingCreate(b, name, OplockLevel.BATCH);
    expect((await breakNotification(a)).oplockLevel).toBe(OplockLevel.II);
    expect((await close(a, h.fileId)).status).toBe(NtStatus.SUCCESS);
    const final = await b.response(id);
    expect(final.status).toBe(NtStatus.SUCCESS);
    expect(levelOf(final)).toBe(OplockLevel.BATCH);
  });

  it('a holder that never answers loses its oplock after the break timeout', async () => {
    const name = `timeout${n++}.txt`;
    const [a, b] = [await client(), await client()];
    const h = await openWith(a, name, OplockLevel.BATCH);
    const t0 = Date.now();
    const id = await pendingCreate(b, name);
    await breakNotification(a);
    const final = await b.response(id, 10_000);
    expect(final.status).toBe(NtStatus.SUCCESS);
    expect(Date.now() - t0).toBeGreaterThanOrEqual(1500);
    expect((await ack(a, h.fileId, OplockLevel.II)).status).toBe(NtStatus.INVALID_DEVICE_STATE);
  });

  it('the waiting CREATE can be cancelled', async () => {
    const name = `cancel${n++}.txt`;
    const [a, b] = [await client(), await client()];
    await openWith(a, name, OplockLevel.BATCH);
    const id = await pendingCreate(b, name);
    await breakNotification(a);
    b.send(Command.CANCEL, (w) => encodeCancelRequest(w), {messageId: id});
    expect((await b.response(id)).status).toBe(NtStatus.CANCELLED);
  });

  it('an acknowledgment asking for more than the notification allowed is refused', async () => {
    const name = `proto${n++}.txt`;
    const [a, b] = [await client(), await client()];
    const h = await openWith(a, name, OplockLevel.BATCH);
    const id = await pendingCreate(b, name);
    await breakNotification(a);
    expect((await ack(a, h.fileId, OplockLevel.BATCH)).status).toBe(NtStatus.INVALID_OPLOCK_PROTOCOL);
    expect((await b.response(id)).status).toBe(NtStatus.SUCCESS);
  });

  it('a CREATE with related requests after it in a compound waits in place, and the chain goes on after the break', async () => {
    const name = `compound${n++}.txt`;
    const [a, b] = [await client(), await client()];
    const h = await openWith(a, name, OplockLevel.BATCH);
    const [cid, xid] = b.sendCompound(
      [
        {command: Command.CREATE, body: createBody(name)},
        {command: Command.CLOSE, body: closeBody(RELATED_FILE_ID)},
      ],
      {related: true},
    );
    expect((await breakNotification(a)).oplockLevel).toBe(OplockLevel.II);
    expect((await ack(a, h.fileId, OplockLevel.II)).status).toBe(NtStatus.SUCCESS);
    expect((await b.response(cid!)).status).toBe(NtStatus.SUCCESS);
    expect((await b.response(xid!)).status).toBe(NtStatus.SUCCESS);
  });

  it('an open for attributes only breaks nothing', async () => {
    const name = `stat${n++}.txt`;
    const [a, b] = [await client(), await client()];
    const h = await openWith(a, name, OplockLevel.BATCH);
    const r = await create(b, name, {desiredAccess: Access.FILE_READ_ATTRIBUTES | Access.SYNCHRONIZE});
    expect(r.msg.status).toBe(NtStatus.SUCCESS);
    await expect(a.recv(300)).rejects.toThrow();
    expect((await ack(a, h.fileId, OplockLevel.II)).status).toBe(NtStatus.INVALID_DEVICE_STATE);
  });

  it('a share with `oplocks = no` grants nothing', async () => {
    const a = await client('plain');
    expect((await openWith(a, `none${n++}.txt`, OplockLevel.BATCH)).level).toBe(OplockLevel.NONE);
  });

  it('directories get no oplock', async () => {
    const a = await client();
    const r = await create(a, `dir${n++}`, {requestedOplockLevel: OplockLevel.BATCH, createOptions: 1, createDisposition: 2});
    expect(r.msg.status).toBe(NtStatus.SUCCESS);
    expect(levelOf(r.msg)).toBe(OplockLevel.NONE);
  });
});
