// Reading an accepted socket into buffers of ours (src/engine/receive.ts): every byte arrives, in order,
// in the buffers next() hands out; pause()/resume() still hold reads back; sockets that cannot be switched
// are left alone (the connection then keeps 'data' events).
import {randomBytes} from 'node:crypto';
import {createServer, connect, Socket, type Server} from 'node:net';
import {afterEach, describe, expect, it} from 'vitest';
import {CIPHER_AES_128_CCM, CIPHER_AES_128_GCM, encryptMessage, GcmInPlaceDecrypt, NonceSequence} from '../../../src/crypto/seal.js';
import {EarlyDecrypts, readIntoBuffers} from '../../../src/engine/receive.js';

let server: Server | undefined;
const clients: Socket[] = [];

afterEach(async () => {
  for (const c of clients.splice(0)) c.destroy();
  await new Promise<void>((r) => (server ? server.close(() => r()) : r()));
  server = undefined;
});

/** A listening server whose accepted sockets go to `onSocket`; returns a connected client. */
async function pair(onSocket: (s: Socket) => void): Promise<Socket> {
  const srv = createServer(onSocket);
  server = srv;
  await new Promise<void>((r) => srv.listen(0, '127.0.0.1', () => r()));
  const port = (srv.address() as {port: number}).port;
  const c = connect(port, '127.0.0.1');
  clients.push(c);
  await new Promise<void>((r) => c.once('connect', () => r()));
  return c;
}

describe('readIntoBuffers', () => {
  it('delivers every byte, in order, into the buffers next() names (small and large ones in turn)', async () => {
    const data = randomBytes(5 * 1024 * 1024 + 17);
    const got = Buffer.alloc(data.length);
    let at = 0;
    let reads = 0;
    let switched: boolean | undefined;
    const small = Buffer.alloc(1000);
    const done = new Promise<void>((resolve) => {
      void pair((s) => {
        // Alternate: a small scratch buffer, then a view of the destination for the next 3 MiB at most.
        let direct: Buffer | undefined;
        const next = (): Buffer => {
          direct = reads % 2 === 1 ? got.subarray(at, Math.min(got.length, at + 3 * 1024 * 1024)) : undefined;
          return direct !== undefined && direct.length > 0 ? direct : small;
        };
        switched = readIntoBuffers(s, next, (n, buf) => {
          reads++;
          if (buf === direct) expect(buf.buffer).toBe(got.buffer);
          else buf.copy(got, at, 0, n);
          at += n;
          if (at === data.length) resolve();
        });
      }).then((c) => c.write(data));
    });
    await done;
    expect(switched).toBe(true);
    expect(got.equals(data)).toBe(true);
    expect(reads).toBeGreaterThan(1);
  });

  it('pause() stops reads into the buffers until resume()', async () => {
    let accepted: Socket | undefined;
    let total = 0;
    const buf = Buffer.alloc(4096);
    const c = await pair((s) => {
      accepted = s;
      expect(readIntoBuffers(s, () => buf, (n) => (total += n))).toBe(true);
      s.pause();
    });
    // Once the kernel has the bytes, let the event loop turn a few times: nothing may be read while paused.
    await new Promise<void>((r) => c.write(randomBytes(10_000), () => r()));
    for (let i = 0; i < 3; i++) await new Promise((r) => setTimeout(r, 10));
    expect(total).toBe(0);
    const all = new Promise<void>((resolve) => {
      const check = setInterval(() => {
        if (total === 10_000) {
          clearInterval(check);
          resolve();
        }
      }, 5);
    });
    accepted!.resume();
    await all;
    expect(total).toBe(10_000);
  });

  it('leaves alone a socket that has already read data, and one without a handle', async () => {
    const chunks: Buffer[] = [];
    const done = new Promise<void>((resolve) => {
      void pair((s) => {
        s.once('readable', () => {
          // Data is already in the stream's buffer: switching now would lose it.
          expect(readIntoBuffers(s, () => Buffer.alloc(64), () => undefined)).toBe(false);
          s.on('data', (d: Buffer) => {
            chunks.push(d);
            if (Buffer.concat(chunks).toString() === 'hello there') resolve();
          });
        });
      }).then((c) => c.write('hello there'));
    });
    await done;
    expect(Buffer.concat(chunks).toString()).toBe('hello there');
    expect(readIntoBuffers(new Socket(), () => Buffer.alloc(64), () => undefined)).toBe(false);
  });
});

describe('EarlyDecrypts', () => {
  const key = randomBytes(16);
  const session = {};
  const keyFor = (id: bigint) => (id === 5n ? {session, key, cipherId: CIPHER_AES_128_GCM} : undefined);

  it('begins a large GCM TRANSFORM as it arrives; take() hands it over once, and finish() gives the plaintext', () => {
    const pt = randomBytes(2 * 1024 * 1024);
    const frame = encryptMessage(key, CIPHER_AES_128_GCM, 5n, pt, new NonceSequence(CIPHER_AES_128_GCM).next());
    const e = new EarlyDecrypts();
    for (const filled of [30, 52, 100_000, 1_500_000]) e.update({frame, filled}, keyFor);
    e.update(undefined, keyFor);
    const b = e.take(frame)!;
    expect(b.session).toBe(session);
    expect(b.key).toBe(key);
    // A frame not held in shared memory is decrypted on this thread.
    expect(b.g).toBeInstanceOf(GcmInPlaceDecrypt);
    expect((b.g as GcmInPlaceDecrypt).finish().equals(pt)).toBe(true);
    expect(e.take(frame)).toBeUndefined();
  });

  it('leaves alone plain SMB2 frames, other sessions, CCM and small messages', () => {
    const e = new EarlyDecrypts();
    const pt = randomBytes(1024 * 1024);
    const other = encryptMessage(key, CIPHER_AES_128_GCM, 6n, pt, new NonceSequence(CIPHER_AES_128_GCM).next());
    const ccm = encryptMessage(key, CIPHER_AES_128_CCM, 5n, pt, new NonceSequence(CIPHER_AES_128_CCM).next());
    const small = encryptMessage(key, CIPHER_AES_128_GCM, 5n, randomBytes(1000), new NonceSequence(CIPHER_AES_128_GCM).next());
    const plain = Buffer.concat([Buffer.from([0xfe, 0x53, 0x4d, 0x42]), randomBytes(1024 * 1024)]);
    const ccmKeyFor = (id: bigint) => (id === 5n ? {session, key, cipherId: CIPHER_AES_128_CCM} : undefined);
    for (const [frame, k] of [[other, keyFor], [ccm, ccmKeyFor], [small, keyFor], [plain, keyFor]] as const) {
      const copy = Buffer.from(frame);
      e.update({frame: copy, filled: copy.length}, k);
      expect(e.take(copy)).toBeUndefined();
      expect(copy.equals(frame), 'nothing decrypted in place').toBe(true);
    }
  });
});
