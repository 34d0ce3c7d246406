// A raw-frame SMB2/SMB3 test client (DESIGN habit 10) built on the project's own codecs and crypto.
//
// It speaks the protocol politely when asked (negotiate 2.0.2 .. 3.1.1 with contexts, NTLMv2 over SPNEGO,
// signing with HMAC-SHA256 / AES-CMAC / AES-GMAC, encryption with the four ciphers, tree connect and a few
// file operations) and lets a test break any of it on the way out:
//   mutate(msg)     the plaintext SMB2 message (header + body) before it is signed: change StructureSize,
//                   offsets, lengths, CreditCharge, MessageId, ... and the signature still verifies;
//   afterSign(msg)  the message after signing (a tampered signature, a flipped byte);
//   transform(tf)   the TRANSFORM message after encryption (tag, SessionId, OriginalMessageSize, Flags);
//   frameLength / firstByte / noNetbios    the 4-byte Direct TCP header, or none at all.
// Every hook may return a different-length Buffer (truncate, extend). Answers are read with a timeout and a
// closed connection is reported as such (Outcome 'closed'), because dropping the connection is the answer
// MS-SMB2 3.3.5.2 asks for in many malformed cases.
import {randomBytes} from 'node:crypto';
import {sequence, oid} from '../../src/auth/asn1.js';
import {
  NTLMSSP_NEGOTIATE_128,
  NTLMSSP_NEGOTIATE_56,
  NTLMSSP_NEGOTIATE_ALWAYS_SIGN,
  NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY,
  NTLMSSP_NEGOTIATE_KEY_EXCH,
  NTLMSSP_NEGOTIATE_NTLM,
  NTLMSSP_NEGOTIATE_SEAL,
  NTLMSSP_NEGOTIATE_SIGN,
  NTLMSSP_NEGOTIATE_TARGET_INFO,
  NTLMSSP_NEGOTIATE_UNICODE,
  NTLMSSP_NEGOTIATE_VERSION,
  NTLMSSP_REQUEST_TARGET,
  AvId,
  decodeChallenge,
  encodeNegotiate,
  findAv,
} from '../../src/auth/ntlmssp.js';
import {OID_NTLMSSP, decodeSpnegoToken, encodeNegTokenInit, encodeNegTokenResp} from '../../src/auth/spnego.js';
import {deriveSmb3Keys, smbSessionKey} from '../../src/crypto/kdf.js';
import {ntHash} from '../../src/crypto/nt-hash.js';
import {ntlmGssGetMic, ntlmSealKey, ntlmSignKey} from '../../src/crypto/ntlm.js';
import {PREAUTH_HASH_SHA512, preauthInitial, preauthUpdate} from '../../src/crypto/preauth.js';
import {Rc4} from '../../src/crypto/rc4.js';
import {NonceSequence, decryptMessage, encryptMessage, isTransformMessage} from '../../src/crypto/seal.js';
import {MessageSigner, signingAlgorithmFor, type SigningAlgorithm} from '../../src/crypto/sign.js';
import {
  Capabilities,
  Cipher,
  Command,
  Dialect,
  HeaderFlags,
  SecurityMode,
  SessionFlags,
  ShareFlags,
  SigningAlgorithm as SigningAlg,
} from '../../src/smb2/constants.js';
import {contextsOf, type NegotiateContext} from '../../src/smb2/contexts/negotiate-contexts.js';
import {decodeHeader, encodeHeader, makeHeader, sniffProtocol} from '../../src/smb2/header.js';
import {decodeNegotiateResponse, encodeNegotiateRequest, type NegotiateResponse} from '../../src/smb2/messages/negotiate.js';
import {decodeSessionSetupResponse, encodeSessionSetupRequest} from '../../src/smb2/messages/session-setup.js';
import {decodeTreeConnectResponse, encodeTreeConnectRequest} from '../../src/smb2/messages/tree-connect.js';
import {NtStatus, ntStatusName} from '../../src/smb2/ntstatus.js';
import {filetimeFromDate} from '../../src/wire/filetime.js';
import {Reader} from '../../src/wire/reader.js';
import {Writer} from '../../src/wire/writer.js';
import {clientAuthenticateWithKey} from './ntlm-client.js';
import {HDR, TF, UnexpectedFrameError, bodyReader, outcomeOf, type Outcome, type Smb2Message} from './raw-outcome.js';
import {RawTransport} from './raw-transport.js';

