// The dispatch table's policy and its enforcement: handlers never see a request the policy refuses.
import {describe, expect, it} from 'vitest';
import {dispatch, POLICY, type CommandPolicy} from '../../../src/engine/dispatch.js';
import {newChainState} from '../../../src/engine/compound.js';
import {errorReply, reply, type RequestContext, type ServerContext} from '../../../src/engine/context.js';
import {ConnectionError} from '../../../src/engine/errors.js';
import type {Connection} from '../../../src/engine/connection.js';
import {MessageSigner, SIGNING_HMAC_SHA256} from '../../../src/crypto/sign.js';
import type {IpcServices} from '../../../src/ipc/types.js';
import {Logger} from '../../../src/log/logger.js';
import {Command, HeaderFlags} from '../../../src/smb2/constants.js';
import {encodeHeader, makeHeader, type Smb2Header} from '../../../src/smb2/header.js';
import {NtStatus, NtStatusError} from '../../../src/smb2/ntstatus.js';
import {Registry} from '../../../src/state/registry.js';
import type {Session} from '../../../src/state/session.js';
import {MalformedPacket} from '../../../src/wire/errors.js';
import {Reader} from '../../../src/wire/reader.js';
import {Writer} from '../../../src/wire/writer.js';

const services = {treeDisconnect() {}, logout() {}} as unknown as IpcServices;

function world() {
  const log = new Logger();
  const registry = new Registry(services, log);
  const conn = {negotiated: true, supportsMultiCredit: true, peer: 'test', drop() {}, forget() {}} as unknown as Connection;
  const server = {registry, log, settings: {}, services} as unknown as ServerContext;
  return {log, registry, conn, server};
}

type World = ReturnType<typeof world>;

function validSession(w: World, signingRequired = false, encryptData = false): Session {
  const s = w.registry.newSession('test', 0x0210, w.conn)!;
  s.state = 'valid';
  s.signer = new MessageSigner(SIGNING_HMAC_SHA256, Buffer.alloc(16, 9));
  s.signingRequired = signingRequired;
  s.encryptData = encryptData;
  return s;
}

function request(w: World, h: Partial<Smb2Header> & {command: number}, opts: {encrypted?: boolean; sign?: Session} = {}) {
  const wr = new Writer();
  encodeHeader(wr, makeHeader(h));
  wr.u16(4).u16(0).zeros(64);
  const message = wr.finishCopy();
  if (opts.sign) opts.sign.signer!.sign(message);
  const header = {...makeHeader(h), flags: message.readUInt32LE(16)};
  const ctx: RequestContext = {
    conn: w.conn,
    server: w.server,
    header,
    message,
    encrypted: opts.encrypted ?? false,
    related: false,
    session: undefined,
    tree: undefined,
    chain: newChainState(),
    responseSessionId: h.sessionId ?? 0n,
    responseTreeId: h.treeId ?? 0,
    signWith: undefined,
    hashResponseInto: undefined,
  };
  return {ctx, body: new Reader(message, 64)};
}

const encodeNothing = () => undefined;
let ran = 0;
const ok: CommandPolicy['handler'] = () => {
  ran++;
  return reply(encodeNothing, undefined);
};

function table(over: Partial<CommandPolicy>): (CommandPolicy | undefined)[] {
  const t: (CommandPolicy | undefined)[] = [];
  t[Command.ECHO] = {
    name: 'TEST',
    handler: ok,
    needsSession: true,
    needsTree: false,
    allowUnsigned: false,
    allowUnencrypted: false,
    fileIdOffset: undefined,
    payload: undefined,
    ...over,
  };
  return t;
}

async function status(p: Promise<unknown>): Promise<number> {
  const r = (await p) as {status: number};
  return r.status;
}

