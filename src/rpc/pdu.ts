/**
 * Connection-oriented DCE/RPC PDUs (C706 chapter 12, with the MS-RPCE 2.2.2 extensions): pure codecs.
 *
 * Every PDU starts with the 16-octet common header (C706 12.6.3.1). We speak protocol version 5.0/5.1,
 * little-endian integers, ASCII characters and IEEE floats only (the data representation label,
 * C706 14.1); the pipe refuses anything else.
 */
import {MalformedPacket} from '../wire/errors.js';
import {formatGuid, parseGuid} from '../wire/guid.js';
import {Reader} from '../wire/reader.js';
import {Writer} from '../wire/writer.js';

export const PTYPE = {
  REQUEST: 0,
  RESPONSE: 2,
  FAULT: 3,
  BIND: 11,
  BIND_ACK: 12,
  BIND_NAK: 13,
  ALTER_CONTEXT: 14,
  ALTER_CONTEXT_RESP: 15,
  AUTH3: 16,
  SHUTDOWN: 17,
  CO_CANCEL: 18,
  ORPHANED: 19,
} as const;

/** pfc_flags (C706 12.6.3.1; MS-RPCE 2.2.2.3 reuses 0x04 in bind as PFC_SUPPORT_HEADER_SIGN). */
export const PFC = {
  FIRST_FRAG: 0x01,
  LAST_FRAG: 0x02,
  PENDING_CANCEL: 0x04,
  CONC_MPX: 0x10,
  DID_NOT_EXECUTE: 0x20,
  MAYBE: 0x40,
  OBJECT_UUID: 0x80,
} as const;

export const HEADER_SIZE = 16;
export const REQUEST_HEADER_SIZE = 24;
export const RESPONSE_HEADER_SIZE = 24;
export const FAULT_SIZE = 32;
/** The auth_verifier's sec_trailer (MS-RPCE 2.2.2.11) precedes auth_length octets of credentials. */
export const SEC_TRAILER_SIZE = 8;

/** C706 12.6.3.1 / MS-RPCE 3.3.1.5.1: "MUST ... be at least 1432 octets" is the smallest fragment both sides accept. */
export const MIN_FRAG = 1432;
/** What we offer and accept: the size Windows and Samba negotiate on named pipes. */
export const MAX_FRAG = 4280;

/** The data representation label we accept and send: little-endian, ASCII, IEEE (C706 14.1). */
export const DREP = Buffer.from([0x10, 0x00, 0x00, 0x00]);

/** p_cont_def_result_t (C706 12.6.3.1; negotiate_ack from MS-RPCE 2.2.2.4). */
export const RESULT = {ACCEPTANCE: 0, USER_REJECTION: 1, PROVIDER_REJECTION: 2, NEGOTIATE_ACK: 3} as const;

/** p_provider_reason_t (C706 12.6.3.1). */
export const PROVIDER_REASON = {
  NOT_SPECIFIED: 0,
  ABSTRACT_SYNTAX_NOT_SUPPORTED: 1,
  PROPOSED_TRANSFER_SYNTAXES_NOT_SUPPORTED: 2,
  LOCAL_LIMIT_EXCEEDED: 3,
} as const;

/** p_reject_reason_t for bind_nak (C706 12.6.3.1; MS-RPCE 2.2.2.5). */
export const BIND_NAK_REASON = {
  NOT_SPECIFIED: 0,
  TEMPORARY_CONGESTION: 1,
  LOCAL_LIMIT_EXCEEDED: 2,
  PROTOCOL_VERSION_NOT_SUPPORTED: 4,
  AUTHENTICATION_TYPE_NOT_RECOGNIZED: 8,
  INVALID_CHECKSUM: 9,
} as const;

/** Fault statuses (C706 appendix E; MS-RPCE 2.2.2.6 nca_s_fault_ndr). */
export const FAULT = {
  OP_RNG_ERROR: 0x1c010002,
  UNKNOWN_IF: 0x1c010003,
  PROTO_ERROR: 0x1c01000b,
  UNSUPPORTED_TYPE: 0x1c010017,
  FAULT_NDR: 0x000006f7,
  REMOTE_NO_MEMORY: 0x1c00001b,
  CONTEXT_MISMATCH: 0x1c00001a,
  ACCESS_DENIED: 0x00000005,
} as const;

