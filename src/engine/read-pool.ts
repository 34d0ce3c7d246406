/**
 * A connection's pool of READ payload buffers (issue 8). Large READ payloads are filled by the file read
 * and sent as a response's tail; taking them from a few reusable buffers instead of allocating 8 MiB per
 * READ keeps the garbage collector out of bulk reads. A buffer goes back to the pool once the socket has
 * written it (the write callbacks come in write order: written()) or right after sealing, which copies it.
 * Each buffer keeps HEAD_ROOM bytes free in front of the payload: when the cipher needs the whole message
 * in one buffer (CCM), the response's header and body are copied there and the message is sealed in
 * place of a joined 8 MiB copy (joinInPlace).
 */

/** READ payloads at least this long come from the pool. */
const POOLED_READ_MIN = 1024 * 1024;
/** Spare buffers kept per connection. */
const POOL_SIZE = 3;
const HEAD_ROOM = 128;

export class ReadPayloadPool {
  readonly #spare: Buffer[] = [];
  /** Every buffer this pool handed out (by their ArrayBuffers). */
  readonly #ours = new WeakSet<ArrayBufferLike>();
  /** Pooled payloads the socket is still writing, oldest first. */
  readonly #writing: Buffer[] = [];
  /** Socket write callback of a pooled payload (see sending()). */
  readonly written = (): void => {
    const t = this.#writing.shift();
    if (t) this.recycle(t);
  };

  /** A buffer for `n` payload bytes (not zeroed); pooled when n is large and at most `maxReadSize`. */
  take(n: number, maxReadSize: number): Buffer {
    if (n < POOLED_READ_MIN || n > maxReadSize) return Buffer.allocUnsafe(n);
    let b = this.#spare.pop();
    if (!b || b.length < HEAD_ROOM + n) {
      b = Buffer.allocUnsafe(HEAD_ROOM + maxReadSize);
      this.#ours.add(b.buffer);
    }
    return b.subarray(HEAD_ROOM, HEAD_ROOM + n);
  }

  /** Whether `tail` is one of ours (then the socket must call written() once it has sent it). */
  owns(tail: Buffer): boolean {
    return this.#ours.has(tail.buffer);
  }

  /** `tail` is being written by the socket; its callback must be written(). */
  sending(tail: Buffer): void {
    this.#writing.push(tail);
  }

  /** `message` copied into the room in front of a pooled payload `tail`: the two as one view, or undefined. */
  joinInPlace(message: Buffer, tail: Buffer): Buffer | undefined {
    if (!this.#ours.has(tail.buffer) || tail.byteOffset < message.length) return undefined;
    const joined = Buffer.from(tail.buffer, tail.byteOffset - message.length, message.length + tail.length);
    message.copy(joined, 0);
    return joined;
  }

  /** A payload nothing refers to any more goes back to the pool (anything not ours is ignored). */
  recycle(t: Buffer): void {
    const ab = t.buffer;
    if (!this.#ours.has(ab) || this.#spare.length >= POOL_SIZE) return;
    for (const b of this.#spare) if (b.buffer === ab) return;
    this.#spare.push(Buffer.from(ab, 0, ab.byteLength));
  }

  /** Idle: the spare buffers go (buffers in use still come back as before). */
  releaseSpare(): void {
    this.#spare.length = 0;
  }
}