export {ConnectionClosedError, RecvTimeoutError, netbiosHeader} from './raw-transport.js';
export * from './raw-outcome.js';

export const ALL_DIALECTS = [Dialect.SMB2_0_2, Dialect.SMB2_1, Dialect.SMB3_0, Dialect.SMB3_0_2, Dialect.SMB3_1_1];

export type Body = Buffer | ((w: Writer) => void);
export type Hook = (b: Buffer) => Buffer | void;

export interface SendOptions {
  messageId?: bigint;
  creditCharge?: number;
  /** CreditRequest. */
  credits?: number;
  /** Flags to set (ORed with what the client sets itself). */
  flags?: number;
  sessionId?: bigint;
  treeId?: number;
  /** Status / ChannelSequence field. */
  status?: number;
  /** Sign this message (default: when the session signs and the message is not encrypted). */
  sign?: boolean;
  /** Encrypt this message (default: when the session or tree encrypts). */
  encrypt?: boolean;
  mutate?: Hook;
  afterSign?: Hook;
  transform?: Hook;
  /** Override the 24-bit length of the Direct TCP header. */
  frameLength?: number;
  /** Override the first byte of the Direct TCP header (MUST be zero). */
  firstByte?: number;
  /** Send without any Direct TCP header. */
  noNetbios?: boolean;
}

export interface NegotiateOptions {
  dialects?: number[];
  ciphers?: number[];
  signingAlgorithms?: number[];
  securityMode?: number;
  capabilities?: number;
  clientGuid?: Buffer;
  /** Replace the 3.1.1 context list entirely. */
  contexts?: NegotiateContext[];
  /** Added after the default 3.1.1 contexts. */
  extraContexts?: NegotiateContext[];
}

export interface LoginOptions {
  user: string;
  password: string;
  domain?: string;
  /** Sign requests after the session is set up (default true: 3.1.1 requires signed tree connects). */
  sign?: boolean;
  /** Encrypt requests (default: when the server sets SMB2_SESSION_FLAG_ENCRYPT_DATA). */
  encrypt?: boolean;
  /** SESSION_SETUP SecurityMode (default SIGNING_ENABLED; SIGNING_REQUIRED makes Session.SigningRequired true). */
  securityMode?: number;
}

/** The first SESSION_SETUP token: SPNEGO NegTokenInit offering NTLMSSP with an NTLM NEGOTIATE inside. */
export function ntlmNegotiateToken(): Buffer {
  return encodeNegTokenInit({mechTypes: [OID_NTLMSSP], mechToken: encodeNegotiate(NTLM_FLAGS)});
}

export interface Session {
  id: bigint;
  flags: number;
  sessionKey: Buffer;
  signer?: MessageSigner;
  c2sKey?: Buffer;
  s2cKey?: Buffer;
  sign: boolean;
  encrypt: boolean;
}

export interface RawClientOptions {
  port: number;
  host?: string;
  localAddress?: string;
  /** Default receive timeout, ms. */
  timeoutMs?: number;
}

