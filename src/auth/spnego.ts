// SPNEGO tokens carried in SMB2 NEGOTIATE / SESSION_SETUP security buffers.
// RFC 4178 4.2 (NegotiationToken, NegTokenInit, NegTokenResp), RFC 2743 3.1 (InitialContextToken framing)
// and MS-SPNG 2.2.1 (NegTokenInit2 with negHints, what a server sends unsolicited).
//
// negHints choice: encodeNegTokenInit2 includes negHints.hintName "not_defined_in_RFC4178@please_ignore"
// by default. MS-SPNG 3.2.5.2 says the server places that string there, Windows and Samba servers send
// it, and MS-SPNG 2.2.1 tells receivers to ignore it, so including it makes our NEGOTIATE response look
// like every other server's at a cost of 43 bytes. Pass {negHints: false} for a plain RFC 4178 token.

import {
  DerReader,
  Tag,
  context,
  contextTag,
  decodeBitString,
  decodeGeneralString,
  decodeInteger,
  decodeOid,
  enumerated,
  generalString,
  octetString,
  oid,
  sequence,
  tlv,
  type Tlv,
} from './asn1.js';
import {AuthDecodeError} from './errors.js';

export const OID_SPNEGO = '1.3.6.1.5.5.2';
export const OID_NTLMSSP = '1.3.6.1.4.1.311.2.2.10';
export const OID_KRB5 = '1.2.840.113554.1.2.2';
/** The truncated Kerberos OID older Windows clients list first (MS-SPNG 3.3.5.1). */
export const OID_MS_KRB5 = '1.2.840.48018.1.2.2';
export const NEG_HINTS_NAME = 'not_defined_in_RFC4178@please_ignore';

/** RFC 4178 4.2.2 negState. */
export const NegState = {
  ACCEPT_COMPLETED: 0,
  ACCEPT_INCOMPLETE: 1,
  REJECT: 2,
  REQUEST_MIC: 3,
} as const;
export type NegStateValue = (typeof NegState)[keyof typeof NegState];

const NTLMSSP_SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');

export interface NegTokenInit {
  kind: 'init';
  mechTypes: string[];
  /** The MechTypeList TLV exactly as received: the input of the SPNEGO mechListMIC (RFC 4178 5). */
  mechTypesDer: Buffer;
  reqFlags?: {unusedBits: number; bytes: Buffer};
  mechToken?: Buffer;
  /** MS-SPNG NegTokenInit2 only. */
  hintName?: string;
  mechListMIC?: Buffer;
}

export interface NegTokenResp {
  kind: 'resp';
  negState?: number;
  supportedMech?: string;
  responseToken?: Buffer;
  mechListMIC?: Buffer;
}

/** An NTLMSSP message sent without SPNEGO framing (some clients do, after a raw NTLMSSP negotiate). */
export interface RawNtlmssp {
  kind: 'ntlmssp';
  token: Buffer;
}

export type ClientToken = NegTokenInit | NegTokenResp | RawNtlmssp;

export function isRawNtlmssp(buf: Buffer): boolean {
  return buf.length >= NTLMSSP_SIGNATURE.length && buf.subarray(0, 8).equals(NTLMSSP_SIGNATURE);
}

/** Contents of an explicitly tagged [n] field: exactly one inner element. */
function inner(field: Tlv, tag: number, what: string): Tlv {
  const r = DerReader.of(field);
  const el = r.expect(tag, what);
  r.done(what);
  return el;
}

function decodeMechTypeList(tlv: Tlv): string[] {
  const r = DerReader.of(tlv);
  const out: string[] = [];
  while (!r.atEnd) out.push(decodeOid(r.expect(Tag.OID, 'MechType').value));
  return out;
}

