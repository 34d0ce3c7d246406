/**
 * One client connection: Direct TCP framing, the credit window, decryption and encryption, compound
 * chains, signing of responses, async finals, idle (deadtime) drop, and the socket itself. Handlers never
 * touch the socket (DESIGN habit 3); only send() writes, with cork/uncork so a frame leaves in one go.
 *
 * Frames are processed one at a time in arrival order: the sequence window, the 3.1.1 preauth chain and
 * session setup all depend on order. A request that may wait goes async (src/engine/async.ts) instead of
 * holding the queue.
 */
import type {Socket} from 'node:net';
import {decryptMessage, DecryptError, sealMessage} from '../crypto/seal.js';
import {preauthUpdate} from '../crypto/preauth.js';
import {Command, Dialect, HeaderFlags} from '../smb2/constants.js';
import {decodeHeader, decodeTransformHeader, encodeHeader, sniffProtocol, type Smb2Header} from '../smb2/header.js';
import {NtStatus, isNtError} from '../smb2/ntstatus.js';
import type {Session, SessionOwner} from '../state/session.js';
import {MalformedPacket} from '../wire/errors.js';
import {Reader} from '../wire/reader.js';
import {AsyncTable, type PendingOp} from './async.js';
import {newChainState, ResponseChain, splitCompound, type ChainState} from './compound.js';
import {errorReply, type Reply, type RequestContext, type ServerContext} from './context.js';
import {CreditWindow} from './credits.js';
import {dispatch, POLICY} from './dispatch.js';
import {ConnectionError} from './errors.js';
import {frameCap} from './settings.js';
import {FrameParser, frameHeader} from './framing.js';
import {handleSmb1Negotiate} from './handlers/negotiate.js';

/** Frames waiting to be processed before we stop reading the socket (backpressure on a flooding client). */
const QUEUE_HIGH = 64;
const QUEUE_LOW = 16;

export class Connection implements SessionOwner {
  readonly peer: string;
  readonly async = new AsyncTable();
  readonly credits: CreditWindow;
  readonly sessions = new Set<Session>();
  /** 0 until NEGOTIATE; Dialect.WILDCARD after an SMB1 negotiate answered with 0x02FF. */
  dialect = 0;
  clientGuid: Buffer = Buffer.alloc(16);
  clientCapabilities = 0;
  clientSecurityMode = 0;
  clientDialects: number[] = [];
  serverCapabilities = 0;
  serverSecurityMode = 0;
  /** 3.1.1 negotiated cipher (0 = none); 3.0/3.0.2 use AES-128-CCM when the client has CAP_ENCRYPTION. */
  cipherId = 0;
  /** 3.1.1 negotiated signing algorithm, undefined when the client sent no signing context. */
  signingAlgorithm: number | undefined;
  preauthHash: Buffer | undefined;
  maxTransactSize = 65536;
  maxReadSize = 65536;
  maxWriteSize = 65536;
  bytesIn = 0;
  bytesOut = 0;
  lastActivity = Date.now();
  closed = false;

