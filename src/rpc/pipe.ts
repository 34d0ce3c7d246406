/**
 * Named pipes on IPC$: one state machine per open (MS-RPCE 2.1.1.2 RPC over SMB; C706 chapter 12 for the
 * connection-oriented protocol that runs inside it).
 *
 * The engine hands us the bytes of WRITE and FSCTL_PIPE_TRANSCEIVE and asks for READ data; we keep
 * - the presentation contexts bound on this pipe (context id -> interface),
 * - the request fragments of the call being reassembled,
 * - the response fragments not yet read. The pipe is in message mode: a READ returns at most one
 *   fragment; a fragment longer than the READ comes back in pieces with `more` set, which the engine
 *   answers as STATUS_BUFFER_OVERFLOW (MS-SMB2 3.3.5.12, MS-FSCC 2.3.53).
 * Nothing a client sends can make these methods throw: bad framing, bad PDUs and bad stubs become
 * bind_nak or fault PDUs.
 */
import type {SessionIdentity} from '../ipc/types.js';
import type {Logger} from '../log/logger.js';
import {MalformedPacket} from '../wire/errors.js';
import {Reader} from '../wire/reader.js';
import {NdrReader, NdrWriter} from './ndr.js';
import {
  BIND_NAK_REASON,
  BIND_TIME_FEATURE_PREFIX,
  FAULT,
  HEADER_SIZE,
  MAX_FRAG,
  MIN_FRAG,
  NDR20,
  NULL_SYNTAX,
  PFC,
  PROVIDER_REASON,
  PTYPE,
  RESULT,
  decodeBind,
  decodeHeader,
  decodeRequest,
  drepSupported,
  encodeBindAck,
  encodeBindNak,
  encodeFault,
  encodeResponse,
  stubEnd,
  type ContextResult,
  type PduHeader,
  type PresentationContext,
} from './pdu.js';
import {HandleTable, RpcFault, type RpcInterface, type RpcServerData} from './service.js';
import {LSARPC} from './services/lsarpc.js';
import {SAMR} from './services/samr.js';
import {SRVSVC} from './services/srvsvc.js';
import {WKSSVC} from './services/wkssvc.js';

/** Pipe name (lowercase, without \PIPE\) -> the interfaces bindable on it and the bind_ack secondary address. */
const ENDPOINTS: ReadonlyMap<string, {interfaces: RpcInterface[]; address: string}> = new Map([
  ['srvsvc', {interfaces: [SRVSVC], address: '\\PIPE\\srvsvc'}],
  ['wkssvc', {interfaces: [WKSSVC], address: '\\PIPE\\wkssvc'}],
  // lsarpc, lsass and samr are one endpoint in Windows (lsass.exe) and clients rely on that.
  ['lsarpc', {interfaces: [LSARPC, SAMR], address: '\\PIPE\\lsass'}],
  ['lsass', {interfaces: [LSARPC, SAMR], address: '\\PIPE\\lsass'}],
  ['samr', {interfaces: [SAMR, LSARPC], address: '\\PIPE\\lsass'}],
]);

/** `\PIPE\srvsvc`, `\pipe\SRVSVC`, `srvsvc` -> `srvsvc`. */
export function canonicalPipeName(name: string): string {
  return name.replace(/^\\+/, '').replace(/^pipe\\+/i, '').toLowerCase();
}

export function isKnownPipe(name: string): boolean {
  return ENDPOINTS.has(canonicalPipeName(name));
}

/** The largest request stub we reassemble; requests of the served interfaces are a few hundred octets. */
export const MAX_CALL_STUB = 1 << 20;
/** Response octets a pipe holds unread before it stops answering (a client that never reads). */
export const MAX_QUEUED_OUTPUT = 4 << 20;
/** Presentation contexts one pipe may bind. */
export const MAX_CONTEXTS = 64;
/** Catch-all fault for a handler bug: RPC_S_CALL_FAILED. */
export const FAULT_CALL_FAILED = 0x000006be;

export type PipeData = {status: 'ok'; data: Buffer; more: boolean};

let nextAssocGroup = 0x1234;

interface PendingCall {
  callId: number;
  contextId: number;
  opnum: number;
  parts: Buffer[];
  size: number;
  /** Set when the call already failed; later fragments are swallowed and one fault answers the last. */
  fault?: number;
}

