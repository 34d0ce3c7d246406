// NTLMSSP messages, MS-NLMP 2.2: NEGOTIATE (2.2.1.1), CHALLENGE (2.2.1.2), AUTHENTICATE (2.2.1.3),
// AV_PAIR lists (2.2.2.1), VERSION (2.2.2.10) and the NTLMv2 response (2.2.2.8, 2.2.2.7).
// Every payload reference (Len, MaxLen, BufferOffset) is validated against the message before use;
// decoders return views into the input, never copies.

import {AuthDecodeError} from './errors.js';

export const NTLMSSP_SIGNATURE = Buffer.from('NTLMSSP\0', 'latin1');

export const MessageType = {NEGOTIATE: 1, CHALLENGE: 2, AUTHENTICATE: 3} as const;

/** MS-NLMP 2.2.2.5 NEGOTIATE flags. */
export const NTLMSSP_NEGOTIATE_UNICODE = 0x00000001;
export const NTLM_NEGOTIATE_OEM = 0x00000002;
export const NTLMSSP_REQUEST_TARGET = 0x00000004;
export const NTLMSSP_NEGOTIATE_SIGN = 0x00000010;
export const NTLMSSP_NEGOTIATE_SEAL = 0x00000020;
export const NTLMSSP_NEGOTIATE_DATAGRAM = 0x00000040;
export const NTLMSSP_NEGOTIATE_LM_KEY = 0x00000080;
export const NTLMSSP_NEGOTIATE_NTLM = 0x00000200;
export const NTLMSSP_NEGOTIATE_ANONYMOUS = 0x00000800;
export const NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED = 0x00001000;
export const NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED = 0x00002000;
export const NTLMSSP_NEGOTIATE_ALWAYS_SIGN = 0x00008000;
export const NTLMSSP_TARGET_TYPE_DOMAIN = 0x00010000;
export const NTLMSSP_TARGET_TYPE_SERVER = 0x00020000;
export const NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY = 0x00080000;
export const NTLMSSP_NEGOTIATE_IDENTIFY = 0x00100000;
export const NTLMSSP_REQUEST_NON_NT_SESSION_KEY = 0x00400000;
export const NTLMSSP_NEGOTIATE_TARGET_INFO = 0x00800000;
export const NTLMSSP_NEGOTIATE_VERSION = 0x02000000;
export const NTLMSSP_NEGOTIATE_128 = 0x20000000;
export const NTLMSSP_NEGOTIATE_KEY_EXCH = 0x40000000;
export const NTLMSSP_NEGOTIATE_56 = 0x80000000;

/** MS-NLMP 2.2.2.1 AvId values. */
export const AvId = {
  MsvAvEOL: 0,
  MsvAvNbComputerName: 1,
  MsvAvNbDomainName: 2,
  MsvAvDnsComputerName: 3,
  MsvAvDnsDomainName: 4,
  MsvAvDnsTreeName: 5,
  MsvAvFlags: 6,
  MsvAvTimestamp: 7,
  MsvAvSingleHost: 8,
  MsvAvTargetName: 9,
  MsvAvChannelBindings: 10,
} as const;

/** MsvAvFlags bit 0x2: the AUTHENTICATE message carries a MIC (MS-NLMP 2.2.2.1). */
export const MSV_AV_FLAG_MIC_PRESENT = 0x00000002;

export interface AvPair {
  id: number;
  value: Buffer;
}

/** MS-NLMP 2.2.2.10 VERSION. */
export interface NtlmVersion {
  major: number;
  minor: number;
  build: number;
  /** NTLMRevisionCurrent, 0x0F for NTLMSSP_REVISION_W2K3. */
  revision: number;
}

export const DEFAULT_VERSION: NtlmVersion = {major: 6, minor: 1, build: 7601, revision: 0x0f};

const MIC_OFFSET = 72;
const MIC_LENGTH = 16;

function bad(what: string): never {
  throw new AuthDecodeError(`NTLMSSP: ${what}`);
}