/** RFC 4178 4.2.1 NegTokenInit, also MS-SPNG 2.2.1 NegTokenInit2 ([3] negHints, [4] mechListMIC). */
function decodeNegTokenInit(body: Tlv): NegTokenInit {
  const r = DerReader.of(readSeq(body, 'NegTokenInit'));
  const out: NegTokenInit = {kind: 'init', mechTypes: [], mechTypesDer: Buffer.alloc(0)};
  let sawMechTypes = false;
  while (!r.atEnd) {
    const field = r.read();
    switch (field.tag) {
      case contextTag(0): {
        const list = inner(field, Tag.SEQUENCE, 'mechTypes');
        out.mechTypes = decodeMechTypeList(list);
        out.mechTypesDer = list.raw;
        sawMechTypes = true;
        break;
      }
      case contextTag(1):
        out.reqFlags = decodeBitString(inner(field, Tag.BIT_STRING, 'reqFlags').value);
        break;
      case contextTag(2):
        out.mechToken = inner(field, Tag.OCTET_STRING, 'mechToken').value;
        break;
      case contextTag(3): {
        // RFC 4178 puts mechListMIC (OCTET STRING) here; MS-SPNG NegTokenInit2 puts negHints (SEQUENCE).
        const r3 = DerReader.of(field);
        const el = r3.read();
        r3.done('NegTokenInit [3]');
        if (el.tag === Tag.OCTET_STRING) out.mechListMIC = el.value;
        else if (el.tag === Tag.SEQUENCE) decodeNegHints(el, out);
        else throw new AuthDecodeError('SPNEGO: NegTokenInit [3] is neither mechListMIC nor negHints');
        break;
      }
      case contextTag(4):
        out.mechListMIC = inner(field, Tag.OCTET_STRING, 'mechListMIC').value;
        break;
      default:
        break; // RFC 4178 4.2.1 "..." extension marker: unknown fields are skipped
    }
  }
  // RFC 4178 makes mechTypes mandatory; MS-SPNG 2.2.1 made it OPTIONAL only for NegTokenInit2.
  if (!sawMechTypes) throw new AuthDecodeError('SPNEGO: NegTokenInit without mechTypes');
  return out;
}

function decodeNegHints(seq: Tlv, out: NegTokenInit): void {
  const r = DerReader.of(seq);
  while (!r.atEnd) {
    const f = r.read();
    if (f.tag === contextTag(0)) out.hintName = decodeGeneralString(inner(f, Tag.GENERAL_STRING, 'hintName').value);
  }
}

function readSeq(field: Tlv, what: string): Tlv {
  return inner(field, Tag.SEQUENCE, what);
}

/** RFC 4178 4.2.2 NegTokenResp (RFC 2478's NegTokenTarg has the same shape). */
function decodeNegTokenResp(body: Tlv): NegTokenResp {
  const r = DerReader.of(readSeq(body, 'NegTokenResp'));
  const out: NegTokenResp = {kind: 'resp'};
  while (!r.atEnd) {
    const field = r.read();
    switch (field.tag) {
      case contextTag(0):
        out.negState = decodeInteger(inner(field, Tag.ENUMERATED, 'negState').value);
        break;
      case contextTag(1):
        out.supportedMech = decodeOid(inner(field, Tag.OID, 'supportedMech').value);
        break;
      case contextTag(2):
        out.responseToken = inner(field, Tag.OCTET_STRING, 'responseToken').value;
        break;
      case contextTag(3):
        out.mechListMIC = inner(field, Tag.OCTET_STRING, 'mechListMIC').value;
        break;
      default:
        break;
    }
  }
  return out;
}

/**
 * Decodes a client's security buffer: a GSS-API framed NegTokenInit (RFC 2743 3.1 + RFC 4178 4.2),
 * a bare NegotiationToken ([0] NegTokenInit or [1] NegTokenResp), or a raw NTLMSSP message.
 */
export function decodeSpnegoToken(buf: Buffer): ClientToken {
  if (isRawNtlmssp(buf)) return {kind: 'ntlmssp', token: buf};
  const r = new DerReader(buf);
  const first = r.read();
  // Trailing bytes after the token are tolerated (some stacks pad the security buffer).
  if (first.tag === Tag.APPLICATION_0) {
    const g = DerReader.of(first);
    const mech = decodeOid(g.expect(Tag.OID, 'thisMech').value);
    if (mech !== OID_SPNEGO) throw new AuthDecodeError('SPNEGO: InitialContextToken is not for SPNEGO');
    const body = g.read();
    if (body.tag === contextTag(0)) return decodeNegTokenInit(body);
    if (body.tag === contextTag(1)) return decodeNegTokenResp(body);
    throw new AuthDecodeError('SPNEGO: unknown NegotiationToken choice');
  }
  if (first.tag === contextTag(0)) return decodeNegTokenInit(first);
  if (first.tag === contextTag(1)) return decodeNegTokenResp(first);
  throw new AuthDecodeError('SPNEGO: token is neither SPNEGO nor NTLMSSP');
}

export interface NegTokenInit2Options {
  mechTypes?: string[];
  /** Default true: see the note at the top of this file. */
  negHints?: boolean;
}