export class RpcPipe {
  private readonly contexts = new Map<number, RpcInterface>();
  private bound = false;
  /** Largest fragment we send: the client's max_recv_frag, capped by ours. */
  private xmitFrag = MAX_FRAG;
  private assocGroup = 0;
  private input: Buffer = Buffer.alloc(0);
  private call: PendingCall | null = null;
  private readonly out: Buffer[] = [];
  private outOffset = 0;
  private outBytes = 0;
  readonly handles = new HandleTable();

  constructor(
    readonly name: string,
    private readonly endpoint: {interfaces: RpcInterface[]; address: string},
    private readonly server: () => RpcServerData,
    private readonly log: Logger,
    readonly session: SessionIdentity | undefined,
  ) {}

  /** Octets waiting to be read, the messages (fragments) they make, and the unread length of the head one. */
  get available(): {bytes: number; messages: number; messageLength: number} {
    const head = this.out[0];
    return {bytes: this.outBytes - this.outOffset, messages: this.out.length, messageLength: head ? head.length - this.outOffset : 0};
  }

  /** Up to maxLen unread octets of the head message, copied; nothing is consumed (FSCTL_PIPE_PEEK). */
  peek(maxLen: number): Buffer {
    const head = this.out[0];
    if (!head || maxLen <= 0) return Buffer.alloc(0);
    return Buffer.from(head.subarray(this.outOffset, this.outOffset + maxLen));
  }

  /** Feed client bytes (one WRITE or the input of a TRANSCEIVE); complete PDUs are answered at once. */
  write(data: Buffer): number {
    this.input = this.input.length === 0 ? Buffer.from(data) : Buffer.concat([this.input, data]);
    while (this.input.length >= HEADER_SIZE) {
      const fragLength = this.input.readUInt16LE(8);
      if (this.input[0] !== 5 || fragLength < HEADER_SIZE) {
        // No way to find the next PDU boundary: answer once and drop what we hold.
        this.log.debug('rpc', `${this.name}: unframeable input (version ${this.input[0]}, frag_length ${fragLength}); dropped ${this.input.length} bytes`);
        this.protocolError(this.input.readUInt32LE(12), this.input[2]!, this.input[1]!);
        this.input = Buffer.alloc(0);
        break;
      }
      if (this.input.length < fragLength) break;
      const pdu = this.input.subarray(0, fragLength);
      this.input = this.input.subarray(fragLength);
      this.onPdu(pdu);
    }
    return data.length;
  }

  /** One message (or the next piece of it) of at most maxLen octets. */
  read(maxLen: number): PipeData {
    const head = this.out[0];
    if (!head || maxLen <= 0) return {status: 'ok', data: Buffer.alloc(0), more: head !== undefined};
    const left = head.length - this.outOffset;
    if (left > maxLen) {
      const data = head.subarray(this.outOffset, this.outOffset + maxLen);
      this.outOffset += maxLen;
      return {status: 'ok', data, more: true};
    }
    const data = head.subarray(this.outOffset);
    this.out.shift();
    this.outBytes -= head.length;
    this.outOffset = 0;
    return {status: 'ok', data, more: false};
  }

  private queue(pdus: Buffer[]): void {
    for (const p of pdus) {
      if (this.outBytes + p.length > MAX_QUEUED_OUTPUT) {
        this.log.debug('rpc', `${this.name}: client does not read its responses; ${p.length} bytes dropped`);
        return;
      }
      this.out.push(p);
      this.outBytes += p.length;
    }
  }

  private protocolError(callId: number, ptype: number, versMinor: number): void {
    if (ptype === PTYPE.BIND || ptype === PTYPE.ALTER_CONTEXT) this.queue([encodeBindNak(callId, versMinor > 1 ? 0 : versMinor, BIND_NAK_REASON.PROTOCOL_VERSION_NOT_SUPPORTED)]);
    else this.queue([encodeFault(callId, 0, versMinor > 1 ? 0 : versMinor, FAULT.PROTO_ERROR, true)]);
  }

