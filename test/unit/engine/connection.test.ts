// A Connection on a real socket pair with a test dispatch table: async interim/final responses and CANCEL
// (MS-SMB2 3.3.4.2, 3.3.5.16), compound error propagation and alignment (3.3.5.2.7), credit grants.
import {createServer, connect, type Server, type Socket} from 'node:net';
import {afterEach, beforeEach, describe, expect, it} from 'vitest';
import {emptyConf} from '../../../src/config/conf-file.js';
import {interpretConf} from '../../../src/config/load.js';
import {Waiter} from '../../../src/engine/async.js';
import {Connection} from '../../../src/engine/connection.js';
import {reply, type ServerContext} from '../../../src/engine/context.js';
import {POLICY, type CommandPolicy} from '../../../src/engine/dispatch.js';
import {FrameParser, frameHeader} from '../../../src/engine/framing.js';
import {readSettings} from '../../../src/engine/settings.js';
import type {IpcServices} from '../../../src/ipc/types.js';
import {Logger} from '../../../src/log/logger.js';
import {Command, Dialect, HeaderFlags} from '../../../src/smb2/constants.js';
import {decodeHeader, encodeHeader, makeHeader, type Smb2Header} from '../../../src/smb2/header.js';
import {encodeEchoResponse} from '../../../src/smb2/messages/echo.js';
import {encodeNegotiateRequest} from '../../../src/smb2/messages/negotiate.js';
import {NtStatus} from '../../../src/smb2/ntstatus.js';
import {Registry} from '../../../src/state/registry.js';
import {Reader} from '../../../src/wire/reader.js';
import {Writer} from '../../../src/wire/writer.js';

const services = {treeDisconnect() {}, logout() {}} as unknown as IpcServices;
let waiter: Waiter | undefined;
const table: (CommandPolicy | undefined)[] = [...POLICY];
// ECHO that waits until settled or cancelled: the shape CHANGE_NOTIFY and blocking LOCK will have.
table[Command.ECHO] = {
  ...POLICY[Command.ECHO]!,
  handler: () => {
    waiter = new Waiter();
    return waiter.pending();
  },
};

let server: Server;
let client: Socket;
const frames: Buffer[] = [];
const waiting: ((b: Buffer) => void)[] = [];
let mid = 0n;

function recv(): Promise<Buffer> {
  const f = frames.shift();
  return f ? Promise.resolve(f) : new Promise((r) => waiting.push(r));
}

function msg(command: number, extra: Partial<Smb2Header> = {}, body?: (w: Writer) => void): Buffer {
  const w = new Writer();
  encodeHeader(w, makeHeader({command, messageId: mid++, credits: 4, ...extra}));
  if (body) body(w);
  else w.u16(4).u16(0);
  return w.finishCopy();
}

function send(...messages: Buffer[]): void {
  // Chain them as a compound: pad to 8 and link NextCommand.
  const parts: Buffer[] = [];
  messages.forEach((m, i) => {
    if (i < messages.length - 1) {
      const padded = Buffer.alloc(m.length + ((8 - (m.length % 8)) % 8));
      m.copy(padded);
      padded.writeUInt32LE(padded.length, 20);
      parts.push(padded);
    } else parts.push(m);
  });
  const all = Buffer.concat(parts);
  client.write(Buffer.concat([frameHeader(all.length), all]));
}

beforeEach(async () => {
  const log = new Logger();
  const ctx: ServerContext = {
    settings: readSettings(interpretConf(emptyConf()), [1, 2, 3]),
    services,
    log,
    registry: new Registry(services, log),
    startTime: 0n,
    logonFailureDelayMs: 0,
    policy: table,
  };
  server = createServer((s) => new Connection(ctx, s, () => undefined));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
  const port = (server.address() as {port: number}).port;
  client = connect(port, '127.0.0.1');
  const parser = new FrameParser(1 << 24);
  client.on('data', (d: Buffer) => {
    for (const f of parser.push(d)) {
      const w = waiting.shift();
      if (w) w(f);
      else frames.push(f);
    }
  });
  await new Promise((r) => client.once('connect', r));
  mid = 0n;
  send(
    msg(Command.NEGOTIATE, {}, (w) =>
      encodeNegotiateRequest(w, {securityMode: 1, capabilities: 0, clientGuid: Buffer.alloc(16), dialects: [Dialect.SMB2_1], negotiateContexts: [], clientStartTime: 0n}),
    ),
  );
  const neg = decodeHeader(new Reader(await recv()));
  expect(neg.status).toBe(0);
  expect(neg.credits).toBe(4);
});

afterEach(async () => {
  client.destroy();
  await new Promise((r) => server.close(r));
  frames.length = 0;
});

describe('Connection', () => {
  it('sends STATUS_PENDING with an AsyncId and credits, then the final response', async () => {
    send(msg(Command.ECHO));
    const interim = decodeHeader(new Reader(await recv()));
    expect(interim.status).toBe(NtStatus.PENDING);
    expect(interim.flags & HeaderFlags.ASYNC_COMMAND).toBe(HeaderFlags.ASYNC_COMMAND);
    expect(interim.asyncId).not.toBe(0n);
    expect(interim.credits).toBe(4);
    waiter!.settle(reply(encodeEchoResponse, undefined));
    const final = decodeHeader(new Reader(await recv()));
    expect(final).toMatchObject({status: 0, messageId: interim.messageId, asyncId: interim.asyncId, credits: 0});
  });

  it('CANCEL by AsyncId finishes the request with STATUS_CANCELLED (and has no response itself)', async () => {
    send(msg(Command.ECHO));
    const interim = decodeHeader(new Reader(await recv()));
    // CANCEL takes no sequence number: reuse the target's MessageId as clients do.
    const w = new Writer();
    encodeHeader(w, makeHeader({command: Command.CANCEL, messageId: interim.messageId, flags: HeaderFlags.ASYNC_COMMAND, asyncId: interim.asyncId}));
    w.u16(4).u16(0);
    send(w.finishCopy());
    const final = decodeHeader(new Reader(await recv()));
    expect(final).toMatchObject({status: NtStatus.CANCELLED, messageId: interim.messageId, asyncId: interim.asyncId});
    expect(frames.length).toBe(0);
  });

  it('a related request after one that named no session has none to inherit, in one aligned response chain', async () => {
    const first = msg(Command.TREE_DISCONNECT, {sessionId: 77n}); // no such session: STATUS_USER_SESSION_DELETED
    const second = msg(Command.LOGOFF, {flags: HeaderFlags.RELATED_OPERATIONS});
    send(first, second);
    const f = await recv();
    const h1 = decodeHeader(new Reader(f));
    expect(h1.status).toBe(NtStatus.USER_SESSION_DELETED);
    expect(h1.nextCommand % 8).toBe(0);
    const h2 = decodeHeader(new Reader(f, h1.nextCommand));
    // What Windows and Samba answer (smbtorture smb2.compound.invalid2): STATUS_INVALID_PARAMETER.
    expect(h2.status).toBe(NtStatus.INVALID_PARAMETER);
    expect(h2.flags & HeaderFlags.RELATED_OPERATIONS).toBe(HeaderFlags.RELATED_OPERATIONS);
    expect(h2.nextCommand).toBe(0);
  });

  it('drops the connection on an unknown command, with no response', async () => {
    send(msg(0x42));
    await new Promise((r) => client.once('close', r));
    expect(frames.length).toBe(0);
  });

  it('drops the connection on a MessageId reused', async () => {
    mid = 0n;
    send(msg(Command.LOGOFF));
    await new Promise((r) => client.once('close', r));
    expect(client.destroyed).toBe(true);
  });
});