const NTLM_FLAGS =
  NTLMSSP_NEGOTIATE_UNICODE |
  NTLMSSP_REQUEST_TARGET |
  NTLMSSP_NEGOTIATE_SIGN |
  NTLMSSP_NEGOTIATE_SEAL |
  NTLMSSP_NEGOTIATE_NTLM |
  NTLMSSP_NEGOTIATE_ALWAYS_SIGN |
  NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |
  NTLMSSP_NEGOTIATE_TARGET_INFO |
  NTLMSSP_NEGOTIATE_VERSION |
  NTLMSSP_NEGOTIATE_128 |
  NTLMSSP_NEGOTIATE_KEY_EXCH |
  NTLMSSP_NEGOTIATE_56;

export class RawClient {
  readonly t: RawTransport;
  readonly host: string;
  timeoutMs: number;
  nextMessageId = 0n;
  /** Credits granted and not yet spent, as the client counts them. */
  credits = 1;
  dialect = 0;
  negotiateResponse: NegotiateResponse | undefined;
  cipherId = 0;
  signingAlgorithm: SigningAlgorithm | undefined;
  /** Connection.PreauthIntegrityHashValue (3.1.1). */
  preauth: Buffer = preauthInitial();
  session: Session | undefined;
  readonly sessions = new Map<bigint, Session>();
  treeId = 0;
  treeEncrypt = false;
  /** The last plaintext message(s) sent, as they went out before encryption. */
  lastSent: Buffer = Buffer.alloc(0);
  /** Responses that arrived while waiting for another MessageId. */
  readonly unmatched: Smb2Message[] = [];
  readonly #queue: Smb2Message[] = [];
  #nonces: NonceSequence | undefined;

  private constructor(t: RawTransport, host: string, timeoutMs: number) {
    this.t = t;
    this.host = host;
    this.timeoutMs = timeoutMs;
  }

  static async connect(o: RawClientOptions): Promise<RawClient> {
    const host = o.host ?? '127.0.0.1';
    return new RawClient(await RawTransport.connect({host, port: o.port, localAddress: o.localAddress}), host, o.timeoutMs ?? 5000);
  }

  get closed(): boolean {
    return this.t.closed;
  }

  close(): Promise<void> {
    return this.t.close();
  }

  /** Bytes exactly as given: no framing, no header. */
  sendBytes(bytes: Uint8Array): void {
    this.t.write(bytes);
  }

  /** One Direct TCP frame around `payload`. */
  sendFrame(payload: Uint8Array, o: {length?: number; firstByte?: number} = {}): void {
    this.t.writeFrame(payload, o);
  }

  get multiCredit(): boolean {
    return this.dialect >= Dialect.SMB2_1 && ((this.negotiateResponse?.capabilities ?? 0) & Capabilities.LARGE_MTU) !== 0;
  }

  /** Build one plaintext message with the client's defaults for the header. Does not send. */
  build(command: number, body: Body, o: SendOptions = {}): Buffer {
    const charge = o.creditCharge ?? (this.multiCredit ? 1 : 0);
    let messageId = o.messageId;
    if (messageId === undefined) {
      messageId = this.nextMessageId;
      if (command !== Command.CANCEL) this.nextMessageId += BigInt(Math.max(1, charge));
    }
    this.credits -= Math.max(1, charge);
    const w = new Writer(256);
    encodeHeader(
      w,
      makeHeader({
        command,
        creditCharge: charge,
        credits: o.credits ?? 64,
        flags: o.flags ?? 0,
        messageId,
        status: o.status ?? 0,
        sessionId: o.sessionId ?? this.session?.id ?? 0n,
        treeId: o.treeId ?? this.treeId,
      }),
    );
    if (typeof body === 'function') body(w);
    else w.bytes(body);
    return w.finishCopy();
  }

