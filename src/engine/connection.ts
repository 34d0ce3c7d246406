/**
 * One client connection: Direct TCP framing, the credit window, decryption and encryption, compound
 * chains, signing of responses, async finals, idle (deadtime) drop, and the socket itself. Handlers never
 * touch the socket (DESIGN habit 3); only send() writes, with cork/uncork so a frame leaves in one go.
 *
 * Frames are taken in arrival order, and everything that depends on order happens in that order and
 * synchronously: decryption, the sequence window, header decoding, session and tree lookup, signature
 * checks (dispatch() runs up to the handler's first await before the next frame is looked at). What
 * comes after, the handler's file I/O, may overlap for lone requests that do not depend on order (READ,
 * WRITE, FLUSH, QUERY_INFO, IOCTL, ECHO, one QUERY_DIRECTORY at a time) on a disk share: their responses go
 * out as they complete (each SMB2 response stands alone). Everything else (NEGOTIATE, SESSION_SETUP,
 * LOGOFF, trees, CREATE, CLOSE, LOCK, SET_INFO, CANCEL, CHANGE_NOTIFY, compounds, named pipes) first waits
 * for the requests in flight to finish and holds the queue until it is done, as before. A request that
 * may wait goes async (src/engine/async.ts) instead of holding the queue.
 */
import type {Socket} from 'node:net';
import {OffloadedGcm} from '../crypto/gcm-offload.js';
import {cipherIsCcm, decryptMessage, DecryptError, sealMessage, sealMessageParts} from '../crypto/seal.js';
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
import {EarlyDecrypts, ReadBuffers} from './receive.js';
import {ReadPayloadPool} from './read-pool.js';
import {handleSmb1Negotiate} from './handlers/negotiate.js';
import {CONCURRENT, CONCURRENT_DIR, MAX_INFLIGHT, MAX_INFLIGHT_BYTES, requestBytes, requestKind, SERIAL} from './scheduling.js';