  readonly #parser: FrameParser;
  readonly #queue: Buffer[] = [];
  #pumping = false;
  #paused = false;
  #idleTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly server: ServerContext,
    readonly socket: Socket,
    private readonly onClose: (c: Connection) => void,
  ) {
    this.peer = socket.remoteAddress ?? 'unknown';
    this.credits = new CreditWindow(server.settings.maxCredits);
    this.#parser = new FrameParser(frameCap(server.settings));
    socket.setNoDelay(true);
    socket.on('data', (chunk: Buffer) => this.#onData(chunk));
    socket.on('error', (e) => server.log.debug('conn', `${this.peer}: socket error: ${e.message}`));
    socket.on('close', () => void this.#teardown());
    socket.on('drain', () => this.#maybeResume());
    const dt = server.settings.deadtimeMs;
    if (dt > 0) {
      this.#idleTimer = setInterval(() => this.#checkIdle(dt), Math.min(dt, 60_000));
      this.#idleTimer.unref();
    }
  }

  /** A dialect is in force (SMB1 wildcard answers do not count: the client must negotiate again). */
  get negotiated(): boolean {
    return this.dialect !== 0 && this.dialect !== Dialect.WILDCARD;
  }

  /** 2.1 and later carry CreditCharge (3.3.5.4 Connection.SupportsMultiCredit with LARGE_MTU). */
  get supportsMultiCredit(): boolean {
    return this.negotiated && this.dialect >= Dialect.SMB2_1;
  }

  /** SessionOwner: drop this connection (killSession, fatal protocol errors). */
  drop(reason: string): void {
    if (this.closed) return;
    this.server.log.debug('conn', `${this.peer}: dropping connection: ${reason}`);
    this.closed = true;
    this.socket.destroy();
  }

  forget(s: Session): void {
    this.sessions.delete(s);
  }

  #checkIdle(deadtimeMs: number): void {
    if (this.closed) return;
    let opens = 0;
    for (const s of this.sessions) for (const t of s.trees.values()) opens += t.opens.size;
    if (opens === 0 && this.async.size === 0 && Date.now() - this.lastActivity >= deadtimeMs) this.drop('deadtime reached');
  }

  #onData(chunk: Buffer): void {
    if (this.closed) return;
    this.bytesIn += chunk.length;
    this.lastActivity = Date.now();
    try {
      this.#parser.push(chunk, this.#queue);
    } catch (e) {
      this.drop((e as Error).message);
      return;
    }
    if (this.#queue.length >= QUEUE_HIGH && !this.#paused) {
      this.#paused = true;
      this.socket.pause();
    }
    if (!this.#pumping && this.#queue.length > 0) void this.#pump();
  }

  #maybeResume(): void {
    if (this.#paused && this.#queue.length <= QUEUE_LOW && !this.socket.writableNeedDrain && !this.closed) {
      this.#paused = false;
      this.socket.resume();
    }
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (this.#queue.length > 0 && !this.closed) {
        const frame = this.#queue.shift()!;
        try {
          await this.#handleFrame(frame);
        } catch (e) {
          if (e instanceof ConnectionError) this.drop(e.message);
          else if (e instanceof MalformedPacket) this.drop(`malformed header: ${e.message}`);
          else if (e instanceof DecryptError) this.drop(`decryption failed: ${e.message}`);
          else {
            this.server.log.error(`${this.peer}: unexpected failure: ${(e as Error)?.stack ?? String(e)}`);
            this.drop('internal error');
          }
        }
        this.#maybeResume();
      }
    } finally {
      this.#pumping = false;
    }
  }

  async #handleFrame(frame: Buffer): Promise<void> {
    switch (sniffProtocol(frame)) {
      case 'smb2':
        return this.#processChain(frame, undefined);
      case 'transform':
        return this.#processChain(...this.#decrypt(frame));
      case 'smb1':
        // MS-SMB2 3.3.5.3: only an SMB1 NEGOTIATE, only as the first message, is answered (in SMB2).
        if (this.dialect !== 0) throw new ConnectionError('SMB1 message after negotiation');
        if (!this.credits.consume(0n, 1)) throw new ConnectionError('SMB1 NEGOTIATE outside the sequence window');
        return this.#sendPlain(handleSmb1Negotiate(this, frame));
      default:
        // Compressed messages were never negotiated; anything else is not SMB2.
        throw new ConnectionError('message is neither SMB2 nor an SMB2 TRANSFORM');
    }
  }

  /** 3.3.5.2.1.1: find the session, check and decrypt; every failure disconnects. */
  #decrypt(frame: Buffer): [Buffer, Session] {
    if (!this.negotiated || this.dialect < Dialect.SMB3_0) throw new ConnectionError('TRANSFORM before an SMB3 dialect');
    const t = decodeTransformHeader(new Reader(frame));
    const s = this.server.registry.session(t.header.sessionId);
    if (!s || s.owner !== this || !s.decryptionKey || s.state === 'expired') {
      throw new ConnectionError('TRANSFORM for a session without encryption keys');
    }
    const plain = decryptMessage(s.decryptionKey, s.cipherId, frame);
    return [plain, s];
  }

  async #processChain(buf: Buffer, encSession: Session | undefined): Promise<void> {
    const parts = splitCompound(buf);
    const chain = newChainState();
    const out = new ResponseChain(1024);
    // Finals of requests that went async are sent only after the chain carrying their interim response.
    let finals: [RequestContext, Promise<Reply>, PendingOp][] | undefined;
    for (let i = 0; i < parts.length; i++) {
      const part = parts[i]!;
      const r = new Reader(buf, part.start, part.end);
      const h = decodeHeader(r); // MalformedPacket here drops the connection (README error table)
      if ((h.flags & HeaderFlags.SERVER_TO_REDIR) !== 0) throw new ConnectionError('a response sent to the server');
      if (encSession && h.sessionId !== encSession.id && !(i > 0 && (h.flags & HeaderFlags.RELATED_OPERATIONS) !== 0)) {
        // 3.3.5.2.1.1: the decrypted message must belong to the session whose key decrypted it.
        throw new ConnectionError('encrypted message names another session');
      }
      const table = this.server.policy ?? POLICY;
      const policy = table[h.command];
      if (policy?.noResponse) {
        await this.#runNoResponse(h, buf.subarray(part.start, part.end), r, encSession !== undefined, chain);
        continue;
      }
      const charge = this.supportsMultiCredit ? Math.max(h.creditCharge, 1) : 1;
      if (!this.credits.consume(h.messageId, charge)) {
        const [lo, hi] = this.credits.bounds;
        throw new ConnectionError(`MessageId ${h.messageId} (charge ${charge}) outside the window [${lo}, ${hi})`);
      }
      const related = i > 0 && (h.flags & HeaderFlags.RELATED_OPERATIONS) !== 0;
      const ctx = this.#context(h, buf.subarray(part.start, part.end), encSession !== undefined, related, chain);
      let result;
      if (i === 0 && (h.flags & HeaderFlags.RELATED_OPERATIONS) !== 0) {
        // 3.3.5.2.7.2: the first request of a chain cannot be related to anything.
        result = errorReply(NtStatus.INVALID_PARAMETER);
      } else if (related && !chain.sessionValid) {
        // 3.3.5.2.7.2: a related request takes the previous request's session; when that one named no valid
        // session there is none to take (Windows and Samba answer STATUS_INVALID_PARAMETER).
        ctx.responseSessionId = chain.sessionId;
        ctx.responseTreeId = chain.treeId;
        result = errorReply(NtStatus.INVALID_PARAMETER);
      } else if (related && isNtError(chain.status)) {
        // 3.3.5.2.7.2: a related request after a failed one fails the same way.
        ctx.responseSessionId = chain.sessionId;
        ctx.responseTreeId = chain.treeId;
        result = errorReply(chain.status);
      } else {
        result = await dispatch(ctx, r, table);
      }
      if (result === undefined) continue;
      let status: number;
      if (result.kind === 'pending') {
        const op = this.async.add(h.messageId, ctx.responseSessionId, h.command, result.cancel);
        this.#writeResponse(out, ctx, errorReply(NtStatus.PENDING), op.asyncId);
        (finals ??= []).push([ctx, result.final, op]);
        status = NtStatus.PENDING;
      } else {
        this.#writeResponse(out, ctx, result, 0n, i === parts.length - 1 && encSession === undefined);
        status = result.status;
      }
      chain.status = status;
      chain.sessionId = ctx.session?.id ?? ctx.responseSessionId;
      // Related requests inherit only a session that was found (or set up) by the one before.
      if (!related) chain.sessionValid = ctx.session !== undefined || ctx.header.command === Command.NEGOTIATE || ctx.header.command === Command.SESSION_SETUP;
      chain.treeId = ctx.tree?.id ?? ctx.responseTreeId;
    }
    if (out.count > 0) this.#send(out.finish(), encSession, out.tail);
    if (finals) for (const [ctx, final, op] of finals) void this.#finishAsync(ctx, final, op, encSession);
  }

  #context(h: Smb2Header, message: Buffer, encrypted: boolean, related: boolean, chain: ChainState): RequestContext {
    return {
      conn: this,
      server: this.server,
      header: h,
      message,
      encrypted,
      related,
      session: undefined,
      tree: undefined,
      chain,
      responseSessionId: h.sessionId,
      responseTreeId: h.treeId,
      signWith: undefined,
      hashResponseInto: undefined,
    };
  }

  async #runNoResponse(h: Smb2Header, message: Buffer, r: Reader, encrypted: boolean, chain: ChainState): Promise<void> {
    const ctx = this.#context(h, message, encrypted, false, chain);
    await dispatch(ctx, r, this.server.policy ?? POLICY);
  }

  /** Header and body of one response into the chain; signing is decided here and done at finish(). */
  #writeResponse(out: ResponseChain, ctx: RequestContext, rep: Reply, asyncId: bigint, tailMayStaySeparate = false): void {
    const h = ctx.header;
    const pending = rep.status === NtStatus.PENDING;
    const start = out.begin();
    const w = out.w;
    let flags = HeaderFlags.SERVER_TO_REDIR;
    if (ctx.related) flags |= HeaderFlags.RELATED_OPERATIONS;
    if (asyncId !== 0n) flags |= HeaderFlags.ASYNC_COMMAND;
    // Credits are granted once per request: in the interim response when there is one (3.3.4.2).
    const credits = this.credits.grant(h.credits);
    encodeHeader(w, {
      creditCharge: h.creditCharge,
      status: rep.status,
      command: h.command,
      credits,
      flags,
      nextCommand: 0,
      messageId: h.messageId,
      asyncId,
      processId: h.processId,
      treeId: ctx.responseTreeId,
      sessionId: ctx.responseSessionId,
      signature: ZERO_SIGNATURE,
    });
    rep.encode(w, rep.value);
    const signer = pending ? undefined : this.#signerFor(ctx);
    if (rep.tail) {
      // READ data: kept as its own buffer (no copy) unless a signature or the preauth hash covers it.
      if (tailMayStaySeparate && !signer && ctx.hashResponseInto === undefined) out.tail = rep.tail;
      else w.bytes(rep.tail);
    }
    if (ctx.hashResponseInto !== undefined) this.#hashResponse(ctx, w.view(start, w.length));
    out.end(start, signer);
  }

  /** Which key signs this response (3.3.4.1.1), or undefined. Encrypted responses are never signed. */
  #signerFor(ctx: RequestContext) {
    if (ctx.encrypted) return undefined;
    if (ctx.signWith) return ctx.signWith.signer;
    const s = ctx.session;
    if (!s?.signer || s.state !== 'valid') return undefined;
    if ((ctx.header.flags & HeaderFlags.SIGNED) !== 0 || s.signingRequired) return s.signer;
    return undefined;
  }

  #hashResponse(ctx: RequestContext, bytes: Buffer): void {
    const into = ctx.hashResponseInto;
    if (into === 'connection') {
      if (this.preauthHash) this.preauthHash = preauthUpdate(this.preauthHash, bytes);
    } else if (into?.preauthHash) into.preauthHash = preauthUpdate(into.preauthHash, bytes);
  }

  async #finishAsync(ctx: RequestContext, final: Promise<Reply>, op: PendingOp, encSession: Session | undefined): Promise<void> {
    let rep: Reply;
    try {
      rep = await final;
    } catch (e) {
      this.server.log.error(`async ${ctx.header.command} failed unexpectedly: ${(e as Error)?.stack ?? String(e)}`);
      rep = errorReply(NtStatus.INTERNAL_ERROR);
    }
    this.async.remove(op);
    if (this.closed) return;
    const out = new ResponseChain(256);
    const start = out.begin();
    const h = ctx.header;
    encodeHeader(out.w, {
      creditCharge: h.creditCharge,
      status: rep.status,
      command: h.command,
      credits: 0,
      flags: HeaderFlags.SERVER_TO_REDIR | HeaderFlags.ASYNC_COMMAND,
      nextCommand: 0,
      messageId: h.messageId,
      asyncId: op.asyncId,
      processId: 0,
      treeId: 0,
      sessionId: ctx.responseSessionId,
      signature: ZERO_SIGNATURE,
    });
    rep.encode(out.w, rep.value);
    if (rep.tail) out.w.bytes(rep.tail);
    out.end(start, ctx.session?.alive ? this.#signerFor(ctx) : undefined);
    this.#send(out.finish(), encSession?.alive ? encSession : undefined);
  }

  /**
   * An unsolicited message built elsewhere (an oplock break notification, MessageId 0xFFFFFFFFFFFFFFFF):
   * never signed; sealed for `encryptFor` when given. Nothing is sent once the connection is closed.
   */
  notify(message: Buffer, encryptFor?: Session): void {
    this.#send(message, encryptFor?.alive ? encryptFor : undefined);
  }

  /** The SMB2 answer to an SMB1 NEGOTIATE: a lone response, never encrypted or signed. */
  #sendPlain(message: Buffer): void {
    this.#send(message, undefined);
  }

  #send(message: Buffer, encSession: Session | undefined, tail?: Buffer): void {
    if (this.closed) return;
    const s = this.socket;
    s.cork();
    if (tail) {
      // Unsigned, unsealed: header and body, then the payload straight from its own buffer.
      s.write(frameHeader(message.length + tail.length));
      s.write(message);
      s.write(tail);
      this.bytesOut += 4 + message.length + tail.length;
    } else if (encSession?.encryptionKey && encSession.nonces) {
      const [th, ct] = sealMessage(encSession.encryptionKey, encSession.cipherId, encSession.id, message, encSession.nonces.next());
      s.write(frameHeader(th.length + ct.length));
      s.write(th);
      s.write(ct);
      this.bytesOut += 4 + th.length + ct.length;
    } else {
      s.write(frameHeader(message.length));
      s.write(message);
      this.bytesOut += 4 + message.length;
    }
    s.uncork();
    if (s.writableNeedDrain && !this.#paused) {
      // The client is not reading: stop reading its requests until it drains our responses.
      this.#paused = true;
      s.pause();
    }
  }

  async #teardown(): Promise<void> {
    if (this.#idleTimer) clearInterval(this.#idleTimer);
    this.closed = true;
    this.async.cancelAll();
    const sessions = [...this.sessions];
    this.sessions.clear();
    for (const s of sessions) await this.server.registry.endSession(s);
    this.onClose(this);
  }
}

const ZERO_SIGNATURE = Buffer.alloc(16);

/** Message ids of the chain requests that never get a response (CANCEL): exported for tests. */
export const NO_RESPONSE_COMMANDS: readonly number[] = [Command.CANCEL];
