// A minimal ASN.1 DER reader and writer, enough for GSS-API/SPNEGO tokens (RFC 2743 3.1, RFC 4178 4).
// Encoding rules are X.690: 8.1.2 identifier octets, 8.1.3 length octets, 8.19 OBJECT IDENTIFIER.
// The reader accepts BER's non-minimal long-form lengths (some clients send them) but not the
// indefinite form (8.1.3.6), which GSS-API tokens never use. Every read is checked against the
// enclosing element's end and throws AuthDecodeError.

import {AuthDecodeError} from './errors.js';

/** Identifier octets we meet (X.690 8.1.2): class | constructed bit | tag number. */
export const Tag = {
  BOOLEAN: 0x01,
  INTEGER: 0x02,
  BIT_STRING: 0x03,
  OCTET_STRING: 0x04,
  NULL: 0x05,
  OID: 0x06,
  ENUMERATED: 0x0a,
  GENERAL_STRING: 0x1b,
  SEQUENCE: 0x30,
  /** [APPLICATION 0] constructed: the GSS-API InitialContextToken (RFC 2743 3.1). */
  APPLICATION_0: 0x60,
} as const;

/** Context-specific constructed tag [n] (X.690 8.1.2.2, class bits 10, P/C bit 1). */
export function contextTag(n: number): number {
  if (!Number.isInteger(n) || n < 0 || n > 30) throw new RangeError(`context tag [${n}] out of range`);
  return 0xa0 | n;
}

/** One decoded element; `value` is a view into the input, `raw` the whole TLV (for MIC inputs). */
export interface Tlv {
  tag: number;
  value: Buffer;
  raw: Buffer;
}

function fail(what: string, offset: number): never {
  throw new AuthDecodeError(`ASN.1: ${what} at offset ${offset}`);
}

/** Reads consecutive TLVs from `buf[start, end)`; child readers share the buffer. */
export class DerReader {
  private pos: number;
  private readonly end: number;

  constructor(private readonly buf: Buffer, start = 0, end = buf.length) {
    if (start < 0 || end > buf.length || start > end) throw new AuthDecodeError('ASN.1: bad reader bounds');
    this.pos = start;
    this.end = end;
  }

  get atEnd(): boolean {
    return this.pos >= this.end;
  }

  /** The next identifier octet without consuming anything, or -1 at the end. */
  peekTag(): number {
    return this.pos < this.end ? this.buf[this.pos]! : -1;
  }

  read(): Tlv {
    const start = this.pos;
    if (start >= this.end) fail('element expected, end of data', start);
    const tag = this.buf[start]!;
    // X.690 8.1.2.4: tag number 31 announces the high-tag-number form, unused by SPNEGO/Kerberos framing.
    if ((tag & 0x1f) === 0x1f) fail('high tag numbers are not supported', start);
    let p = start + 1;
    if (p >= this.end) fail('length octet missing', p);
    const first = this.buf[p++]!;
    let length: number;
    if (first < 0x80) {
      length = first; // 8.1.3.4 short form
    } else if (first === 0x80) {
      fail('indefinite length is not allowed', p - 1); // 8.1.3.6, not valid in DER
    } else {
      const n = first & 0x7f; // 8.1.3.5 long form: n subsequent length octets
      if (n > 4) fail('length field too long', p - 1);
      if (p + n > this.end) fail('length octets past the end', p);
      length = 0;
      for (let i = 0; i < n; i++) length = length * 256 + this.buf[p++]!;
    }
    if (length > this.end - p) fail(`length ${length} runs past the end`, start);
    this.pos = p + length;
    return {tag, value: this.buf.subarray(p, p + length), raw: this.buf.subarray(start, p + length)};
  }

  /** Reads one element and insists on its tag. */
  expect(tag: number, what: string): Tlv {
    const at = this.pos;
    const tlv = this.read();
    if (tlv.tag !== tag) {
      fail(`${what}: tag 0x${tlv.tag.toString(16)} where 0x${tag.toString(16)} was expected`, at);
    }
    return tlv;
  }

  /** A reader over a constructed element's contents. */
  static of(tlv: Tlv): DerReader {
    return new DerReader(tlv.value);
  }

  /** Throws unless everything has been consumed (trailing garbage inside a SEQUENCE). */
  done(what: string): void {
    if (!this.atEnd) fail(`${what}: trailing data`, this.pos);
  }
}

/** Decodes a single element that must fill `buf` exactly. */
export function readSingle(buf: Buffer, tag: number, what: string): Tlv {
  const r = new DerReader(buf);
  const tlv = r.expect(tag, what);
  r.done(what);
  return tlv;
}

// ---- primitive value decoders (contents octets only) ----

/** X.690 8.19: OBJECT IDENTIFIER contents to dotted form. */
export function decodeOid(value: Buffer): string {
  if (value.length === 0) fail('empty OBJECT IDENTIFIER', 0);
  const arcs: number[] = [];
  let acc = 0;
  let started = false;
  for (let i = 0; i < value.length; i++) {
    const b = value[i]!;
    // 8.19.2: the leading octet of a subidentifier shall not be 0x80.
    if (!started && b === 0x80) fail('non-minimal OID subidentifier', i);
    started = true;
    acc = acc * 128 + (b & 0x7f);
    if (acc > Number.MAX_SAFE_INTEGER) fail('OID subidentifier too large', i);
    if ((b & 0x80) === 0) {
      arcs.push(acc);
      acc = 0;
      started = false;
    }
  }
  if (started) fail('truncated OID subidentifier', value.length);
  // 8.19.4: the first subidentifier packs the first two arcs as X*40+Y.
  const head = arcs[0]!;
  const x = head < 40 ? 0 : head < 80 ? 1 : 2;
  return [x, head - x * 40, ...arcs.slice(1)].join('.');
}

