/**
 * Bounds-checked little-endian reader over a Buffer window [start, end).
 *
 * Positions are absolute offsets into `buf`, so an SMB2 offset "from the beginning of the SMB2 header" becomes
 * `headerStart + offset` with no arithmetic on sub-buffers. Every read past `end` throws MalformedPacket;
 * `bytes()` returns a view (subarray) and never copies.
 */
import {MalformedPacket} from './errors.js';

export class Reader {
  readonly buf: Buffer;
  /** First readable byte (absolute). */
  readonly start: number;
  /** One past the last readable byte (absolute). */
  readonly end: number;
  /** Current position (absolute). */
  offset: number;

  constructor(buf: Buffer, start = 0, end = buf.length) {
    if (!Number.isInteger(start) || !Number.isInteger(end) || start < 0 || end > buf.length || start > end) {
      throw new MalformedPacket(`reader window [${start}, ${end}) outside buffer of ${buf.length}`);
    }
    this.buf = buf;
    this.start = start;
    this.end = end;
    this.offset = start;
  }

  /** Bytes left between the position and the end of the window. */
  get remaining(): number {
    return this.end - this.offset;
  }

  /** Length of the whole window. */
  get length(): number {
    return this.end - this.start;
  }

  private need(n: number): number {
    const at = this.offset;
    if (n < 0 || !Number.isInteger(n) || at + n > this.end) {
      throw new MalformedPacket(`need ${n} bytes, ${this.end - at} left`, at);
    }
    this.offset = at + n;
    return at;
  }

  u8(): number {
    return this.buf[this.need(1)]!;
  }

  u16(): number {
    return this.buf.readUInt16LE(this.need(2));
  }

  u32(): number {
    return this.buf.readUInt32LE(this.need(4));
  }

  i32(): number {
    return this.buf.readInt32LE(this.need(4));
  }

  u64(): bigint {
    return this.buf.readBigUInt64LE(this.need(8));
  }

  /** 64-bit field that must fit a JS number (lengths, sizes); larger values are malformed for our purposes. */
  u64n(): number {
    const at = this.offset;
    const v = this.u64();
    if (v > BigInt(Number.MAX_SAFE_INTEGER)) throw new MalformedPacket('64-bit value exceeds 2^53-1', at);
    return Number(v);
  }

  /** A view of the next n bytes (no copy). */
  bytes(n: number): Buffer {
    const at = this.need(n);
    return this.buf.subarray(at, at + n);
  }

  /** A private copy of the next n bytes, for small fields that outlive the receive buffer (GUIDs, FileIds). */
  copy(n: number): Buffer {
    return Buffer.from(this.bytes(n));
  }

  skip(n: number): this {
    this.need(n);
    return this;
  }

  /** Move to an absolute position inside the window (end included). */
  seek(pos: number): this {
    if (!Number.isInteger(pos) || pos < this.start || pos > this.end) {
      throw new MalformedPacket(`seek to ${pos} outside [${this.start}, ${this.end}]`, this.offset);
    }
    this.offset = pos;
    return this;
  }

  /** Skip padding up to the next multiple of `n`, counted from `base` (absolute; default the window start). */
  align(n: number, base = this.start): this {
    const pad = padTo(this.offset - base, n);
    if (pad > 0) this.skip(pad);
    return this;
  }

  /** Like align(), but tolerates the window ending inside the padding (trailing padding is optional). */
  alignOrEnd(n: number, base = this.start): this {
    const pad = padTo(this.offset - base, n);
    this.offset = Math.min(this.offset + pad, this.end);
    return this;
  }

  /** A view of [pos, pos+len) at absolute positions, checked against the window. Does not move. */
  slice(pos: number, len: number): Buffer {
    if (!Number.isInteger(pos) || !Number.isInteger(len) || len < 0 || pos < this.start || pos + len > this.end) {
      throw new MalformedPacket(`range [${pos}, ${pos + len}) outside [${this.start}, ${this.end})`, this.offset);
    }
    return this.buf.subarray(pos, pos + len);
  }

  /** A new Reader over [pos, pos+len) of the same buffer, checked against this window. */
  sub(pos: number, len: number): Reader {
    this.slice(pos, len);
    return new Reader(this.buf, pos, pos + len);
  }
}

/** Padding bytes needed to bring `len` to a multiple of `n`. */
export function padTo(len: number, n: number): number {
  const r = len % n;
  return r === 0 ? 0 : n - r;
}