  #wantsEncrypt(o: SendOptions): boolean {
    return o.encrypt ?? ((this.session?.encrypt ?? false) || this.treeEncrypt);
  }

  /** Sign `msg` in place with the current session's key. */
  signInPlace(msg: Buffer, session = this.session): void {
    if (!session?.signer) throw new Error('no signing key: log in first');
    session.signer.sign(msg);
  }

  /** Wrap a plaintext message (or chain) in a TRANSFORM_HEADER for the current session. */
  seal(plain: Buffer, session = this.session): Buffer {
    if (!session?.c2sKey) throw new Error('no encryption key: log in on SMB 3.x first');
    this.#nonces ??= new NonceSequence(this.cipherId);
    return encryptMessage(session.c2sKey, this.cipherId, session.id, plain, this.#nonces.next());
  }

  /** Turn a built message into what goes on the wire (sign, seal, hooks) and send it. */
  #finish(plain: Buffer, o: SendOptions, signEach: boolean): void {
    let msg: Buffer = plain;
    const encrypt = this.#wantsEncrypt(o);
    // A message cut shorter than a header (a test's doing) cannot be signed; it goes out as it is.
    if (signEach && !encrypt && msg.length >= HDR.body && (o.sign ?? this.session?.sign ?? false) && this.session?.signer) this.signInPlace(msg);
    msg = o.afterSign?.(msg) ?? msg;
    this.lastSent = msg;
    let out = encrypt ? this.seal(msg) : msg;
    out = o.transform?.(out) ?? out;
    if (o.noNetbios) this.t.write(out);
    else this.t.writeFrame(out, {length: o.frameLength, firstByte: o.firstByte});
  }

  /** Send one request; returns its MessageId. */
  send(command: number, body: Body, o: SendOptions = {}): bigint {
    let msg: Buffer = this.build(command, body, o);
    msg = o.mutate?.(msg) ?? msg;
    const id = msg.length >= 32 ? msg.readBigUInt64LE(HDR.messageId) : -1n;
    this.#finish(msg, o, true);
    return id;
  }

  /**
   * Send a compound chain (3.2.4.1.4): each message 8-byte aligned, NextCommand set, RELATED on all but the
   * first when `related`. Item hooks run per message before signing; `o.mutate` runs on the whole chain
   * after signing (so it can break alignment or NextCommand without the client re-signing).
   */
  sendCompound(items: {command: number; body: Body; o?: SendOptions}[], o: SendOptions & {related?: boolean} = {}): bigint[] {
    const encrypt = this.#wantsEncrypt(o);
    const parts: Buffer[] = [];
    const ids: bigint[] = [];
    items.forEach((it, i) => {
      const flags = (it.o?.flags ?? 0) | (o.related && i > 0 ? HeaderFlags.RELATED_OPERATIONS : 0);
      let msg: Buffer = this.build(it.command, it.body, {...it.o, flags});
      const last = i === items.length - 1;
      if (!last) {
        const pad = (8 - (msg.length % 8)) % 8;
        msg = Buffer.concat([msg, Buffer.alloc(pad)]);
        msg.writeUInt32LE(msg.length, HDR.nextCommand);
      }
      msg = it.o?.mutate?.(msg) ?? msg;
      ids.push(msg.readBigUInt64LE(HDR.messageId));
      if (!encrypt && (o.sign ?? this.session?.sign ?? false) && this.session?.signer) this.signInPlace(msg);
      parts.push(msg);
    });
    let chain: Buffer = Buffer.concat(parts);
    chain = o.mutate?.(chain) ?? chain;
    this.#finish(chain, {...o, mutate: undefined}, false);
    return ids;
  }

  /** Cut a received frame into messages, decrypting a TRANSFORM first. */
  #parse(frame: Buffer): Smb2Message[] {
    let plain = frame;
    let encrypted = false;
    if (isTransformMessage(frame)) {
      const sid = frame.readBigUInt64LE(TF.sessionId);
      const s = this.sessions.get(sid);
      if (!s?.s2cKey) throw new Error(`encrypted response for unknown session 0x${sid.toString(16)}`);
      plain = decryptMessage(s.s2cKey, this.cipherId, frame);
      encrypted = true;
    }
    const proto = plain.length < 64 && sniffProtocol(plain) === 'smb2' ? 'short-smb2' : sniffProtocol(plain);
    if (proto !== 'smb2') throw new UnexpectedFrameError(proto, plain);
    const out: Smb2Message[] = [];
    let off = 0;
    for (;;) {
      const header = decodeHeader(new Reader(plain, off));
      const end = header.nextCommand !== 0 ? Math.min(off + header.nextCommand, plain.length) : plain.length;
      const raw = plain.subarray(off, end);
      const m: Smb2Message = {raw, header, status: header.status, encrypted};
      if (!encrypted && (header.flags & HeaderFlags.SIGNED) !== 0) {
        const s = this.sessions.get(header.sessionId);
        if (s?.signer) m.signatureOk = s.signer.verify(raw);
      }
      this.credits += header.credits;
      out.push(m);
      if (header.nextCommand === 0 || end >= plain.length) break;
      off = end;
    }
    return out;
  }

  /** The next message from the server (any MessageId). */
  async recv(timeoutMs = this.timeoutMs): Promise<Smb2Message> {
    const q = this.#queue.shift();
    if (q) return q;
    const frame = await this.t.nextFrame(timeoutMs);
    this.#queue.push(...this.#parse(frame));
    return this.#queue.shift()!;
  }

  /** The final response to `messageId`, skipping interim STATUS_PENDING replies (3.3.4.2). */
  async response(messageId: bigint, timeoutMs = this.timeoutMs): Promise<Smb2Message> {
    const i = this.unmatched.findIndex((m) => m.header.messageId === messageId);
    if (i >= 0) return this.unmatched.splice(i, 1)[0]!;
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const m = await this.recv(Math.max(1, deadline - Date.now()));
      const interim = m.status === NtStatus.PENDING && (m.header.flags & HeaderFlags.ASYNC_COMMAND) !== 0;
      if (m.header.messageId === messageId && !interim) return m;
      if (!interim) this.unmatched.push(m);
    }
  }

  /** Send and wait for the answer; throws ConnectionClosedError / RecvTimeoutError. */
  async request(command: number, body: Body, o: SendOptions = {}): Promise<Smb2Message> {
    return this.response(this.send(command, body, o));
  }

  /** Send and report what happened: a status, a closed connection, or silence. */
  attempt(command: number, body: Body, o: SendOptions = {}): Promise<Outcome> {
    return outcomeOf(this.request(command, body, o));
  }

  /** Wait for any answer to something already sent, as an Outcome. */
  next(timeoutMs = this.timeoutMs): Promise<Outcome> {
    return outcomeOf(this.recv(timeoutMs));
  }

  // ---- NEGOTIATE ----

  negotiateBody(o: NegotiateOptions = {}): Body {
    const dialects = o.dialects ?? ALL_DIALECTS;
    const contexts = o.contexts ?? [
      {kind: 'preauth', hashAlgorithms: [PREAUTH_HASH_SHA512], salt: randomBytes(32)},
      {kind: 'encryption', ciphers: o.ciphers ?? [Cipher.AES_128_GCM, Cipher.AES_128_CCM, Cipher.AES_256_GCM, Cipher.AES_256_CCM]},
      {kind: 'signing', signingAlgorithms: o.signingAlgorithms ?? [SigningAlg.AES_GMAC, SigningAlg.AES_CMAC, SigningAlg.HMAC_SHA256]},
      ...(o.extraContexts ?? []),
    ];
    return (w) =>
      encodeNegotiateRequest(w, {
        securityMode: o.securityMode ?? SecurityMode.SIGNING_ENABLED,
        capabilities: o.capabilities ?? Capabilities.DFS | Capabilities.LARGE_MTU | Capabilities.LEASING | Capabilities.ENCRYPTION,
        clientGuid: o.clientGuid ?? randomBytes(16),
        dialects,
        negotiateContexts: dialects.includes(Dialect.SMB3_1_1) ? contexts : [],
        clientStartTime: 0n,
      });
  }

  /** NEGOTIATE; records the dialect, cipher, signing algorithm and (3.1.1) the preauth hash. */
  async negotiate(o: NegotiateOptions = {}, send: SendOptions = {}): Promise<Smb2Message> {
    const id = this.send(Command.NEGOTIATE, this.negotiateBody(o), {creditCharge: 0, credits: 31, ...send});
    const req = this.lastSent;
    const m = await this.response(id);
    if (m.status !== NtStatus.SUCCESS) return m;
    const r = decodeNegotiateResponse(bodyReader(m));
    this.negotiateResponse = r;
    this.dialect = r.dialectRevision;
    if (this.dialect === Dialect.SMB3_1_1) {
      this.preauth = preauthUpdate(preauthUpdate(preauthInitial(), req), m.raw);
      this.cipherId = contextsOf(r.negotiateContexts, 'encryption')[0]?.ciphers[0] ?? 0;
      const sa = contextsOf(r.negotiateContexts, 'signing')[0]?.signingAlgorithms[0];
      this.signingAlgorithm = sa as SigningAlgorithm | undefined;
    } else if (this.dialect >= Dialect.SMB3_0 && (r.capabilities & Capabilities.ENCRYPTION) !== 0) {
      this.cipherId = Cipher.AES_128_CCM;
    }
    return m;
  }

  // ---- SESSION_SETUP (NTLMv2 in SPNEGO) ----

  sessionSetupBody(token: Buffer, o: {securityMode?: number; flags?: number; previousSessionId?: bigint} = {}): Body {
    return (w) =>
      encodeSessionSetupRequest(w, {
        flags: o.flags ?? 0,
        securityMode: o.securityMode ?? SecurityMode.SIGNING_ENABLED,
        capabilities: Capabilities.DFS,
        channel: 0,
        previousSessionId: o.previousSessionId ?? 0n,
        securityBuffer: token,
      });
  }

  /** Log in with NTLMv2; returns the final SESSION_SETUP response (check its status). */
  async login(o: LoginOptions): Promise<Smb2Message> {
    const negotiate = encodeNegotiate(NTLM_FLAGS);
    const mechTypesDer = sequence(oid(OID_NTLMSSP));
    const ss = {securityMode: o.securityMode};
    const id1 = this.send(Command.SESSION_SETUP, this.sessionSetupBody(encodeNegTokenInit({mechTypes: [OID_NTLMSSP], mechToken: negotiate}), ss), {sessionId: 0n});
    let hash = preauthUpdate(this.preauth, this.lastSent);
    const r1 = await this.response(id1);
    if (r1.status !== NtStatus.MORE_PROCESSING_REQUIRED) return r1;
    hash = preauthUpdate(hash, r1.raw);
    const sessionId = r1.header.sessionId;
    const t1 = decodeSpnegoToken(Buffer.from(decodeSessionSetupResponse(bodyReader(r1)).securityBuffer));
    const challenge = t1.kind === 'resp' ? t1.responseToken : t1.kind === 'ntlmssp' ? t1.token : undefined;
    if (!challenge) throw new Error('SESSION_SETUP: no NTLM CHALLENGE in the server token');
    const ch = decodeChallenge(challenge);
    const time = findAv(ch.targetInfo, AvId.MsvAvTimestamp) ?? u64le(filetimeFromDate(new Date()));
    const auth = clientAuthenticateWithKey({
      negotiate,
      challenge,
      user: o.user,
      domain: o.domain ?? '',
      ntHash: ntHash(o.password),
      withMic: true,
      exportedSessionKey: randomBytes(16),
      clientChallenge: randomBytes(8),
      time,
    });
    const micDir = 'client-to-server' as const;
    const seal = auth.flags & NTLMSSP_NEGOTIATE_KEY_EXCH ? new Rc4(ntlmSealKey(auth.sessionKey, micDir)) : null;
    const mechListMIC = ntlmGssGetMic(ntlmSignKey(auth.sessionKey, micDir), seal, 0, mechTypesDer);
    const token2 = encodeNegTokenResp({responseToken: auth.message, mechListMIC});
    const id2 = this.send(Command.SESSION_SETUP, this.sessionSetupBody(token2, ss), {sessionId});
    hash = preauthUpdate(hash, this.lastSent);
    const s: Session = {id: sessionId, flags: 0, sessionKey: auth.sessionKey, sign: false, encrypt: false};
    this.#keys(s, hash);
    this.sessions.set(sessionId, s);
    const r2 = await this.response(id2);
    if (r2.status !== NtStatus.SUCCESS) {
      this.sessions.delete(sessionId);
      return r2;
    }
    s.flags = decodeSessionSetupResponse(bodyReader(r2)).sessionFlags;
    const guest = (s.flags & (SessionFlags.IS_GUEST | SessionFlags.IS_NULL)) !== 0;
    s.sign = !guest && (o.sign ?? true);
    s.encrypt = o.encrypt ?? (s.flags & SessionFlags.ENCRYPT_DATA) !== 0;
    this.session = s;
    return r2;
  }

  #keys(s: Session, preauthHash: Buffer): void {
    if (this.dialect < Dialect.SMB3_0) {
      s.signer = new MessageSigner(signingAlgorithmFor(this.dialect), smbSessionKey(s.sessionKey));
      return;
    }
    const k = deriveSmb3Keys({
      dialect: this.dialect,
      fullSessionKey: s.sessionKey,
      preauthHash: this.dialect === Dialect.SMB3_1_1 ? preauthHash : undefined,
      cipherId: this.cipherId || undefined,
    });
    s.signer = new MessageSigner(signingAlgorithmFor(this.dialect, this.signingAlgorithm), k.signingKey);
    if (this.cipherId) {
      s.c2sKey = k.c2sCipherKey;
      s.s2cKey = k.s2cCipherKey;
    }
  }

  // ---- TREE_CONNECT ----

  treeConnectBody(share: string): Body {
    const path = share.startsWith('\\') ? share : `\\\\${this.host}\\${share}`;
    return (w) => encodeTreeConnectRequest(w, {flags: 0, path, contexts: []});
  }

  /** TREE_CONNECT; on success the TreeId becomes the default for later requests. */
  async treeConnect(share: string, o: SendOptions = {}): Promise<Smb2Message> {
    const m = await this.request(Command.TREE_CONNECT, this.treeConnectBody(share), {treeId: 0, ...o});
    if (m.status === NtStatus.SUCCESS) {
      this.treeId = m.header.treeId;
      const r = decodeTreeConnectResponse(bodyReader(m));
      if ((r.shareFlags & ShareFlags.ENCRYPT_DATA) !== 0) this.treeEncrypt = true;
    }
    return m;
  }

  /** negotiate + login + tree connect, throwing unless each succeeds. */
  async setup(o: LoginOptions & {share?: string; negotiate?: NegotiateOptions}): Promise<this> {
    const n = await this.negotiate(o.negotiate);
    if (n.status !== NtStatus.SUCCESS) throw new Error(`NEGOTIATE: ${ntStatusName(n.status)}`);
    const l = await this.login(o);
    if (l.status !== NtStatus.SUCCESS) throw new Error(`SESSION_SETUP: ${ntStatusName(l.status)}`);
    if (o.share !== undefined) {
      const t = await this.treeConnect(o.share);
      if (t.status !== NtStatus.SUCCESS) throw new Error(`TREE_CONNECT ${o.share}: ${ntStatusName(t.status)}`);
    }
    return this;
  }
}

function u64le(v: bigint): Buffer {
  const b = Buffer.alloc(8);
  b.writeBigUInt64LE(v);
  return b;
}