export interface SyntaxId {
  /** Canonical lowercase UUID. */
  uuid: string;
  major: number;
  minor: number;
}

/** NDR 2.0 (C706 appendix I / MS-RPCE 2.2.4.12). */
export const NDR20: SyntaxId = {uuid: '8a885d04-1ceb-11c9-9fe8-08002b104860', major: 2, minor: 0};
/** NDR64 (MS-RPCE 2.2.4.12): not served, refused per context. */
export const NDR64: SyntaxId = {uuid: '71710533-beba-4937-8319-b5dbef9ccc36', major: 1, minor: 0};
/** MS-RPCE 3.3.1.5.3: a transfer syntax whose UUID starts so is a bind time feature negotiation bitmask. */
export const BIND_TIME_FEATURE_PREFIX = '6cb71c2c-9812-4540-';

export function sameSyntax(a: SyntaxId, b: SyntaxId): boolean {
  return a.uuid === b.uuid && a.major === b.major && a.minor === b.minor;
}

export interface PduHeader {
  versMinor: number;
  ptype: number;
  flags: number;
  drep: Buffer;
  fragLength: number;
  authLength: number;
  callId: number;
}

/** Decode the common header; the caller checks version and data representation (it answers those itself). */
export function decodeHeader(r: Reader): PduHeader & {vers: number} {
  const vers = r.u8();
  const versMinor = r.u8();
  const ptype = r.u8();
  const flags = r.u8();
  const drep = r.copy(4);
  const fragLength = r.u16();
  const authLength = r.u16();
  const callId = r.u32();
  return {vers, versMinor, ptype, flags, drep, fragLength, authLength, callId};
}

/** Little-endian integers, ASCII characters, IEEE floats: the one data representation we read. */
export function drepSupported(drep: Buffer): boolean {
  return drep[0] === 0x10 && drep[1] === 0x00;
}

function syntax(r: Reader): SyntaxId {
  const uuid = formatGuid(r.bytes(16));
  const major = r.u16();
  const minor = r.u16();
  return {uuid, major, minor};
}

function writeSyntax(w: Writer, s: SyntaxId): void {
  w.bytes(parseGuid(s.uuid));
  w.u16(s.major).u16(s.minor);
}

export interface PresentationContext {
  contextId: number;
  abstract: SyntaxId;
  transfer: SyntaxId[];
}

export interface BindBody {
  maxXmitFrag: number;
  maxRecvFrag: number;
  assocGroupId: number;
  contexts: PresentationContext[];
}

/** bind / alter_context body (C706 12.6.4.3, 12.6.4.1); `end` is where the auth verifier (if any) begins. */
export function decodeBind(r: Reader, end: number): BindBody {
  const maxXmitFrag = r.u16();
  const maxRecvFrag = r.u16();
  const assocGroupId = r.u32();
  const n = r.u8();
  r.skip(3);
  const contexts: PresentationContext[] = [];
  for (let i = 0; i < n; i++) {
    const contextId = r.u16();
    const nTransfer = r.u8();
    r.skip(1);
    const abstract = syntax(r);
    const transfer: SyntaxId[] = [];
    for (let j = 0; j < nTransfer; j++) transfer.push(syntax(r));
    contexts.push({contextId, abstract, transfer});
  }
  if (r.offset > end) throw new MalformedPacket('presentation context list runs into the auth verifier', r.offset);
  return {maxXmitFrag, maxRecvFrag, assocGroupId, contexts};
}

export interface ContextResult {
  result: number;
  reason: number;
  transfer: SyntaxId;
}

export const NULL_SYNTAX: SyntaxId = {uuid: '00000000-0000-0000-0000-000000000000', major: 0, minor: 0};

function startPdu(w: Writer, ptype: number, flags: number, callId: number, versMinor: number): void {
  w.u8(5).u8(versMinor).u8(ptype).u8(flags).bytes(DREP);
  w.u16(0).u16(0).u32(callId); // frag_length patched by endPdu
}

