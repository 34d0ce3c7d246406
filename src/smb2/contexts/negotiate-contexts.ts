/**
 * SMB2_NEGOTIATE_CONTEXT list (MS-SMB2 2.2.3.1 request, 2.2.4.1 response).
 *
 * Known context types are parsed; unknown ones are kept raw (2.2.3.1: the server MUST ignore ContextTypes
 * it does not recognize). Each context starts 8-byte aligned relative to the SMB2 header; the last one
 * need not be followed by padding.
 */
import {MalformedPacket} from '../../wire/errors.js';
import type {Reader} from '../../wire/reader.js';
import {Reader as WireReader, padTo} from '../../wire/reader.js';
import {decodeUtf16, encodeUtf16} from '../../wire/utf16.js';
import type {Writer} from '../../wire/writer.js';
import {NegotiateContextType as T} from '../constants.js';

export type NegotiateContext =
  | {kind: 'preauth'; hashAlgorithms: number[]; salt: Buffer}
  | {kind: 'encryption'; ciphers: number[]}
  | {kind: 'compression'; flags: number; algorithms: number[]}
  | {kind: 'netname'; netName: string}
  | {kind: 'transport'; flags: number}
  | {kind: 'rdma'; transformIds: number[]}
  | {kind: 'signing'; signingAlgorithms: number[]}
  | {kind: 'posix'; data: Buffer}
  | {kind: 'unknown'; type: number; data: Buffer};

export const NEGOTIATE_CONTEXT_HEADER_SIZE = 8;

/** The wire ContextType of a context. */
export function contextType(c: NegotiateContext): number {
  switch (c.kind) {
    case 'preauth':
      return T.PREAUTH_INTEGRITY_CAPABILITIES;
    case 'encryption':
      return T.ENCRYPTION_CAPABILITIES;
    case 'compression':
      return T.COMPRESSION_CAPABILITIES;
    case 'netname':
      return T.NETNAME_NEGOTIATE_CONTEXT_ID;
    case 'transport':
      return T.TRANSPORT_CAPABILITIES;
    case 'rdma':
      return T.RDMA_TRANSFORM_CAPABILITIES;
    case 'signing':
      return T.SIGNING_CAPABILITIES;
    case 'posix':
      return T.POSIX_EXTENSIONS;
    case 'unknown':
      return c.type;
  }
}

/** All contexts of one kind (the handler enforces "exactly one" rules of 3.3.5.4). */
export function contextsOf<K extends NegotiateContext['kind']>(
  list: readonly NegotiateContext[],
  kind: K,
): Extract<NegotiateContext, {kind: K}>[] {
  return list.filter((c): c is Extract<NegotiateContext, {kind: K}> => c.kind === kind);
}

function u16List(r: Reader, count: number, what: string): number[] {
  if (count * 2 > r.remaining) throw new MalformedPacket(`${what}: ${count} entries do not fit ${r.remaining} bytes`, r.offset);
  const out: number[] = [];
  for (let i = 0; i < count; i++) out.push(r.u16());
  return out;
}

function nonZero(count: number, rule: string, at: number): void {
  if (count === 0) throw new MalformedPacket(rule, at);
}

/** Parse one context's Data (the reader covers exactly DataLength bytes). */
function parseData(type: number, d: Reader): NegotiateContext {
  const at = d.offset;
  switch (type) {
    case T.PREAUTH_INTEGRITY_CAPABILITIES: {
      const count = d.u16();
      // 2.2.3.1.1: "HashAlgorithmCount (2 bytes): The number of hash algorithms in the HashAlgorithms array.
      // This value MUST be greater than zero."
      nonZero(count, 'PREAUTH_INTEGRITY_CAPABILITIES: HashAlgorithmCount MUST be greater than zero', at);
      const saltLength = d.u16();
      const hashAlgorithms = u16List(d, count, 'HashAlgorithms');
      return {kind: 'preauth', hashAlgorithms, salt: d.bytes(saltLength)};
    }
    case T.ENCRYPTION_CAPABILITIES: {
      const count = d.u16();
      // 2.2.3.1.2: "CipherCount (2 bytes): The number of ciphers in the Ciphers array. This value MUST be greater than zero."
      nonZero(count, 'ENCRYPTION_CAPABILITIES: CipherCount MUST be greater than zero', at);
      return {kind: 'encryption', ciphers: u16List(d, count, 'Ciphers')};
    }
    case T.COMPRESSION_CAPABILITIES: {
      const count = d.u16();
      // 2.2.3.1.3: "CompressionAlgorithmCount (2 bytes): ... This value MUST be greater than zero."
      nonZero(count, 'COMPRESSION_CAPABILITIES: CompressionAlgorithmCount MUST be greater than zero', at);
      d.skip(2); // Padding
      const flags = d.u32();
      return {kind: 'compression', flags, algorithms: u16List(d, count, 'CompressionAlgorithms')};
    }
    case T.NETNAME_NEGOTIATE_CONTEXT_ID:
      // 2.2.3.1.4: NetName is a Unicode string of DataLength bytes (no terminator required).
      return {kind: 'netname', netName: decodeUtf16(d.bytes(d.remaining), {stripTrailingNul: true})};
    case T.TRANSPORT_CAPABILITIES:
      return {kind: 'transport', flags: d.u32()};
    case T.RDMA_TRANSFORM_CAPABILITIES: {
      const count = d.u16();
      // 2.2.3.1.6: "TransformCount (2 bytes): The number of elements in RDMATransformIds array. This value MUST be greater than 0."
      nonZero(count, 'RDMA_TRANSFORM_CAPABILITIES: TransformCount MUST be greater than 0', at);
      d.skip(2 + 4); // Reserved1, Reserved2
      return {kind: 'rdma', transformIds: u16List(d, count, 'RDMATransformIds')};
    }
    case T.SIGNING_CAPABILITIES: {
      const count = d.u16();
      // 2.2.3.1.7: "SigningAlgorithmCount (2 bytes): The number of signing algorithms in the SigningAlgorithms
      // array. This value MUST be greater than zero."
      nonZero(count, 'SIGNING_CAPABILITIES: SigningAlgorithmCount MUST be greater than zero', at);
      return {kind: 'signing', signingAlgorithms: u16List(d, count, 'SigningAlgorithms')};
    }
    case T.POSIX_EXTENSIONS:
      return {kind: 'posix', data: d.bytes(d.remaining)};
    default:
      return {kind: 'unknown', type, data: d.bytes(d.remaining)};
  }
}