function checkHeader(msg: Buffer, type: number, minLength: number, name: string): void {
  if (msg.length < minLength) bad(`${name} shorter than its ${minLength}-byte header (${msg.length})`);
  if (!msg.subarray(0, 8).equals(NTLMSSP_SIGNATURE)) bad(`${name} has a bad signature`);
  const t = msg.readUInt32LE(8);
  if (t !== type) bad(`${name}: MessageType ${t}, expected ${type}`);
}

/**
 * Reads the 8-byte Len/MaxLen/BufferOffset triple at `at` and returns the payload view.
 * MS-NLMP 2.2.1.x: the payload must lie inside the message and, when present, after the fixed header.
 */
function payloadField(msg: Buffer, at: number, headerEnd: number, name: string): {value: Buffer; offset: number} {
  const len = msg.readUInt16LE(at);
  const offset = msg.readUInt32LE(at + 4);
  if (len === 0) return {value: msg.subarray(0, 0), offset};
  if (offset < headerEnd) bad(`${name} offset ${offset} overlaps the fixed header`);
  if (offset > msg.length || len > msg.length - offset) bad(`${name} (offset ${offset}, length ${len}) runs past the message`);
  return {value: msg.subarray(offset, offset + len), offset};
}

function decodeVersion(msg: Buffer, at: number): NtlmVersion {
  return {major: msg[at]!, minor: msg[at + 1]!, build: msg.readUInt16LE(at + 2), revision: msg[at + 7]!};
}

export function encodeVersion(v: NtlmVersion): Buffer {
  const out = Buffer.alloc(8);
  out[0] = v.major;
  out[1] = v.minor;
  out.writeUInt16LE(v.build, 2);
  out[7] = v.revision;
  return out;
}

/** NTLM strings are UTF-16LE when NTLMSSP_NEGOTIATE_UNICODE is in force, OEM otherwise (2.2). */
function decodeString(value: Buffer, unicode: boolean, name: string): string {
  if (!unicode) return value.toString('latin1');
  if (value.length % 2 !== 0) bad(`${name} has an odd UTF-16 length`);
  return value.toString('utf16le');
}

function encodeString(s: string, unicode: boolean): Buffer {
  return Buffer.from(s, unicode ? 'utf16le' : 'latin1');
}

// ---- NEGOTIATE_MESSAGE (2.2.1.1) ----

export interface NegotiateMessage {
  flags: number;
  domain?: string;
  workstation?: string;
  version?: NtlmVersion;
}

export function decodeNegotiate(msg: Buffer): NegotiateMessage {
  checkHeader(msg, MessageType.NEGOTIATE, 16, 'NEGOTIATE');
  const flags = msg.readUInt32LE(12);
  const out: NegotiateMessage = {flags};
  // Some old clients stop after NegotiateFlags; DomainNameFields and WorkstationFields are then absent.
  if (msg.length < 32) return out;
  const hasVersion = (flags & NTLMSSP_NEGOTIATE_VERSION) !== 0 && msg.length >= 40;
  const headerEnd = hasVersion ? 40 : 32;
  const domain = payloadField(msg, 16, headerEnd, 'DomainName');
  const workstation = payloadField(msg, 24, headerEnd, 'Workstation');
  // 2.2.1.1: these names are OEM strings, meaningful only with the *_SUPPLIED flags.
  if (flags & NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED) out.domain = domain.value.toString('latin1');
  if (flags & NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED) out.workstation = workstation.value.toString('latin1');
  if (hasVersion) out.version = decodeVersion(msg, 32);
  return out;
}

/** A client NEGOTIATE (no domain/workstation), for tests and a future client side. */
export function encodeNegotiate(flags: number, version: NtlmVersion = DEFAULT_VERSION): Buffer {
  const out = Buffer.alloc(40);
  NTLMSSP_SIGNATURE.copy(out, 0);
  out.writeUInt32LE(MessageType.NEGOTIATE, 8);
  out.writeUInt32LE(flags >>> 0, 12);
  encodeVersion(version).copy(out, 32);
  return out;
}

// ---- AV_PAIR list (2.2.2.1) ----