function endPdu(w: Writer, start: number): Buffer {
  w.patchU16(start + 8, w.length - start);
  return w.finishCopy().subarray(start);
}

/** bind_ack / alter_context_resp (C706 12.6.4.4, 12.6.4.2). */
export function encodeBindAck(
  ptype: number,
  callId: number,
  versMinor: number,
  v: {maxXmitFrag: number; maxRecvFrag: number; assocGroupId: number; secondaryAddress: string; results: ContextResult[]},
): Buffer {
  const w = new Writer(128);
  startPdu(w, ptype, PFC.FIRST_FRAG | PFC.LAST_FRAG, callId, versMinor);
  w.u16(v.maxXmitFrag).u16(v.maxRecvFrag).u32(v.assocGroupId);
  // port_any_t: length includes the terminating NUL; an empty address is length 0 (MS-RPCE alter_context_resp).
  const addr = v.secondaryAddress === '' ? Buffer.alloc(0) : Buffer.from(v.secondaryAddress + '\0', 'latin1');
  w.u16(addr.length).bytes(addr);
  w.align(4);
  w.u8(v.results.length).u8(0).u16(0);
  for (const res of v.results) {
    w.u16(res.result).u16(res.reason);
    writeSyntax(w, res.transfer);
  }
  return endPdu(w, 0);
}

/** bind_nak (C706 12.6.4.5): the reason and the protocol versions we do speak (5.0). */
export function encodeBindNak(callId: number, versMinor: number, reason: number): Buffer {
  const w = new Writer(32);
  startPdu(w, PTYPE.BIND_NAK, PFC.FIRST_FRAG | PFC.LAST_FRAG, callId, versMinor);
  w.u16(reason).u8(1).u8(5).u8(0);
  w.align(4);
  return endPdu(w, 0);
}

export interface RequestBody {
  allocHint: number;
  contextId: number;
  opnum: number;
  object?: string;
  /** A view of the stub data of this fragment. */
  stub: Buffer;
}

/** request (C706 12.6.4.9): the stub runs to the auth verifier or the end of the fragment. */
export function decodeRequest(r: Reader, hdr: PduHeader, pduStart: number): RequestBody {
  const allocHint = r.u32();
  const contextId = r.u16();
  const opnum = r.u16();
  let object: string | undefined;
  if (hdr.flags & PFC.OBJECT_UUID) object = formatGuid(r.bytes(16));
  const end = stubEnd(hdr, pduStart);
  if (end < r.offset) throw new MalformedPacket('auth verifier overlaps the request header', r.offset);
  const stub = r.slice(r.offset, end - r.offset);
  return {allocHint, contextId, opnum, object, stub};
}

/** Where stub data ends: before sec_trailer + auth_value when auth_length is set. */
export function stubEnd(hdr: PduHeader, pduStart: number): number {
  const end = pduStart + hdr.fragLength;
  return hdr.authLength === 0 ? end : end - SEC_TRAILER_SIZE - hdr.authLength;
}

/** The response to one call, cut into fragments no larger than `maxFrag` (the client's max_recv_frag). */
export function encodeResponse(callId: number, contextId: number, versMinor: number, stub: Buffer, maxFrag: number): Buffer[] {
  return fragmentStub(PTYPE.RESPONSE, RESPONSE_HEADER_SIZE, callId, versMinor, stub, maxFrag, (w) => w.u16(contextId).u8(0).u8(0));
}

/**
 * Cut a stub into request or response fragments of at most `maxFrag` octets: every fragment but the
 * last carries a multiple of 8 stub octets (NDR alignment survives reassembly); alloc_hint is the stub
 * still to come, this fragment's included; `fields` writes what follows alloc_hint.
 */
