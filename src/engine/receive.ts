/**
 * Reading a connection's socket into buffers of our choosing (Node's `onread` socket option, which
 * net.Server does not offer for the sockets it accepts). The body of a large frame is read by the kernel
 * straight into the frame's assembly buffer (FrameParser.target()), in reads as large as the data
 * waiting: no 64 KiB buffer allocated per read (each one external memory the garbage collector must
 * track and free: for an 8 MiB WRITE stream that was most of its GC work), and no copy.
 *
 * Node 20's net.Socket implements `onread` with three own symbol-keyed properties (kBuffer, kBufferCb,
 * kBufferGen) and the handle's useUserBuffer(); a Socket built with `onread` sets them in its constructor,
 * here they are set on an accepted socket before its first read is delivered. When this Node's sockets do
 * not look like that, nothing is changed and the caller keeps 'data' events.
 */
import type {Socket} from 'node:net';
import {OffloadedGcm} from '../crypto/gcm-offload.js';
import {GcmInPlaceDecrypt, TRANSFORM_HEADER_SIZE} from '../crypto/seal.js';
import {sniffProtocol} from '../smb2/header.js';
import type {FrameParser} from './framing.js';

/** Reads that are not the body of a large frame land in one buffer this long, copied out as they come. */
const READ_SCRATCH = 64 * 1024;

interface UserBufferHandle {
  useUserBuffer(buf: Uint8Array): void;
}

/**
 * Make `socket` read into `next()`'s buffers: `onRead(n, buf)` gets each read (the first n bytes of buf,
 * which must be copied if kept past the next read of that same buffer), then `next()` is asked where the
 * following read goes. Returns false (and changes nothing) when the socket cannot be switched: a socket
 * that already delivered data, or Node internals not as expected.
 */
export function readIntoBuffers(socket: Socket, next: () => Buffer, onRead: (n: number, buf: Buffer) => void): boolean {
  const symbols = Object.getOwnPropertySymbols(socket);
  const sym = (name: string): symbol | undefined => symbols.find((s) => s.description === name);
  const kBuffer = sym('kBuffer');
  const kBufferCb = sym('kBufferCb');
  const kBufferGen = sym('kBufferGen');
  const handle = (socket as unknown as {_handle?: Partial<UserBufferHandle> | null})._handle;
  if (!kBuffer || !kBufferCb || !kBufferGen || !handle || typeof handle.useUserBuffer !== 'function') return false;
  const s = socket as unknown as Record<symbol, unknown>;
  if (s[kBuffer] !== null || s[kBufferCb] !== null || s[kBufferGen] !== null) return false;
  if (socket.readableLength > 0 || socket.bytesRead > 0 || socket.destroyed) return false;
  const first = next();
  s[kBuffer] = first;
  // Node calls this with the buffer it read into, then kBufferGen for the next one (a return of false
  // would pause the socket: backpressure stays with pause()/resume(), which honour these buffers).
  s[kBufferCb] = (n: number, buf: Buffer): boolean => {
    onRead(n, buf);
    return true;
  };
  s[kBufferGen] = next;
  handle.useUserBuffer(first);
  return true;
}

/**
 * A connection's reads: the body of the large frame being assembled goes straight into it (the parser's
 * target()); anything else lands in one scratch buffer and is copied out. `onBytes(chunk, n)` gets each
 * read: a copy to push() into the parser, or undefined when the n bytes are already in place (advance()).
 */
export class ReadBuffers {
  #scratch: Buffer | undefined;
  #direct: Buffer | undefined;

  constructor(
    private readonly parser: FrameParser,
    private readonly onBytes: (chunk: Buffer | undefined, n: number) => void,
  ) {}

  /** Switch `socket` to these buffers; false when it cannot be (the caller keeps 'data' events). */
  attach(socket: Socket): boolean {
    return readIntoBuffers(socket, this.#next, this.#onRead);
  }

  readonly #next = (): Buffer => {
    const t = this.parser.target();
    this.#direct = t;
    return t ?? (this.#scratch ??= Buffer.allocUnsafe(READ_SCRATCH));
  };

  readonly #onRead = (n: number, buf: Buffer): void => {
    if (buf === this.#direct) {
      this.#direct = undefined;
      this.onBytes(undefined, n);
      return;
    }
    // The scratch buffer takes the next read: keep a copy.
    const chunk = Buffer.allocUnsafe(n);
    buf.copy(chunk, 0, 0, n);
    this.onBytes(chunk, n);
  };
}

/**
 * Decryption begun on a frame while it arrived (on the worker thread when the frame's buffer can be
 * shared with it, else here), with the key and the session that key belongs to.
 */
export interface Begun {
  g: GcmInPlaceDecrypt | OffloadedGcm;
  session: object;
  key: Buffer;
}

/**
 * Large AES-GCM TRANSFORM messages decrypted in place while they arrive, so that little is left when one
 * is complete. Only the work moves earlier: the connection still checks everything in arrival order and
 * takes (take()) what was begun only for the same session and key; nothing reads the plaintext before
 * finish() has verified the tag.
 */
export class EarlyDecrypts {
  /** By frame buffer; undefined: looked at, not one to begin early. Only TRANSFORM frames get an entry. */
  readonly #begun = new Map<Buffer, Begun | undefined>();

  /**
   * After each read: the frame being assembled (FrameParser.assembling()), and which session key would
   * decrypt a frame (by its SessionId), if any.
   */
  update(a: {frame: Buffer; filled: number} | undefined, keyFor: (sessionId: bigint) => {session: object; key: Buffer; cipherId: number} | undefined): void {
    if (a === undefined || a.filled < TRANSFORM_HEADER_SIZE || sniffProtocol(a.frame) !== 'transform') return;
    let b = this.#begun.get(a.frame);
    if (b === undefined && !this.#begun.has(a.frame)) {
      const k = keyFor(a.frame.readBigUInt64LE(44));
      const g = k ? (OffloadedGcm.start(k.key, k.cipherId, a.frame) ?? GcmInPlaceDecrypt.start(k.key, k.cipherId, a.frame)) : undefined;
      b = g ? {g, session: k!.session, key: k!.key} : undefined;
      this.#begun.set(a.frame, b);
    }
    b?.g.feed(a.filled);
  }

  /** What was begun on this complete frame (once; every TRANSFORM frame must be taken). */
  take(frame: Buffer): Begun | undefined {
    const b = this.#begun.get(frame);
    this.#begun.delete(frame);
    return b;
  }

  /** The connection is gone: what the worker holds for it is dropped. */
  clear(): void {
    for (const b of this.#begun.values()) if (b?.g instanceof OffloadedGcm) b.g.drop();
    this.#begun.clear();
  }
}