/** Parses an AV_PAIR list; MsvAvEOL ends it, and bytes after it (padding) are ignored. */
export function parseAvPairs(buf: Buffer): AvPair[] {
  const out: AvPair[] = [];
  let p = 0;
  for (;;) {
    if (p + 4 > buf.length) bad('AV_PAIR list ends without MsvAvEOL');
    const id = buf.readUInt16LE(p);
    const len = buf.readUInt16LE(p + 2);
    p += 4;
    if (len > buf.length - p) bad(`AV_PAIR ${id} length ${len} runs past the list`);
    if (id === AvId.MsvAvEOL) return out;
    out.push({id, value: buf.subarray(p, p + len)});
    p += len;
  }
}

/** Encodes an AV_PAIR list, terminated by MsvAvEOL (which must not appear in `pairs`). */
export function encodeAvPairs(pairs: readonly AvPair[]): Buffer {
  const parts: Buffer[] = [];
  for (const {id, value} of pairs) {
    if (id === AvId.MsvAvEOL) continue;
    if (value.length > 0xffff) throw new RangeError('AV_PAIR value too long');
    const h = Buffer.alloc(4);
    h.writeUInt16LE(id, 0);
    h.writeUInt16LE(value.length, 2);
    parts.push(h, value);
  }
  parts.push(Buffer.alloc(4));
  return Buffer.concat(parts);
}

export function avString(id: number, s: string): AvPair {
  return {id, value: Buffer.from(s, 'utf16le')};
}

export function findAv(pairs: readonly AvPair[], id: number): Buffer | undefined {
  return pairs.find((p) => p.id === id)?.value;
}

/** MsvAvFlags as a number, 0 when absent. */
export function avFlags(pairs: readonly AvPair[]): number {
  const v = findAv(pairs, AvId.MsvAvFlags);
  if (v === undefined) return 0;
  if (v.length !== 4) bad('MsvAvFlags is not 4 bytes');
  return v.readUInt32LE(0);
}

export interface TargetInfoNames {
  nbDomainName: string;
  nbComputerName: string;
  dnsDomainName?: string;
  dnsComputerName?: string;
  /** FILETIME (100 ns since 1601); MS-NLMP 3.2.5.1.1 has servers send it so clients include a MIC. */
  timestamp?: bigint;
}

/** The TargetInfo a server sends in CHALLENGE (MS-NLMP 3.2.5.1.1), in the order Windows uses. */
export function buildTargetInfo(n: TargetInfoNames): AvPair[] {
  const pairs = [avString(AvId.MsvAvNbDomainName, n.nbDomainName), avString(AvId.MsvAvNbComputerName, n.nbComputerName)];
  if (n.dnsDomainName !== undefined) pairs.push(avString(AvId.MsvAvDnsDomainName, n.dnsDomainName));
  if (n.dnsComputerName !== undefined) pairs.push(avString(AvId.MsvAvDnsComputerName, n.dnsComputerName));
  if (n.timestamp !== undefined) {
    const t = Buffer.alloc(8);
    t.writeBigUInt64LE(n.timestamp);
    pairs.push({id: AvId.MsvAvTimestamp, value: t});
  }
  return pairs;
}

// ---- CHALLENGE_MESSAGE (2.2.1.2) ----

export interface ChallengeMessage {
  flags: number;
  serverChallenge: Buffer;
  targetName: string;
  targetInfo: AvPair[];
  version?: NtlmVersion;
}

const CHALLENGE_HEADER = 56; // 48 fixed bytes + 8-byte Version