function fragmentStub(ptype: number, headerSize: number, callId: number, versMinor: number, stub: Buffer, maxFrag: number, fields: (w: Writer) => void): Buffer[] {
  const room = Math.max(8, (maxFrag - headerSize) & ~7);
  const out: Buffer[] = [];
  let at = 0;
  do {
    const n = Math.min(room, stub.length - at);
    let flags = 0;
    if (at === 0) flags |= PFC.FIRST_FRAG;
    if (at + n >= stub.length) flags |= PFC.LAST_FRAG;
    const w = new Writer(headerSize + n);
    startPdu(w, ptype, flags, callId, versMinor);
    w.u32(stub.length - at);
    fields(w);
    w.bytes(stub.subarray(at, at + n));
    out.push(endPdu(w, 0));
    at += n;
  } while (at < stub.length);
  return out;
}

/** fault (C706 12.6.4.7). */
export function encodeFault(callId: number, contextId: number, versMinor: number, status: number, didNotExecute: boolean): Buffer {
  const w = new Writer(FAULT_SIZE);
  startPdu(w, PTYPE.FAULT, PFC.FIRST_FRAG | PFC.LAST_FRAG | (didNotExecute ? PFC.DID_NOT_EXECUTE : 0), callId, versMinor);
  w.u32(0).u16(contextId).u8(0).u8(0).u32(status).u32(0);
  return endPdu(w, 0);
}

// ---- client-side encoders: used by the tests (and handy for a future RPC client) ----

export function encodeBind(
  ptype: number,
  callId: number,
  v: {maxXmitFrag?: number; maxRecvFrag?: number; assocGroupId?: number; contexts: PresentationContext[]; drep?: Buffer; vers?: number; versMinor?: number; auth?: Buffer},
): Buffer {
  const w = new Writer(128);
  w.u8(v.vers ?? 5).u8(v.versMinor ?? 0).u8(ptype).u8(PFC.FIRST_FRAG | PFC.LAST_FRAG).bytes(v.drep ?? DREP);
  w.u16(0).u16(v.auth ? v.auth.length : 0).u32(callId);
  w.u16(v.maxXmitFrag ?? MAX_FRAG).u16(v.maxRecvFrag ?? MAX_FRAG).u32(v.assocGroupId ?? 0);
  w.u8(v.contexts.length).u8(0).u16(0);
  for (const c of v.contexts) {
    w.u16(c.contextId).u8(c.transfer.length).u8(0);
    writeSyntax(w, c.abstract);
    for (const t of c.transfer) writeSyntax(w, t);
  }
  if (v.auth) {
    w.align(4);
    w.u8(10).u8(2).u8(0).u8(0).u32(0); // sec_trailer: NTLMSSP, connect level
    w.bytes(v.auth);
  }
  return endPdu(w, 0);
}

/** Request fragments for a stub, each at most `maxFrag` octets (stub chunks a multiple of 8 but the last). */
export function encodeRequest(callId: number, contextId: number, opnum: number, stub: Buffer, maxFrag = MAX_FRAG, versMinor = 0): Buffer[] {
  return fragmentStub(PTYPE.REQUEST, REQUEST_HEADER_SIZE, callId, versMinor, stub, maxFrag, (w) => w.u16(contextId).u16(opnum));
}

export interface DecodedBindAck {
  hdr: PduHeader;
  maxXmitFrag: number;
  maxRecvFrag: number;
  assocGroupId: number;
  secondaryAddress: string;
  results: ContextResult[];
}

/** Decode a bind_ack / alter_context_resp (tests and clients). */
export function decodeBindAck(buf: Buffer): DecodedBindAck {
  const r = new Reader(buf);
  const hdr = decodeHeader(r);
  const maxXmitFrag = r.u16();
  const maxRecvFrag = r.u16();
  const assocGroupId = r.u32();
  const len = r.u16();
  const secondaryAddress = r.bytes(len).toString('latin1').replace(/\0$/, '');
  r.align(4);
  const n = r.u8();
  r.skip(3);
  const results: ContextResult[] = [];
  for (let i = 0; i < n; i++) {
    const result = r.u16();
    const reason = r.u16();
    results.push({result, reason, transfer: syntax(r)});
  }
  return {hdr, maxXmitFrag, maxRecvFrag, assocGroupId, secondaryAddress, results};
}