  private onPdu(pdu: Buffer): void {
    let hdr: PduHeader & {vers: number};
    try {
      const r = new Reader(pdu);
      hdr = decodeHeader(r);
      // C706 12.6.3.1: rpc_vers 5, rpc_vers_minor 0 or 1.
      if (hdr.vers !== 5 || hdr.versMinor > 1) return this.protocolError(hdr.callId, hdr.ptype, hdr.versMinor);
      if (!drepSupported(hdr.drep)) {
        this.log.debug('rpc', `${this.name}: data representation ${hdr.drep.toString('hex')} refused`);
        if (hdr.ptype === PTYPE.BIND || hdr.ptype === PTYPE.ALTER_CONTEXT) return this.queue([encodeBindNak(hdr.callId, hdr.versMinor, BIND_NAK_REASON.NOT_SPECIFIED)]);
        return this.queue([encodeFault(hdr.callId, 0, hdr.versMinor, FAULT.UNSUPPORTED_TYPE, true)]);
      }
      if (hdr.authLength > 0 && stubEnd(hdr, 0) < HEADER_SIZE) throw new MalformedPacket('auth_length larger than the fragment');
      switch (hdr.ptype) {
        case PTYPE.BIND:
        case PTYPE.ALTER_CONTEXT:
          return this.onBind(r, hdr);
        case PTYPE.REQUEST:
          return this.onRequest(r, hdr);
        case PTYPE.AUTH3: // third leg of an authentication we never agreed to: no response is defined.
        case PTYPE.CO_CANCEL: // calls complete synchronously; nothing to cancel.
          return;
        case PTYPE.ORPHANED:
          if (this.call?.callId === hdr.callId) this.call = null;
          return;
        default:
          this.log.debug('rpc', `${this.name}: unexpected PDU type ${hdr.ptype}`);
          return this.queue([encodeFault(hdr.callId, 0, hdr.versMinor, FAULT.PROTO_ERROR, true)]);
      }
    } catch (e) {
      const callId = pdu.length >= HEADER_SIZE ? pdu.readUInt32LE(12) : 0;
      const ptype = pdu[2] ?? 0;
      const minor = pdu[1] === 1 ? 1 : 0;
      this.log.debug('rpc', `${this.name}: malformed PDU type ${ptype}: ${(e as Error).message}`);
      if (ptype === PTYPE.BIND || ptype === PTYPE.ALTER_CONTEXT) this.queue([encodeBindNak(callId, minor, BIND_NAK_REASON.NOT_SPECIFIED)]);
      else this.queue([encodeFault(callId, 0, minor, FAULT.PROTO_ERROR, true)]);
    }
  }

  private onBind(r: Reader, hdr: PduHeader): void {
    const isBind = hdr.ptype === PTYPE.BIND;
    const nak = (reason: number, why: string) => {
      this.log.debug('rpc', `${this.name}: bind refused: ${why}`);
      this.queue([encodeBindNak(hdr.callId, hdr.versMinor, reason)]);
    };
    // We run no RPC-level security (the SMB session already authenticated the caller).
    if (hdr.authLength > 0) return nak(BIND_NAK_REASON.AUTHENTICATION_TYPE_NOT_RECOGNIZED, 'RPC authentication is not supported');
    if (isBind && this.bound) return nak(BIND_NAK_REASON.NOT_SPECIFIED, 'second bind on one association (C706 12.4: use alter_context)');
    const body = decodeBind(r, stubEnd(hdr, 0));
    if (!this.bound) {
      if (body.maxXmitFrag < MIN_FRAG || body.maxRecvFrag < MIN_FRAG) return nak(BIND_NAK_REASON.NOT_SPECIFIED, `fragment sizes ${body.maxXmitFrag}/${body.maxRecvFrag} below ${MIN_FRAG}`);
      this.xmitFrag = Math.min(body.maxRecvFrag, MAX_FRAG);
      this.assocGroup = body.assocGroupId !== 0 ? body.assocGroupId : nextAssocGroup++ & 0xffffffff;
    }
    const results = body.contexts.map((c) => this.negotiate(c));
    this.bound = true;
    this.queue([
      encodeBindAck(isBind ? PTYPE.BIND_ACK : PTYPE.ALTER_CONTEXT_RESP, hdr.callId, hdr.versMinor, {
        maxXmitFrag: this.xmitFrag,
        maxRecvFrag: MAX_FRAG,
        assocGroupId: this.assocGroup,
        secondaryAddress: isBind ? this.endpoint.address : '',
        results,
      }),
    ]);
  }