describe('the policy table', () => {
  it('has an entry for every SMB2 command 0x0000-0x0012', () => {
    for (let c = 0; c <= 0x12; c++) expect(POLICY[c], `command ${c}`).toBeDefined();
    expect(POLICY[0x13]).toBeUndefined();
  });

  it('lets only NEGOTIATE, SESSION_SETUP and CANCEL through without a session, signing or encryption', () => {
    for (const c of [Command.NEGOTIATE, Command.SESSION_SETUP, Command.CANCEL]) {
      expect(POLICY[c]).toMatchObject({needsSession: false, allowUnsigned: true, allowUnencrypted: true});
    }
    for (let c = 0; c <= 0x12; c++) {
      if (c === Command.NEGOTIATE || c === Command.SESSION_SETUP || c === Command.CANCEL) continue;
      expect(POLICY[c]!.allowUnencrypted, POLICY[c]!.name).toBe(false);
    }
  });

  it('names a tree for every command that works on files, and the FileId offset of those that carry one', () => {
    const onTree = [Command.CREATE, Command.CLOSE, Command.FLUSH, Command.READ, Command.WRITE, Command.LOCK, Command.IOCTL,
      Command.QUERY_DIRECTORY, Command.CHANGE_NOTIFY, Command.QUERY_INFO, Command.SET_INFO, Command.TREE_DISCONNECT];
    for (const c of onTree) expect(POLICY[c]!.needsTree, POLICY[c]!.name).toBe(true);
    // Offsets from the start of the body, as 2.2.x lays the requests out.
    expect(POLICY[Command.CLOSE]!.fileIdOffset).toBe(8);
    expect(POLICY[Command.READ]!.fileIdOffset).toBe(16);
    expect(POLICY[Command.WRITE]!.fileIdOffset).toBe(16);
    expect(POLICY[Command.QUERY_INFO]!.fileIdOffset).toBe(24);
    expect(POLICY[Command.QUERY_DIRECTORY]!.fileIdOffset).toBe(8);
    expect(POLICY[Command.IOCTL]!.fileIdOffset).toBe(8);
    expect(POLICY[Command.CREATE]!.fileIdOffset).toBeUndefined();
    expect(POLICY[Command.CANCEL]!.noResponse).toBe(true);
  });
});