export function encodeChallenge(c: ChallengeMessage): Buffer {
  if (c.serverChallenge.length !== 8) throw new RangeError('ServerChallenge must be 8 bytes');
  const unicode = (c.flags & NTLMSSP_NEGOTIATE_UNICODE) !== 0;
  const name = encodeString(c.targetName, unicode);
  const info = (c.flags & NTLMSSP_NEGOTIATE_TARGET_INFO) !== 0 ? encodeAvPairs(c.targetInfo) : Buffer.alloc(0);
  if (name.length > 0xffff || info.length > 0xffff) throw new RangeError('CHALLENGE field too long');
  const out = Buffer.alloc(CHALLENGE_HEADER + name.length + info.length);
  NTLMSSP_SIGNATURE.copy(out, 0);
  out.writeUInt32LE(MessageType.CHALLENGE, 8);
  out.writeUInt16LE(name.length, 12);
  out.writeUInt16LE(name.length, 14);
  out.writeUInt32LE(CHALLENGE_HEADER, 16);
  out.writeUInt32LE(c.flags >>> 0, 20);
  c.serverChallenge.copy(out, 24);
  // 32..39 Reserved, zero.
  out.writeUInt16LE(info.length, 40);
  out.writeUInt16LE(info.length, 42);
  out.writeUInt32LE(CHALLENGE_HEADER + name.length, 44);
  // 2.2.1.2: Version is populated only with NTLMSSP_NEGOTIATE_VERSION, otherwise all zero.
  if (c.flags & NTLMSSP_NEGOTIATE_VERSION) encodeVersion(c.version ?? DEFAULT_VERSION).copy(out, 48);
  name.copy(out, CHALLENGE_HEADER);
  info.copy(out, CHALLENGE_HEADER + name.length);
  return out;
}

export function decodeChallenge(msg: Buffer): ChallengeMessage {
  checkHeader(msg, MessageType.CHALLENGE, 48, 'CHALLENGE');
  const flags = msg.readUInt32LE(20);
  const hasVersion = (flags & NTLMSSP_NEGOTIATE_VERSION) !== 0 && msg.length >= CHALLENGE_HEADER;
  const headerEnd = hasVersion ? CHALLENGE_HEADER : 48;
  const name = payloadField(msg, 12, headerEnd, 'TargetName');
  const info = payloadField(msg, 40, headerEnd, 'TargetInfo');
  const out: ChallengeMessage = {
    flags,
    serverChallenge: msg.subarray(24, 32),
    targetName: decodeString(name.value, (flags & NTLMSSP_NEGOTIATE_UNICODE) !== 0, 'TargetName'),
    targetInfo: info.value.length > 0 ? parseAvPairs(info.value) : [],
  };
  if (hasVersion) out.version = decodeVersion(msg, 48);
  return out;
}

// ---- AUTHENTICATE_MESSAGE (2.2.1.3) ----

export interface AuthenticateMessage {
  flags: number;
  lmResponse: Buffer;
  ntResponse: Buffer;
  domain: string;
  user: string;
  workstation: string;
  encryptedRandomSessionKey: Buffer;
  version?: NtlmVersion;
  /** The 16-byte MIC when the fixed header is long enough to hold one (payload starts at >= 88). */
  mic?: Buffer;
  micOffset?: number;
}

const AUTH_FIELDS = 64; // fixed part up to and including NegotiateFlags

export function decodeAuthenticate(msg: Buffer): AuthenticateMessage {
  checkHeader(msg, MessageType.AUTHENTICATE, AUTH_FIELDS, 'AUTHENTICATE');
  const flags = msg.readUInt32LE(60);
  // The optional Version and MIC fields are not announced by any length: the first payload byte marks
  // where the fixed header ends (MS-NLMP 2.2.1.3 fields; the 4.2.4 example has Version but no MIC).
  const at = [12, 20, 28, 36, 44, 52];
  let payloadStart = msg.length;
  for (const a of at) {
    if (msg.readUInt16LE(a) > 0) payloadStart = Math.min(payloadStart, msg.readUInt32LE(a + 4));
  }
  if (payloadStart < AUTH_FIELDS) bad(`payload offset ${payloadStart} overlaps the fixed header`);
  const [lm, nt, dom, usr, ws, key] = at.map((a, i) => payloadField(msg, a, AUTH_FIELDS, FIELD_NAMES[i]!).value) as [
    Buffer, Buffer, Buffer, Buffer, Buffer, Buffer,
  ];
  const unicode = (flags & NTLMSSP_NEGOTIATE_UNICODE) !== 0;
  const out: AuthenticateMessage = {
    flags,
    lmResponse: lm,
    ntResponse: nt,
    domain: decodeString(dom, unicode, 'DomainName'),
    user: decodeString(usr, unicode, 'UserName'),
    workstation: decodeString(ws, unicode, 'Workstation'),
    encryptedRandomSessionKey: key,
  };
  if (payloadStart >= MIC_OFFSET) out.version = decodeVersion(msg, AUTH_FIELDS);
  if (payloadStart >= MIC_OFFSET + MIC_LENGTH) {
    out.mic = msg.subarray(MIC_OFFSET, MIC_OFFSET + MIC_LENGTH);
    out.micOffset = MIC_OFFSET;
  }
  return out;
}

