/**
 * Large AES-GCM TRANSFORM messages decrypted in place on one thread of their own (gcm-worker.ts), while
 * they arrive. Only frames held in SharedArrayBuffers can go there (FrameParser's assembly buffers are);
 * when the worker's code is not there (running from the TypeScript sources) or the worker died, start()
 * returns undefined and the caller decrypts on its own thread (GcmInPlaceDecrypt).
 */
import {existsSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {Worker} from 'node:worker_threads';
import type {FromWorker, ToWorker} from './gcm-worker.js';
import {GCM_IN_PLACE_MIN, gcmCipherName, TRANSFORM_HEADER_SIZE} from './seal.js';

const WORKER_URL = new URL('./gcm-worker.js', import.meta.url);
/** How much more of a message must have arrived before the worker is told (a message per read costs more). */
const FEED_STEP = 512 * 1024;

/** A worker with nothing to do for this long ends (its heap is memory an idle server need not hold). */
const IDLE_MS = 5_000;
/** Told each time an idle worker has ended (the daemon then hands the freed memory back: daemon/memory.ts). */
const retiredListeners = new Set<() => void>();

/** Call `fn` whenever an idle worker has ended; returns the function that stops it. */
export function onGcmWorkerRetired(fn: () => void): () => void {
  retiredListeners.add(fn);
  return () => retiredListeners.delete(fn);
}

let worker: Worker | undefined;
let broken = !existsSync(fileURLToPath(WORKER_URL));
let nextId = 1;
const waiting = new Map<number, (ok: boolean) => void>();
let lastUse = 0;
/** Messages handed to the worker and not yet finished or dropped. */
let live = 0;
let idleTimer: NodeJS.Timeout | undefined;

function retireWhenIdle(): void {
  idleTimer = undefined;
  const w = worker;
  if (!w) return;
  const left = lastUse + IDLE_MS - Date.now();
  if (left > 0 || live > 0 || waiting.size > 0) {
    idleTimer = setTimeout(retireWhenIdle, Math.max(left, 1000)).unref();
    return;
  }
  worker = undefined;
  w.removeAllListeners();
  void w.terminate().then(() => {
    for (const fn of retiredListeners) fn();
  });
}

function theWorker(): Worker | undefined {
  if (broken) return undefined;
  lastUse = Date.now();
  idleTimer ??= setTimeout(retireWhenIdle, IDLE_MS).unref();
  if (worker) return worker;
  try {
    const w = new Worker(WORKER_URL);
    w.unref();
    w.on('message', (m: FromWorker) => {
      const r = waiting.get(m.id);
      waiting.delete(m.id);
      r?.(m.ok);
    });
    const fail = (): void => {
      // Everything in flight fails (its connection drops); later messages decrypt on the main thread.
      broken = true;
      worker = undefined;
      for (const r of waiting.values()) r(false);
      waiting.clear();
    };
    w.on('error', fail);
    w.on('exit', fail);
    worker = w;
    return w;
  } catch {
    broken = true;
    return undefined;
  }
}

/** One message being decrypted by the worker. */
export class OffloadedGcm {
  #state: 'open' | 'finishing' | 'closed' = 'open';
  #told = 0;

  private constructor(
    private readonly w: Worker,
    private readonly id: number,
    private readonly ciphertext: Buffer,
  ) {}

  /**
   * Hand `message` (a whole TRANSFORM message's buffer, at least its header there, held in a
   * SharedArrayBuffer) to the worker; undefined when it cannot go (see the module comment), not GCM, too
   * short, or a header decryptMessage() refuses.
   */
  static start(key: Buffer, cipherId: number, message: Buffer): OffloadedGcm | undefined {
    if (!(message.buffer instanceof SharedArrayBuffer)) return undefined;
    const name = gcmCipherName(cipherId, key);
    const n = message.length - TRANSFORM_HEADER_SIZE;
    if (name === undefined || n < GCM_IN_PLACE_MIN) return undefined;
    if (message.readUInt16LE(42) !== 0x0001 || message.readUInt32LE(36) !== n) return undefined;
    const w = theWorker();
    if (!w) return undefined;
    const id = nextId++;
    const ivLength = 12;
    const m: ToWorker = {
      op: 'start',
      id,
      sab: message.buffer,
      offset: message.byteOffset + TRANSFORM_HEADER_SIZE,
      length: n,
      name,
      key: Uint8Array.from(key),
      iv: Uint8Array.from(message.subarray(20, 20 + ivLength)),
      aad: Uint8Array.from(message.subarray(20, TRANSFORM_HEADER_SIZE)),
      tag: Uint8Array.from(message.subarray(4, 20)),
    };
    w.postMessage(m);
    live++;
    return new OffloadedGcm(w, id, message.subarray(TRANSFORM_HEADER_SIZE));
  }

  /** The message's first `arrived` bytes are there (told to the worker in steps of FEED_STEP at least). */
  feed(arrived: number): void {
    if (this.#state !== 'open' || arrived - this.#told < FEED_STEP) return;
    this.#told = arrived;
    this.w.postMessage({op: 'feed', id: this.id, arrived: arrived - TRANSFORM_HEADER_SIZE} satisfies ToWorker);
  }

  /** All of it is there: the plaintext (the ciphertext's own bytes) once the tag verified, else undefined. */
  finish(): Promise<Buffer | undefined> {
    if (this.#state !== 'open') return Promise.resolve(undefined);
    this.#state = 'finishing';
    live--;
    if (broken || worker !== this.w) return Promise.resolve(undefined);
    return new Promise((resolve) => {
      waiting.set(this.id, (ok) => {
        this.#state = 'closed';
        resolve(ok ? this.ciphertext : undefined);
      });
      this.w.postMessage({op: 'finish', id: this.id} satisfies ToWorker);
    });
  }

  /** Not to be finished (its connection is gone): the worker forgets it. */
  drop(): void {
    if (this.#state !== 'open') return;
    this.#state = 'closed';
    live--;
    if (worker === this.w) this.w.postMessage({op: 'drop', id: this.id} satisfies ToWorker);
  }
}