/** Frames waiting to be processed before we stop reading the socket (backpressure on a flooding client). */
const QUEUE_HIGH = 64;
const QUEUE_LOW = 16;
/** The same in bytes (8 MiB WRITEs: a few frames are plenty). */
const QUEUE_HIGH_BYTES = 64 * 1024 * 1024;
const QUEUE_LOW_BYTES = 16 * 1024 * 1024;


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
  #queuedBytes = 0;
  #pumping = false;
  /** Requests started by #handleFrame and not finished, and the payload bytes they account for. */
  #inflight = 0;
  #inflightBytes = 0;
  #dirInflight = 0;
  /** The pump waiting for #inflight / #inflightBytes to fall to these bounds (#waitInflight). */
  #wake: (() => void) | undefined;
  #wakeCount = 0;
  #wakeBytes = 0;
  /** Reusable READ payload buffers (read-pool.ts). */
  readonly #readPool = new ReadPayloadPool();
  #paused = false;
  #idleTimer: NodeJS.Timeout | undefined;
  /** AES-GCM decryption begun while large TRANSFORM frames arrive (receive.ts), for #decrypt to finish. */
  readonly #early = new EarlyDecrypts();
  readonly #keyFor = (id: bigint) => {
    const s = this.negotiated && this.dialect >= Dialect.SMB3_0 ? this.server.registry.session(id) : undefined;
    return s && s.owner === this && s.state !== 'expired' && s.decryptionKey ? {session: s, key: s.decryptionKey, cipherId: s.cipherId} : undefined;
  };

  constructor(
    readonly server: ServerContext,
    readonly socket: Socket,
    private readonly onClose: (c: Connection) => void,
  ) {
    this.peer = socket.remoteAddress ?? 'unknown';
    this.credits = new CreditWindow(server.settings.maxCredits);
    this.#parser = new FrameParser(frameCap(server.settings));
    socket.setNoDelay(true);
    const reads = new ReadBuffers(this.#parser, (chunk, n) => this.#onData(chunk, n));
    if (!reads.attach(socket)) socket.on('data', (chunk: Buffer) => this.#onData(chunk, chunk.length));
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

  /** A buffer for `n` bytes of READ payload, to be sent as Reply.tail (pooled when large: read-pool.ts). */
  readBuffer(n: number): Buffer {
    return this.#readPool.take(n, this.maxReadSize);
  }

  /** Idle: the spare READ payload buffers go. */
  releaseSpareBuffers(): void {
    this.#readPool.releaseSpare();
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

  /** `n` bytes arrived: `chunk`, or (undefined) read straight into the parser's target(). */
  #onData(chunk: Buffer | undefined, n: number): void {
    if (this.closed) return;
    this.bytesIn += n;
    this.lastActivity = Date.now();
    const before = this.#queue.length;
    try {
      if (chunk) this.#parser.push(chunk, this.#queue);
      else this.#parser.advance(n, this.#queue);
    } catch (e) {
      this.drop((e as Error).message);
      return;
    }
    for (let i = before; i < this.#queue.length; i++) this.#queuedBytes += this.#queue[i]!.length;
    try {
      this.#early.update(this.#parser.assembling(), this.#keyFor);
    } catch (e) {
      // Nothing here throws on bad input (#decrypt judges the message); anything else must not escape a socket callback.
      this.#fail(e);
      return;
    }
    if ((this.#queue.length >= QUEUE_HIGH || this.#queuedBytes >= QUEUE_HIGH_BYTES) && !this.#paused) {
      this.#paused = true;
      this.socket.pause();
    }
    if (!this.#pumping && this.#queue.length > 0) void this.#pump();
  }

  #maybeResume(): void {
    if (
      this.#paused &&
      this.#queue.length <= QUEUE_LOW &&
      this.#queuedBytes <= QUEUE_LOW_BYTES &&
      !this.socket.writableNeedDrain &&
      !this.closed
    ) {
      this.#paused = false;
      this.socket.resume();
    }
  }

  async #pump(): Promise<void> {
    this.#pumping = true;
    try {
      while (this.#queue.length > 0 && !this.closed) {
        const frame = this.#queue.shift()!;
        this.#queuedBytes -= frame.length;
        try {
          await this.#handleFrame(frame);
        } catch (e) {
          this.#fail(e);
        }
        this.#maybeResume();
      }
    } finally {
      this.#pumping = false;
    }
  }

  #fail(e: unknown): void {
    if (e instanceof ConnectionError) this.drop(e.message);
    else if (e instanceof MalformedPacket) this.drop(`malformed header: ${e.message}`);
    else if (e instanceof DecryptError) this.drop(`decryption failed: ${e.message}`);
    else {
      this.server.log.error(`${this.peer}: unexpected failure: ${(e as Error)?.stack ?? String(e)}`);
      this.drop('internal error');
    }
  }

  /**
   * Resolves once at most `count` requests holding at most `bytes` are in flight. Only the pump waits,
   * and only one wait is open at a time.
   */
  #waitInflight(count: number, bytes: number): Promise<void> {
    if (this.#inflight <= count && this.#inflightBytes <= bytes) return Promise.resolve();
    this.#wakeCount = count;
    this.#wakeBytes = bytes;
    return new Promise((resolve) => (this.#wake = resolve));
  }

  /**
   * One request that may overlap others: started by #handleFrame, which does not wait for it. The part of
   * #processChain before the handler's first await runs right now, in arrival order.
   */
  async #runConcurrent(buf: Buffer, encSession: Session | undefined, kind: number, bytes: number, recycle: Buffer | undefined): Promise<void> {
    try {
      await this.#processChain(buf, encSession);
      // A WRITE keeps no reference to its frame once answered (it never goes async): the parser may reuse it.
      if (recycle) this.#parser.release(recycle);
    } catch (e) {
      this.#fail(e);
    } finally {
      this.#inflight--;
      this.#inflightBytes -= bytes;
      if (kind === CONCURRENT_DIR) this.#dirInflight--;
      const wake = this.#wake;
      if (wake && this.#inflight <= this.#wakeCount && this.#inflightBytes <= this.#wakeBytes) {
        this.#wake = undefined;
        wake();
      }
      this.#maybeResume();
    }
  }

  async #handleFrame(frame: Buffer): Promise<void> {
    let buf: Buffer;
    let encSession: Session | undefined;
    switch (sniffProtocol(frame)) {
      case 'smb2':
        buf = frame;
        break;
      case 'transform':
        [buf, encSession] = await this.#decrypt(frame);
        // Unless it was decrypted in place, the plaintext is a buffer of its own: the frame can be reused.
        if (buf.buffer !== frame.buffer) this.#parser.release(frame);
        break;
      case 'smb1':
        // MS-SMB2 3.3.5.3: only an SMB1 NEGOTIATE, only as the first message, is answered (in SMB2).
        if (this.dialect !== 0) throw new ConnectionError('SMB1 message after negotiation');
        if (!this.credits.consume(0n, 1)) throw new ConnectionError('SMB1 NEGOTIATE outside the sequence window');
        return this.#sendPlain(handleSmb1Negotiate(this, frame));
      default:
        // Compressed messages were never negotiated; anything else is not SMB2.
        throw new ConnectionError('message is neither SMB2 nor an SMB2 TRANSFORM');
    }
    const kind = requestKind(this, buf);
    if (kind === SERIAL) {
      // Whatever may touch session, tree or open state waits for the requests in flight, then runs alone.
      if (this.#inflight > 0) await this.#waitInflight(0, 0);
      if (this.closed) return;
      return this.#processChain(buf, encSession);
    }
    const bytes = requestBytes(buf);
    if (kind === CONCURRENT_DIR && this.#dirInflight > 0) await this.#waitInflight(0, 0);
    else if (this.#inflight >= MAX_INFLIGHT || this.#inflightBytes + bytes > MAX_INFLIGHT_BYTES) {
      await this.#waitInflight(MAX_INFLIGHT - 1, MAX_INFLIGHT_BYTES - bytes);
    }
    if (this.closed) return;
    this.#inflight++;
    this.#inflightBytes += bytes;
    if (kind === CONCURRENT_DIR) this.#dirInflight++;
    const recycle = buf.buffer === frame.buffer && buf.readUInt16LE(12) === Command.WRITE ? frame : undefined;
    void this.#runConcurrent(buf, encSession, kind, bytes, recycle);
  }

  /** 3.3.5.2.1.1: find the session, check and decrypt; every failure disconnects. */
  async #decrypt(frame: Buffer): Promise<[Buffer, Session]> {
    const early = this.#early.take(frame);
    if (!this.negotiated || this.dialect < Dialect.SMB3_0) throw new ConnectionError('TRANSFORM before an SMB3 dialect');
    const t = decodeTransformHeader(new Reader(frame));
    const s = this.server.registry.session(t.header.sessionId);
    if (!s || s.owner !== this || !s.decryptionKey || s.state === 'expired') {
      throw new ConnectionError('TRANSFORM for a session without encryption keys');
    }
    if (early) {
      // Begun while it arrived: only with this session's key can it be finished.
      if (early.session !== s || early.key !== s.decryptionKey) {
        if (early.g instanceof OffloadedGcm) early.g.drop();
        throw new ConnectionError('TRANSFORM for a session without encryption keys');
      }
      if (!(early.g instanceof OffloadedGcm)) return [early.g.finish(), s];
      const plain = await early.g.finish();
      if (!plain) throw new DecryptError('AES-GCM authentication failed');
      return [plain, s];
    }
    // The frame is ours (assembled by the parser or a view of a socket chunk nothing else reads).
    const plain = decryptMessage(s.decryptionKey, s.cipherId, frame, true);
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
        this.#writeResponse(out, ctx, result, 0n, i === parts.length - 1);
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
      // READ data: kept as its own buffer (no copy; signed and sealed in place beside the rest) unless the
      // preauth hash covers it.
      if (tailMayStaySeparate && ctx.hashResponseInto === undefined) out.tail = rep.tail;
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
    if (tail && encSession?.encryptionKey && encSession.nonces) {
      const {encryptionKey: key, cipherId, id} = encSession;
      const joined = cipherIsCcm(cipherId) ? this.#readPool.joinInPlace(message, tail) : undefined;
      const parts = joined ? sealMessage(key, cipherId, id, joined, encSession.nonces.next()) : sealMessageParts(key, cipherId, id, message, tail, encSession.nonces.next());
      let n = 0;
      for (const p of parts) n += p.length;
      s.write(frameHeader(n));
      for (const p of parts) s.write(p);
      this.bytesOut += 4 + n;
      this.#readPool.recycle(tail); // sealing copied it
    } else if (tail) {
      // Header and body (signed over both when signed), then the payload straight from its own buffer.
      s.write(frameHeader(message.length + tail.length));
      s.write(message);
      if (this.#readPool.owns(tail)) {
        this.#readPool.sending(tail);
        s.write(tail, this.#readPool.written);
      } else s.write(tail);
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
    this.#early.clear();
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