const FIELD_NAMES = ['LmChallengeResponse', 'NtChallengeResponse', 'DomainName', 'UserName', 'Workstation', 'EncryptedRandomSessionKey'];

/** A copy of an AUTHENTICATE message with its MIC zeroed: the MIC input (MS-NLMP 3.2.5.1.2). */
export function zeroMic(authenticate: Buffer, micOffset = MIC_OFFSET): Buffer {
  if (micOffset < 0 || micOffset + MIC_LENGTH > authenticate.length) bad('MIC field outside the message');
  const copy = Buffer.from(authenticate);
  copy.fill(0, micOffset, micOffset + MIC_LENGTH);
  return copy;
}

export interface AuthenticateFields {
  flags: number;
  lmResponse: Buffer;
  ntResponse: Buffer;
  domain: string;
  user: string;
  workstation: string;
  encryptedRandomSessionKey: Buffer;
  version?: NtlmVersion;
  /** Reserve the MIC field (zeroed); fill it afterwards with setMic. */
  withMic?: boolean;
}

/** Encodes an AUTHENTICATE message (client side; used by tests to drive the server). */
export function encodeAuthenticate(a: AuthenticateFields): Buffer {
  const unicode = (a.flags & NTLMSSP_NEGOTIATE_UNICODE) !== 0;
  const header = a.withMic ? MIC_OFFSET + MIC_LENGTH : MIC_OFFSET;
  const parts = [a.lmResponse, a.ntResponse, encodeString(a.domain, unicode), encodeString(a.user, unicode),
    encodeString(a.workstation, unicode), a.encryptedRandomSessionKey];
  const total = header + parts.reduce((n, p) => n + p.length, 0);
  const out = Buffer.alloc(total);
  NTLMSSP_SIGNATURE.copy(out, 0);
  out.writeUInt32LE(MessageType.AUTHENTICATE, 8);
  let off = header;
  parts.forEach((p, i) => {
    if (p.length > 0xffff) throw new RangeError('AUTHENTICATE field too long');
    out.writeUInt16LE(p.length, 12 + i * 8);
    out.writeUInt16LE(p.length, 14 + i * 8);
    out.writeUInt32LE(off, 16 + i * 8);
    p.copy(out, off);
    off += p.length;
  });
  out.writeUInt32LE(a.flags >>> 0, 60);
  encodeVersion(a.version ?? DEFAULT_VERSION).copy(out, AUTH_FIELDS);
  return out;
}

// ---- NTLMv2_RESPONSE (2.2.2.8) and NTLMv2_CLIENT_CHALLENGE (2.2.2.7) ----

export interface Ntlmv2Response {
  ntProofStr: Buffer;
  /** NtChallengeResponse[16:], the "temp" that NTProofStr covers (MS-NLMP 3.3.2). */
  blob: Buffer;
  respType: number;
  hiRespType: number;
  timestamp: bigint;
  clientChallenge: Buffer;
  avPairs: AvPair[];
}

const NTLMV2_BLOB_FIXED = 28; // RespType .. Reserved3

export function parseNtlmv2Response(nt: Buffer): Ntlmv2Response {
  if (nt.length < 16 + NTLMV2_BLOB_FIXED) bad(`NTLMv2 response too short (${nt.length})`);
  const blob = nt.subarray(16);
  return {
    ntProofStr: nt.subarray(0, 16),
    blob,
    respType: blob[0]!,
    hiRespType: blob[1]!,
    timestamp: blob.readBigUInt64LE(8),
    clientChallenge: blob.subarray(16, 24),
    avPairs: parseAvPairs(blob.subarray(NTLMV2_BLOB_FIXED)),
  };
}
