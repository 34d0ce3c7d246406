/**
 * Growable little-endian writer.
 *
 * Capacity doubles, so a message of n bytes costs O(log n) reallocations; a connection can keep one Writer
 * and `reset()` it per response. `finish()` returns a view of the written bytes (valid until the next write
 * or reset); `finishCopy()` returns an independent Buffer.
 */
export class Writer {
  private buf: Buffer;
  private pos = 0;

  constructor(initialCapacity = 512) {
    this.buf = Buffer.allocUnsafe(Math.max(16, initialCapacity));
  }

  /** Bytes written so far (the next write lands here). */
  get length(): number {
    return this.pos;
  }

  reset(): this {
    this.pos = 0;
    return this;
  }

  /** Make room for n more bytes. */
  ensure(n: number): void {
    const need = this.pos + n;
    if (need <= this.buf.length) return;
    let cap = this.buf.length * 2;
    while (cap < need) cap *= 2;
    const next = Buffer.allocUnsafe(cap);
    this.buf.copy(next, 0, 0, this.pos);
    this.buf = next;
  }

  u8(v: number): this {
    this.ensure(1);
    this.buf[this.pos++] = v & 0xff;
    return this;
  }

  u16(v: number): this {
    this.ensure(2);
    this.buf.writeUInt16LE(v & 0xffff, this.pos);
    this.pos += 2;
    return this;
  }

  u32(v: number): this {
    this.ensure(4);
    this.buf.writeUInt32LE(v >>> 0, this.pos);
    this.pos += 4;
    return this;
  }

  u64(v: bigint | number): this {
    this.ensure(8);
    this.buf.writeBigUInt64LE(BigInt.asUintN(64, BigInt(v)), this.pos);
    this.pos += 8;
    return this;
  }

  bytes(b: Uint8Array): this {
    this.ensure(b.length);
    this.buf.set(b, this.pos);
    this.pos += b.length;
    return this;
  }

  /** Exactly n bytes, zero-filling or truncating `b` (for fixed-width fields such as GUIDs). */
  fixed(b: Uint8Array | undefined, n: number): this {
    const len = b === undefined ? 0 : Math.min(b.length, n);
    if (b !== undefined && len > 0) this.bytes(b.subarray(0, len));
    return this.zeros(n - len);
  }

  zeros(n: number): this {
    if (n <= 0) return this;
    this.ensure(n);
    this.buf.fill(0, this.pos, this.pos + n);
    this.pos += n;
    return this;
  }

  /** Zero-pad up to a multiple of n counted from `base` (absolute; default 0). Returns the pad written. */
  align(n: number, base = 0): number {
    const r = (this.pos - base) % n;
    const pad = r === 0 ? 0 : n - r;
    this.zeros(pad);
    return pad;
  }

  /** Reserve a field to fill later; returns its position. */
  reserve(n: number): number {
    const at = this.pos;
    this.zeros(n);
    return at;
  }

  private patchCheck(at: number, n: number): void {
    if (at < 0 || at + n > this.pos) throw new RangeError(`patch [${at}, ${at + n}) outside written ${this.pos}`);
  }

  patchU8(at: number, v: number): this {
    this.patchCheck(at, 1);
    this.buf[at] = v & 0xff;
    return this;
  }

  patchU16(at: number, v: number): this {
    this.patchCheck(at, 2);
    this.buf.writeUInt16LE(v & 0xffff, at);
    return this;
  }

  patchU32(at: number, v: number): this {
    this.patchCheck(at, 4);
    this.buf.writeUInt32LE(v >>> 0, at);
    return this;
  }

  patchU64(at: number, v: bigint | number): this {
    this.patchCheck(at, 8);
    this.buf.writeBigUInt64LE(BigInt.asUintN(64, BigInt(v)), at);
    return this;
  }

  patchBytes(at: number, b: Uint8Array): this {
    this.patchCheck(at, b.length);
    this.buf.set(b, at);
    return this;
  }

  /** A view of written bytes [from, to) (valid until the next write or reset). */
  view(from = 0, to = this.pos): Buffer {
    return this.buf.subarray(from, to);
  }

  /** The written bytes as a view of the internal buffer (no copy; valid until the next write or reset). */
  finish(): Buffer {
    return this.buf.subarray(0, this.pos);
  }

  /** The written bytes in a Buffer of their own. */
  finishCopy(): Buffer {
    return Buffer.from(this.buf.subarray(0, this.pos));
  }
}
