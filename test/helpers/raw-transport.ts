// The socket half of the raw-frame test client (test/helpers/raw-client.ts): a TCP connection that sends
// whatever bytes it is given and cuts what comes back into Direct TCP frames (MS-SMB2 2.1: a zero byte and a
// 24-bit big-endian length before every message). Reading has a timeout and tells a closed connection apart
// from a silent one, because "the server dropped us" is an expected answer for many malformed inputs.
import {createConnection, type Socket} from 'node:net';

/** The peer closed (or reset) the connection while we were waiting for a frame. */
export class ConnectionClosedError extends Error {
  constructor(readonly detail = 'connection closed by the server') {
    super(detail);
    this.name = 'ConnectionClosedError';
  }
}

/** Nothing arrived in time; the connection is still open. */
export class RecvTimeoutError extends Error {
  constructor(ms: number) {
    super(`no frame within ${ms} ms`);
    this.name = 'RecvTimeoutError';
  }
}

/** The 4-byte Direct TCP header for `length` (the 24-bit field; larger values are truncated on purpose). */
export function netbiosHeader(length: number, firstByte = 0): Buffer {
  const h = Buffer.alloc(4);
  h[0] = firstByte & 0xff;
  h[1] = (length >>> 16) & 0xff;
  h[2] = (length >>> 8) & 0xff;
  h[3] = length & 0xff;
  return h;
}

export interface TransportOptions {
  host?: string;
  port: number;
  /** Source address (any 127.x.y.z works on Linux loopback: a second "client machine" for per-IP limits). */
  localAddress?: string;
  /** Connect timeout, ms. */
  connectTimeoutMs?: number;
}

export class RawTransport {
  readonly socket: Socket;
  #buf: Buffer = Buffer.alloc(0);
  readonly #frames: Buffer[] = [];
  #waiter: (() => void) | undefined;
  #closed = false;
  #closeReason = '';
  /** Bytes that did not form a frame (the server never sends these; kept for diagnosis). */
  garbage = 0;

  private constructor(socket: Socket) {
    this.socket = socket;
    socket.setNoDelay(true);
    socket.on('data', (d: Buffer) => {
      this.#buf = this.#buf.length === 0 ? d : Buffer.concat([this.#buf, d]);
      this.#cut();
      this.#wake();
    });
    const onEnd = (why: string) => {
      if (!this.#closed) {
        this.#closed = true;
        this.#closeReason = why;
      }
      this.#wake();
    };
    socket.on('end', () => onEnd('server closed the connection (FIN)'));
    socket.on('close', () => onEnd('connection closed'));
    socket.on('error', (e: NodeJS.ErrnoException) => onEnd(`socket error ${e.code ?? e.message}`));
  }

  static connect(o: TransportOptions): Promise<RawTransport> {
    return new Promise((resolve, reject) => {
      const s = createConnection({host: o.host ?? '127.0.0.1', port: o.port, localAddress: o.localAddress});
      const t = setTimeout(() => {
        s.destroy();
        reject(new Error(`connect to ${o.host ?? '127.0.0.1'}:${o.port} timed out`));
      }, o.connectTimeoutMs ?? 5000);
      s.once('connect', () => {
        clearTimeout(t);
        s.removeAllListeners('error');
        resolve(new RawTransport(s));
      });
      s.once('error', (e) => {
        clearTimeout(t);
        reject(e);
      });
    });
  }

  get closed(): boolean {
    return this.#closed;
  }

  get closeReason(): string {
    return this.#closeReason;
  }

  /** Frames received and not yet read. */
  get pending(): number {
    return this.#frames.length;
  }

  #cut(): void {
    while (this.#buf.length >= 4) {
      if (this.#buf[0] !== 0) {
        // Not a Direct TCP header: keep the bytes as one "frame" so a test can look at them.
        this.garbage += this.#buf.length;
        this.#frames.push(this.#buf);
        this.#buf = Buffer.alloc(0);
        return;
      }
      const len = (this.#buf[1]! << 16) | (this.#buf[2]! << 8) | this.#buf[3]!;
      if (this.#buf.length < 4 + len) return;
      this.#frames.push(Buffer.from(this.#buf.subarray(4, 4 + len)));
      this.#buf = this.#buf.subarray(4 + len);
    }
  }

  #wake(): void {
    const w = this.#waiter;
    this.#waiter = undefined;
    w?.();
  }

  /** Write bytes exactly as given (no framing). Silently ignored once the connection is closed. */
  write(bytes: Uint8Array): void {
    if (this.#closed || this.socket.destroyed) return;
    this.socket.write(bytes);
  }

  /** Write `payload` behind a Direct TCP header; `length` and `firstByte` override the header's fields. */
  writeFrame(payload: Uint8Array, o: {length?: number; firstByte?: number} = {}): void {
    this.write(Buffer.concat([netbiosHeader(o.length ?? payload.length, o.firstByte ?? 0), payload]));
  }

  /** The next frame's payload; throws ConnectionClosedError or RecvTimeoutError. */
  async nextFrame(timeoutMs = 5000): Promise<Buffer> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const f = this.#frames.shift();
      if (f) return f;
      if (this.#closed) throw new ConnectionClosedError(this.#closeReason);
      const left = deadline - Date.now();
      if (left <= 0) throw new RecvTimeoutError(timeoutMs);
      await new Promise<void>((resolve) => {
        const t = setTimeout(() => {
          this.#waiter = undefined;
          resolve();
        }, left);
        this.#waiter = () => {
          clearTimeout(t);
          resolve();
        };
      });
    }
  }

  /**
   * Wait until the server closes the connection; frames that arrive meanwhile are returned. Resolves
   * `closed: false` when the connection is still open after `timeoutMs`.
   */
  async waitClosed(timeoutMs = 5000): Promise<{closed: boolean; frames: Buffer[]}> {
    const frames: Buffer[] = [];
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      try {
        frames.push(await this.nextFrame(Math.max(1, deadline - Date.now())));
      } catch (e) {
        if (e instanceof ConnectionClosedError) return {closed: true, frames};
        if (e instanceof RecvTimeoutError) return {closed: false, frames};
        throw e;
      }
    }
  }

  /** Close our side and wait for the socket to go away. */
  async close(): Promise<void> {
    if (this.socket.destroyed) return;
    await new Promise<void>((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.destroy();
    });
  }
}