/**
 * The unsolicited token a server returns in the SMB2 NEGOTIATE response (MS-SMB2 3.3.5.4,
 * MS-SPNG 3.2.5.2): InitialContextToken { SPNEGO OID, [0] NegTokenInit2 }.
 */
export function encodeNegTokenInit2(opts: NegTokenInit2Options = {}): Buffer {
  const mechs = opts.mechTypes ?? [OID_NTLMSSP];
  const fields = [context(0, sequence(...mechs.map(oid)))];
  if (opts.negHints ?? true) fields.push(context(3, sequence(context(0, generalString(NEG_HINTS_NAME)))));
  return tlv(Tag.APPLICATION_0, oid(OID_SPNEGO), context(0, sequence(...fields)));
}

/** A client-style NegTokenInit (RFC 4178 4.2.1), used by tests and any future client side. */
export function encodeNegTokenInit(v: {mechTypes: string[]; mechToken?: Buffer; mechListMIC?: Buffer}): Buffer {
  const fields = [context(0, sequence(...v.mechTypes.map(oid)))];
  if (v.mechToken) fields.push(context(2, octetString(v.mechToken)));
  if (v.mechListMIC) fields.push(context(3, octetString(v.mechListMIC)));
  return tlv(Tag.APPLICATION_0, oid(OID_SPNEGO), context(0, sequence(...fields)));
}

/** RFC 4178 4.2.2: NegTokenResp is sent as a bare [1] NegotiationToken, without GSS framing. */
export function encodeNegTokenResp(v: Omit<NegTokenResp, 'kind'>): Buffer {
  const fields: Buffer[] = [];
  if (v.negState !== undefined) fields.push(context(0, enumerated(v.negState)));
  if (v.supportedMech !== undefined) fields.push(context(1, oid(v.supportedMech)));
  if (v.responseToken !== undefined) fields.push(context(2, octetString(v.responseToken)));
  if (v.mechListMIC !== undefined) fields.push(context(3, octetString(v.mechListMIC)));
  return context(1, sequence(...fields));
}

/** First server reply: accept-incomplete, the chosen mech and the NTLM CHALLENGE. */
export function negTokenRespIncomplete(responseToken: Buffer, supportedMech = OID_NTLMSSP): Buffer {
  return encodeNegTokenResp({negState: NegState.ACCEPT_INCOMPLETE, supportedMech, responseToken});
}

/** Final success; Windows expects the mechListMIC when it sent one (MS-SPNG 3.2.5.1). */
export function negTokenRespCompleted(mechListMIC?: Buffer): Buffer {
  return encodeNegTokenResp(
    mechListMIC ? {negState: NegState.ACCEPT_COMPLETED, mechListMIC} : {negState: NegState.ACCEPT_COMPLETED},
  );
}

export function negTokenRespReject(): Buffer {
  return encodeNegTokenResp({negState: NegState.REJECT});
}

/**
 * What the SESSION_SETUP handler needs from a client token when NTLMSSP is the only mechanism:
 * the NTLM message to process (null if the client offered NTLMSSP but sent an optimistic token for
 * another mechanism, RFC 4178 3.2 "optimistic token" rule), whether NTLMSSP is acceptable at all,
 * and the MechTypeList bytes for the mechListMIC.
 */
export interface NtlmFromToken {
  wrapped: boolean;
  ntlm: Buffer | null;
  acceptable: boolean;
  mechTypesDer?: Buffer;
  mechListMIC?: Buffer;
  /** RFC 4178 5: true when NTLMSSP was not the client's first choice, so a mechListMIC is required. */
  mechListMicRequired?: boolean;
}

export function ntlmFromClientToken(buf: Buffer): NtlmFromToken {
  const t = decodeSpnegoToken(buf);
  if (t.kind === 'ntlmssp') return {wrapped: false, ntlm: t.token, acceptable: true};
  if (t.kind === 'resp') {
    const acceptable = t.negState !== NegState.REJECT;
    const out: NtlmFromToken = {wrapped: true, ntlm: t.responseToken ?? null, acceptable};
    if (t.mechListMIC) out.mechListMIC = t.mechListMIC;
    return out;
  }
  const idx = t.mechTypes.indexOf(OID_NTLMSSP);
  const out: NtlmFromToken = {
    wrapped: true,
    ntlm: idx === 0 ? (t.mechToken ?? null) : null,
    acceptable: idx >= 0,
    mechTypesDer: t.mechTypesDer,
    mechListMicRequired: idx > 0,
  };
  if (t.mechListMIC) out.mechListMIC = t.mechListMIC;
  return out;
}