  /** MS-RPCE 3.3.1.5.6 / C706 12.6.4.3: accept NDR20 for an interface this pipe serves; refuse the rest per context. */
  private negotiate(c: PresentationContext): ContextResult {
    const reject = (reason: number, why: string): ContextResult => {
      this.log.debug('rpc', `${this.name}: context ${c.contextId} (${c.abstract.uuid} v${c.abstract.major}.${c.abstract.minor}) rejected: ${why}`);
      return {result: RESULT.PROVIDER_REJECTION, reason, transfer: NULL_SYNTAX};
    };
    if (c.transfer.length === 1 && c.transfer[0]!.uuid.startsWith(BIND_TIME_FEATURE_PREFIX)) {
      // MS-RPCE 3.3.1.5.3: answer negotiate_ack with the features we support in common: none.
      return {result: RESULT.NEGOTIATE_ACK, reason: 0, transfer: NULL_SYNTAX};
    }
    // C706 2.6: compatible when the major versions match and ours has the minor version or a later one.
    const iface = this.endpoint.interfaces.find((i) => i.syntax.uuid === c.abstract.uuid && i.syntax.major === c.abstract.major && i.syntax.minor >= c.abstract.minor);
    if (!iface) return reject(PROVIDER_REASON.ABSTRACT_SYNTAX_NOT_SUPPORTED, 'interface not served on this pipe');
    if (!c.transfer.some((t) => t.uuid === NDR20.uuid && t.major === NDR20.major && t.minor === NDR20.minor)) {
      return reject(PROVIDER_REASON.PROPOSED_TRANSFER_SYNTAXES_NOT_SUPPORTED, 'only NDR 2.0 is served');
    }
    const existing = this.contexts.get(c.contextId);
    if (existing && existing !== iface) return reject(PROVIDER_REASON.NOT_SPECIFIED, `context id already bound to ${existing.name}`);
    if (!existing && this.contexts.size >= MAX_CONTEXTS) return reject(PROVIDER_REASON.LOCAL_LIMIT_EXCEEDED, 'too many contexts');
    this.contexts.set(c.contextId, iface);
    this.log.debug('rpc', `${this.name}: context ${c.contextId} bound to ${iface.name} (NDR 2.0)`);
    return {result: RESULT.ACCEPTANCE, reason: 0, transfer: NDR20};
  }

  private onRequest(r: Reader, hdr: PduHeader): void {
    const fault = (status: number, contextId: number, didNotExecute = true) => this.queue([encodeFault(hdr.callId, contextId, hdr.versMinor, status, didNotExecute)]);
    if (!this.bound) return fault(FAULT.PROTO_ERROR, 0);
    if (hdr.authLength > 0) return fault(FAULT.ACCESS_DENIED, 0);
    const req = decodeRequest(r, hdr, 0);
    const first = (hdr.flags & PFC.FIRST_FRAG) !== 0;
    const last = (hdr.flags & PFC.LAST_FRAG) !== 0;
    if (first) {
      if (this.call) this.log.debug('rpc', `${this.name}: call ${this.call.callId} abandoned by a new call`);
      this.call = {callId: hdr.callId, contextId: req.contextId, opnum: req.opnum, parts: [], size: 0};
    } else if (!this.call || this.call.callId !== hdr.callId) {
      return fault(FAULT.PROTO_ERROR, req.contextId);
    }
    const call = this.call;
    if (call.fault === undefined) {
      if (call.size + req.stub.length > MAX_CALL_STUB) {
        call.fault = FAULT.REMOTE_NO_MEMORY;
        call.parts = [];
      } else {
        call.parts.push(Buffer.from(req.stub));
        call.size += req.stub.length;
      }
    }
    if (!last) return;
    this.call = null;
    if (call.fault !== undefined) return fault(call.fault, call.contextId);
    const stub = call.parts.length === 1 ? call.parts[0]! : Buffer.concat(call.parts);
    this.dispatch(hdr, call, stub);
  }