/** ENUMERATED or INTEGER contents (8.3/8.4), two's complement, at most 4 octets. */
export function decodeInteger(value: Buffer): number {
  if (value.length === 0 || value.length > 4) fail(`INTEGER of ${value.length} octets`, 0);
  return value.readIntBE(0, value.length);
}

/** BIT STRING contents (8.6): first octet counts the unused bits of the last octet. */
export function decodeBitString(value: Buffer): {unusedBits: number; bytes: Buffer} {
  if (value.length === 0) fail('empty BIT STRING', 0);
  const unusedBits = value[0]!;
  if (unusedBits > 7 || (value.length === 1 && unusedBits !== 0)) fail('bad BIT STRING unused-bit count', 0);
  return {unusedBits, bytes: value.subarray(1)};
}

/** GeneralString contents; MS-SPNG 3.2.5.2 uses ISO-8859-1 for the hint name. */
export function decodeGeneralString(value: Buffer): string {
  return value.toString('latin1');
}

// ---- writer: pure functions returning complete TLVs ----

/** X.690 8.1.3: definite length octets, short form below 128, else minimal long form. */
export function encodeLength(length: number): Buffer {
  if (!Number.isInteger(length) || length < 0 || length > 0xffffffff) throw new RangeError('bad ASN.1 length');
  if (length < 0x80) return Buffer.from([length]);
  const bytes: number[] = [];
  for (let n = length; n > 0; n = Math.floor(n / 256)) bytes.unshift(n & 0xff);
  return Buffer.from([0x80 | bytes.length, ...bytes]);
}

export function tlv(tag: number, ...contents: Buffer[]): Buffer {
  const body = Buffer.concat(contents);
  return Buffer.concat([Buffer.from([tag]), encodeLength(body.length), body]);
}

export function sequence(...items: Buffer[]): Buffer {
  return tlv(Tag.SEQUENCE, ...items);
}

/** Explicitly tagged [n] wrapper around one encoded element. */
export function context(n: number, inner: Buffer): Buffer {
  return tlv(contextTag(n), inner);
}

export function octetString(value: Uint8Array): Buffer {
  return tlv(Tag.OCTET_STRING, Buffer.from(value));
}

/** Minimal two's-complement contents for a small integer (8.3.2). */
function integerContents(n: number): Buffer {
  if (!Number.isInteger(n) || n < -0x80000000 || n > 0x7fffffff) throw new RangeError('integer out of range');
  const out = Buffer.alloc(4);
  out.writeInt32BE(n);
  let i = 0;
  // Drop leading octets that only repeat the sign of the next one.
  while (i < 3 && ((out[i] === 0 && (out[i + 1]! & 0x80) === 0) || (out[i] === 0xff && (out[i + 1]! & 0x80) !== 0))) i++;
  return out.subarray(i);
}

export function enumerated(n: number): Buffer {
  return tlv(Tag.ENUMERATED, integerContents(n));
}

export function integer(n: number): Buffer {
  return tlv(Tag.INTEGER, integerContents(n));
}

export function bitString(bytes: Uint8Array, unusedBits = 0): Buffer {
  if (unusedBits < 0 || unusedBits > 7 || (bytes.length === 0 && unusedBits !== 0)) throw new RangeError('bad unused bits');
  return tlv(Tag.BIT_STRING, Buffer.from([unusedBits]), Buffer.from(bytes));
}

export function generalString(s: string): Buffer {
  return tlv(Tag.GENERAL_STRING, Buffer.from(s, 'latin1'));
}

/** X.690 8.19: dotted OID to a complete OBJECT IDENTIFIER TLV. */
export function oid(dotted: string): Buffer {
  return tlv(Tag.OID, encodeOidContents(dotted));
}

export function encodeOidContents(dotted: string): Buffer {
  const arcs = dotted.split('.').map((s) => {
    if (!/^\d+$/.test(s)) throw new RangeError(`bad OID ${dotted}`);
    const n = Number(s);
    if (!Number.isSafeInteger(n)) throw new RangeError(`bad OID ${dotted}`);
    return n;
  });
  if (arcs.length < 2 || arcs[0]! > 2 || (arcs[0]! < 2 && arcs[1]! > 39)) throw new RangeError(`bad OID ${dotted}`);
  const subs = [arcs[0]! * 40 + arcs[1]!, ...arcs.slice(2)];
  const out: number[] = [];
  for (const sub of subs) {
    const groups: number[] = [];
    let n = sub;
    do {
      groups.unshift(n % 128);
      n = Math.floor(n / 128);
    } while (n > 0);
    for (let i = 0; i < groups.length; i++) out.push(groups[i]! | (i < groups.length - 1 ? 0x80 : 0));
  }
  return Buffer.from(out);
}