describe('dispatch enforces the policy', () => {
  it('drops the connection for an unknown command, without a response (3.3.5.2.6)', async () => {
    const w = world();
    for (const command of [0x13 + 1, 0x42, 0xffff]) {
      const {ctx, body} = request(w, {command});
      await expect(dispatch(ctx, body)).rejects.toBeInstanceOf(ConnectionError);
    }
  });

  it('drops the connection for anything but NEGOTIATE before negotiation', async () => {
    const w = world();
    (w.conn as {negotiated: boolean}).negotiated = false;
    const {ctx, body} = request(w, {command: Command.ECHO});
    await expect(dispatch(ctx, body, table({needsSession: false}))).rejects.toBeInstanceOf(ConnectionError);
  });

  it('needs a valid session', async () => {
    const w = world();
    const t = table({});
    expect(await status(dispatch(...args(request(w, {command: Command.ECHO, sessionId: 0n})), t))).toBe(NtStatus.USER_SESSION_DELETED);
    expect(await status(dispatch(...args(request(w, {command: Command.ECHO, sessionId: 99n})), t))).toBe(NtStatus.USER_SESSION_DELETED);
    const s = w.registry.newSession('test', 0x0210, w.conn)!; // still in progress
    expect(await status(dispatch(...args(request(w, {command: Command.ECHO, sessionId: s.id})), t))).toBe(NtStatus.USER_SESSION_DELETED);
    s.state = 'valid';
    ran = 0;
    expect(await status(dispatch(...args(request(w, {command: Command.ECHO, sessionId: s.id})), t))).toBe(0);
    expect(ran).toBe(1);
  });

  it('refuses an unsigned request on a session that requires signing, unless the policy allows it', async () => {
    const w = world();
    const s = validSession(w, true);
    ran = 0;
    expect(await status(dispatch(...args(request(w, {command: Command.ECHO, sessionId: s.id})), table({})))).toBe(NtStatus.ACCESS_DENIED);
    expect(ran).toBe(0);
    expect(await status(dispatch(...args(request(w, {command: Command.ECHO, sessionId: s.id})), table({allowUnsigned: true})))).toBe(0);
    expect(await status(dispatch(...args(request(w, {command: Command.ECHO, sessionId: s.id}, {sign: s})), table({})))).toBe(0);
    // Encrypted requests need no signature.
    expect(await status(dispatch(...args(request(w, {command: Command.ECHO, sessionId: s.id}, {encrypted: true})), table({})))).toBe(0);
  });

  it('drops the connection on a signature that does not verify', async () => {
    const w = world();
    const s = validSession(w);
    const r = request(w, {command: Command.ECHO, sessionId: s.id}, {sign: s});
    r.ctx.message[50]! ^= 0xff;
    await expect(dispatch(r.ctx, r.body, table({}))).rejects.toBeInstanceOf(ConnectionError);
    const flipped = request(w, {command: Command.ECHO, sessionId: s.id, flags: HeaderFlags.SIGNED});
    await expect(dispatch(flipped.ctx, flipped.body, table({}))).rejects.toBeInstanceOf(ConnectionError);
  });

  it('refuses an unencrypted request where the session requires encryption', async () => {
    const w = world();
    const s = validSession(w, false, true);
    ran = 0;
    expect(await status(dispatch(...args(request(w, {command: Command.ECHO, sessionId: s.id})), table({})))).toBe(NtStatus.ACCESS_DENIED);
    expect(ran).toBe(0);
    expect(await status(dispatch(...args(request(w, {command: Command.ECHO, sessionId: s.id}, {encrypted: true})), table({})))).toBe(0);
    expect(await status(dispatch(...args(request(w, {command: Command.ECHO, sessionId: s.id})), table({allowUnencrypted: true})))).toBe(0);
  });

  it('needs a tree of that session when the policy says so', async () => {
    const w = world();
    const s = validSession(w);
    expect(await status(dispatch(...args(request(w, {command: Command.ECHO, sessionId: s.id, treeId: 5})), table({needsTree: true})))).toBe(
      NtStatus.NETWORK_NAME_DELETED,
    );
  });

  it('checks the CreditCharge against the payload', async () => {
    const w = world();
    const s = validSession(w);
    const t = table({payload: () => 200_000});
    expect(await status(dispatch(...args(request(w, {command: Command.ECHO, sessionId: s.id, creditCharge: 3})), t))).toBe(NtStatus.INVALID_PARAMETER);
    expect(await status(dispatch(...args(request(w, {command: Command.ECHO, sessionId: s.id, creditCharge: 4})), t))).toBe(0);
  });

  it('maps handler failures: NtStatusError, MalformedPacket, anything else', async () => {
    const w = world();
    const s = validSession(w);
    const run = (handler: CommandPolicy['handler']) => status(dispatch(...args(request(w, {command: Command.ECHO, sessionId: s.id})), table({handler})));
    expect(
      await run(() => {
        throw new NtStatusError(NtStatus.ACCESS_DENIED);
      }),
    ).toBe(NtStatus.ACCESS_DENIED);
    expect(
      await run(() => {
        throw new MalformedPacket('bad body');
      }),
    ).toBe(NtStatus.INVALID_PARAMETER);
    expect(
      await run(async () => {
        throw new TypeError('a bug');
      }),
    ).toBe(NtStatus.INTERNAL_ERROR);
    expect(await run(() => errorReply(NtStatus.NO_MORE_FILES))).toBe(NtStatus.NO_MORE_FILES);
  });
});

function args(r: {ctx: RequestContext; body: Reader}): [RequestContext, Reader] {
  return [r.ctx, r.body];
}
