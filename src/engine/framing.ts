/**
 * Direct TCP transport framing (MS-SMB2 2.1): every message is preceded by a 4-byte header, a zero byte
 * and a 24-bit big-endian length ("The first byte of the Direct TCP transport packet header MUST be zero").
 * The parser enforces a hard cap on the length so a client cannot make us buffer more than the largest
 * message the negotiated limits allow; anything else is a ConnectionError.
 */
import {ConnectionError} from './errors.js';

export const FRAME_HEADER_SIZE = 4;
/** The 24-bit length field's ceiling. */
export const MAX_FRAME_LENGTH = 0xffffff;
/** Frames at least this long that span chunks are assembled in a recycled buffer (see release()). */
export const POOLED_FRAME_MIN = 1024 * 1024;
/** Assembly buffers kept per parser for reuse. */
const POOL_SIZE = 2;

export class FrameParser {
  readonly #chunks: Buffer[] = [];
  #buffered = 0;
  /** Length of the frame being collected, or -1 while its header is incomplete. */
  #need = -1;
  /**
   * A large frame being assembled as its bytes arrive (each chunk copied in on arrival, not all at once
   * when the last one comes): its buffer and how much of it is filled.
   */
  #asm: Buffer | undefined;
  #filled = 0;
  /** Released assembly buffers (maxLength bytes each), and every one this parser handed out. */
  readonly #pool: Buffer[] = [];
  readonly #ours = new WeakSet<ArrayBufferLike>();

  constructor(private readonly maxLength: number) {
    if (maxLength > MAX_FRAME_LENGTH) this.maxLength = MAX_FRAME_LENGTH;
  }

  /** Bytes held for a frame not yet complete. */
  get buffered(): number {
    return this.#buffered + this.#filled;
  }

  /**
   * Feed bytes; returns the complete frames they finish (views when a frame lies inside one chunk).
   * Zero-length frames carry nothing and are skipped. Throws ConnectionError on a framing violation.
   */
  push(chunk: Buffer, out: Buffer[] = []): Buffer[] {
    if (chunk.length === 0) return out;
    const asm = this.#asm;
    if (asm !== undefined) {
      const k = Math.min(chunk.length, this.#need - this.#filled);
      chunk.copy(asm, this.#filled, 0, k);
      this.#filled += k;
      if (this.#filled < this.#need) return out;
      out.push(asm);
      this.#asm = undefined;
      this.#filled = 0;
      this.#need = -1;
      if (k === chunk.length) return out;
      chunk = chunk.subarray(k);
    }
    this.#chunks.push(chunk);
    this.#buffered += chunk.length;
    for (;;) {
      if (this.#need < 0) {
        if (this.#buffered < FRAME_HEADER_SIZE) return out;
        const head = this.#take(FRAME_HEADER_SIZE);
        if (head[0] !== 0) throw new ConnectionError(`framing: first header byte is 0x${head[0]!.toString(16)}, MUST be zero`);
        const len = (head[1]! << 16) | (head[2]! << 8) | head[3]!;
        if (len > this.maxLength) throw new ConnectionError(`framing: message of ${len} bytes exceeds the ${this.maxLength}-byte cap`);
        this.#need = len;
        if (len === 0) {
          this.#need = -1;
          continue;
        }
      }
      if (this.#buffered < this.#need) {
        if (this.#need >= POOLED_FRAME_MIN) {
          // Everything buffered belongs to this frame: move it into the assembly buffer now.
          const a = this.#assemblyBuffer(this.#need);
          let at = 0;
          for (const c of this.#chunks) {
            c.copy(a, at);
            at += c.length;
          }
          this.#chunks.length = 0;
          this.#buffered = 0;
          this.#asm = a;
          this.#filled = at;
        }
        return out;
      }
      out.push(this.#take(this.#need));
      this.#need = -1;
    }
  }

  /**
   * Where the rest of the large frame being assembled goes (exactly its missing bytes), or undefined when
   * no large frame is in progress: a socket may read straight into it and report with advance().
   */
  target(): Buffer | undefined {
    return this.#asm?.subarray(this.#filled, this.#need);
  }

  /** The large frame being assembled (its whole buffer) and how many of its bytes are there, or undefined. */
  assembling(): {frame: Buffer; filled: number} | undefined {
    return this.#asm === undefined ? undefined : {frame: this.#asm, filled: this.#filled};
  }

  /** `n` bytes were written into the start of target(); returns the frame when that completes it. */
  advance(n: number, out: Buffer[] = []): Buffer[] {
    const asm = this.#asm;
    if (asm === undefined || !(n > 0) || n > this.#need - this.#filled) throw new RangeError(`advance(${n}) past the frame being assembled`);
    this.#filled += n;
    if (this.#filled === this.#need) {
      out.push(asm);
      this.#asm = undefined;
      this.#filled = 0;
      this.#need = -1;
    }
    return out;
  }

  /** Remove n buffered bytes (n <= buffered): a view when the first chunk holds them all. */
  #take(n: number): Buffer {
    this.#buffered -= n;
    const first = this.#chunks[0]!;
    if (first.length >= n) {
      if (first.length === n) this.#chunks.shift();
      else this.#chunks[0] = first.subarray(n);
      return first.subarray(0, n);
    }
    const out = n >= POOLED_FRAME_MIN ? this.#assemblyBuffer(n) : Buffer.allocUnsafe(n);
    let at = 0;
    while (at < n) {
      const c = this.#chunks[0]!;
      const k = Math.min(c.length, n - at);
      c.copy(out, at, 0, k);
      at += k;
      if (k === c.length) this.#chunks.shift();
      else this.#chunks[0] = c.subarray(k);
    }
    return out;
  }

  #assemblyBuffer(n: number): Buffer {
    const b = this.#pool.pop();
    if (b) return b.subarray(0, n);
    // Shared memory: a large encrypted message can be decrypted in place by another thread (gcm-offload.ts).
    const fresh = Buffer.from(new SharedArrayBuffer(this.maxLength));
    this.#ours.add(fresh.buffer);
    return fresh.subarray(0, n);
  }

  /**
   * Hand back a frame the caller is completely done with (nothing refers to its bytes any more, no I/O
   * reads from it): when this parser assembled it in a buffer of its own, the next large frame reuses that
   * buffer instead of allocating (8 MiB WRITEs otherwise cost the garbage collector more than the copy).
   * Anything else is ignored.
   */
  release(frame: Buffer): void {
    const ab = frame.buffer;
    if (frame.byteOffset !== 0 || !this.#ours.has(ab) || this.#pool.length >= POOL_SIZE) return;
    for (const b of this.#pool) if (b.buffer === ab) return; // released twice: keep it once
    this.#pool.push(Buffer.from(ab, 0, this.maxLength));
  }
}

/** The 4-byte Direct TCP header for a message of `length` bytes. */
export function frameHeader(length: number): Buffer {
  if (length > MAX_FRAME_LENGTH) throw new RangeError(`message of ${length} bytes does not fit Direct TCP framing`);
  const h = Buffer.allocUnsafe(FRAME_HEADER_SIZE);
  h[0] = 0;
  h[1] = (length >>> 16) & 0xff;
  h[2] = (length >>> 8) & 0xff;
  h[3] = length & 0xff;
  return h;
}