  private dispatch(hdr: PduHeader, call: PendingCall, stub: Buffer): void {
    const fault = (status: number, didNotExecute = true) => this.queue([encodeFault(hdr.callId, call.contextId, hdr.versMinor, status, didNotExecute)]);
    const iface = this.contexts.get(call.contextId);
    if (!iface) {
      this.log.debug('rpc', `${this.name}: request on unbound context ${call.contextId}`);
      return fault(FAULT.UNKNOWN_IF);
    }
    const op = iface.ops.get(call.opnum);
    if (!op) {
      this.log.debug('rpc', `${this.name}: ${iface.name} opnum ${call.opnum} not served`);
      return fault(FAULT.OP_RNG_ERROR);
    }
    const r = new NdrReader(stub);
    const w = new NdrWriter();
    try {
      op.handler({session: this.session, server: this.server(), handles: this.handles, log: this.log}, r, w);
      r.end();
    } catch (e) {
      if (e instanceof MalformedPacket || e instanceof RangeError) {
        this.log.debug('rpc', `${this.name}: ${iface.name}.${op.name}: bad stub: ${e.message}`);
        return fault(FAULT.FAULT_NDR);
      }
      if (e instanceof RpcFault) {
        this.log.debug('rpc', `${this.name}: ${iface.name}.${op.name}: fault 0x${e.status.toString(16)}: ${e.message}`);
        return fault(e.status, false);
      }
      this.log.error(`rpc ${iface.name}.${op.name} failed: ${(e as Error).stack ?? String(e)}`);
      return fault(FAULT_CALL_FAILED, false);
    }
    const out = w.finish();
    this.log.debug('rpc', `${this.name}: ${iface.name}.${op.name} (${call.opnum}): ${stub.length} -> ${out.length} bytes`);
    this.queue(encodeResponse(hdr.callId, call.contextId, hdr.versMinor, out, this.xmitFrag));
  }
}

/** The open pipes of the whole server, by handle. Handles are never reused. */
export class RpcPipes {
  private readonly open_ = new Map<number, RpcPipe>();
  private next = 1;

  constructor(
    private readonly server: () => RpcServerData,
    private readonly log: Logger,
    private readonly maxOpen = 4096,
  ) {}

  get count(): number {
    return this.open_.size;
  }

  /** A handle for a served pipe, or null (unknown pipe, or too many open): the engine answers STATUS_OBJECT_NAME_NOT_FOUND. */
  open(pipeName: string, session?: SessionIdentity): number | null {
    const name = canonicalPipeName(pipeName);
    const endpoint = ENDPOINTS.get(name);
    if (!endpoint) {
      this.log.debug('rpc', `open of unknown pipe \`${pipeName}'`);
      return null;
    }
    if (this.open_.size >= this.maxOpen) {
      this.log.warn(`rpc: ${this.maxOpen} pipes open; refusing \`${pipeName}'`);
      return null;
    }
    const handle = this.next++;
    this.open_.set(handle, new RpcPipe(name, endpoint, this.server, this.log, session));
    this.log.debug('rpc', `pipe ${handle} \`${name}' opened${session ? ` by \`${session.user}'` : ''}`);
    return handle;
  }

  /** Octets accepted (all of them), or null for a handle that is not open. */
  write(handle: number, data: Buffer): number | null {
    const p = this.open_.get(handle);
    return p ? p.write(data) : null;
  }

  read(handle: number, maxLen: number): {data: Buffer; more: boolean} | null {
    const p = this.open_.get(handle);
    if (!p) return null;
    const {data, more} = p.read(maxLen);
    return {data, more};
  }

  /**
   * FSCTL_PIPE_TRANSCEIVE: write then read one message. 'busy' when unread data is already waiting
   * (MS-FSCC 2.3.53: STATUS_PIPE_BUSY), null for a handle that is not open.
   */
  transceive(handle: number, data: Buffer, maxOut: number): {data: Buffer; more: boolean} | 'busy' | null {
    const p = this.open_.get(handle);
    if (!p) return null;
    if (p.available.bytes > 0) return 'busy';
    p.write(data);
    const {data: out, more} = p.read(maxOut);
    return {data: out, more};
  }

  /** For FSCTL_PIPE_PEEK and FilePipeLocalInformation: unread octets, messages, the head message's length and its first maxData octets. */
  peek(handle: number, maxData = 0): {bytes: number; messages: number; messageLength: number; data: Buffer} | null {
    const p = this.open_.get(handle);
    return p ? {...p.available, data: p.peek(maxData)} : null;
  }

  close(handle: number): boolean {
    const ok = this.open_.delete(handle);
    if (ok) this.log.debug('rpc', `pipe ${handle} closed`);
    return ok;
  }

  /** The pipe object itself (tests). */
  get(handle: number): RpcPipe | undefined {
    return this.open_.get(handle);
  }
}