/**
 * Decode `count` contexts starting at header-relative `offset`. `hdr` is the header's absolute position;
 * the list must lie inside the reader's window.
 */
export function decodeNegotiateContexts(r: Reader, hdr: number, offset: number, count: number): NegotiateContext[] {
  if (count === 0) return [];
  // 2.2.3: NegotiateContextOffset is "the offset, in bytes, from the beginning of the SMB2 header to the
  // first, 8-byte-aligned negotiate context in the NegotiateContextList."
  if (offset % 8 !== 0) throw new MalformedPacket(`NegotiateContextOffset ${offset} is not 8-byte aligned`, r.offset);
  const out: NegotiateContext[] = [];
  let pos = hdr + offset;
  for (let i = 0; i < count; i++) {
    if (i > 0) pos += padTo(pos - hdr, 8);
    if (pos + NEGOTIATE_CONTEXT_HEADER_SIZE > r.end) {
      throw new MalformedPacket(`negotiate context ${i} of ${count} starts past the message end`, pos);
    }
    const type = r.buf.readUInt16LE(pos);
    const dataLength = r.buf.readUInt16LE(pos + 2);
    const dataPos = pos + NEGOTIATE_CONTEXT_HEADER_SIZE;
    if (dataPos + dataLength > r.end) {
      throw new MalformedPacket(`negotiate context ${i} DataLength ${dataLength} runs past the message end`, pos);
    }
    const d = new WireReader(r.buf, dataPos, dataPos + dataLength);
    out.push(parseData(type, d));
    pos = dataPos + dataLength;
  }
  return out;
}

function writeData(w: Writer, c: NegotiateContext): void {
  switch (c.kind) {
    case 'preauth':
      w.u16(c.hashAlgorithms.length).u16(c.salt.length);
      for (const a of c.hashAlgorithms) w.u16(a);
      w.bytes(c.salt);
      return;
    case 'encryption':
      w.u16(c.ciphers.length);
      for (const a of c.ciphers) w.u16(a);
      return;
    case 'compression':
      w.u16(c.algorithms.length).u16(0).u32(c.flags);
      for (const a of c.algorithms) w.u16(a);
      return;
    case 'netname':
      w.bytes(encodeUtf16(c.netName));
      return;
    case 'transport':
      w.u32(c.flags);
      return;
    case 'rdma':
      w.u16(c.transformIds.length).u16(0).u32(0);
      for (const a of c.transformIds) w.u16(a);
      return;
    case 'signing':
      w.u16(c.signingAlgorithms.length);
      for (const a of c.signingAlgorithms) w.u16(a);
      return;
    case 'posix':
    case 'unknown':
      w.bytes(c.data);
      return;
  }
}

/**
 * Write the list; the writer must already stand at an 8-byte boundary relative to `hdr`.
 * Pads between contexts, not after the last (2.2.4: "The first negotiate context in the list MUST appear
 * at an 8-byte aligned offset ... Subsequent negotiate contexts MUST appear at the first 8-byte aligned
 * offset following the previous negotiate context").
 */
export function encodeNegotiateContexts(w: Writer, hdr: number, list: readonly NegotiateContext[]): void {
  list.forEach((c, i) => {
    if (i > 0) w.align(8, hdr);
    w.u16(contextType(c));
    const lenAt = w.reserve(2);
    w.u32(0); // Reserved
    const dataStart = w.length;
    writeData(w, c);
    const len = w.length - dataStart;
    if (len > 0xffff) throw new RangeError('negotiate context data longer than 65535 bytes');
    w.patchU16(lenAt, len);
  });
}
