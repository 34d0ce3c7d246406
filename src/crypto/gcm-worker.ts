/**
 * The thread that decrypts large AES-GCM TRANSFORM messages in place (src/crypto/gcm-offload.ts): the
 * frame buffers are SharedArrayBuffers the socket reads into; this thread is told where a message's
 * ciphertext is, how much of it has arrived, and when it is complete, and answers whether its tag verified.
 * node:crypto's update() allocates an output buffer for every piece (a gigabyte of them per gigabyte
 * written); here the garbage collector finds them in a heap of a few megabytes, beside the main thread's
 * work instead of inside it.
 */
import {createDecipheriv, type DecipherGCM} from 'node:crypto';
import {parentPort} from 'node:worker_threads';

const PIECE = 64 * 1024;

interface Job {
  d: DecipherGCM;
  ct: Buffer;
  done: number;
}

export type ToWorker =
  | {op: 'start'; id: number; sab: SharedArrayBuffer; offset: number; length: number; name: string; key: Uint8Array; iv: Uint8Array; aad: Uint8Array; tag: Uint8Array}
  | {op: 'feed'; id: number; arrived: number}
  | {op: 'finish'; id: number}
  | {op: 'drop'; id: number};

export interface FromWorker {
  id: number;
  ok: boolean;
}

const jobs = new Map<number, Job>();

/** Decrypt pieces over themselves up to `end` (a piece boundary or the end of the ciphertext). */
function run(j: Job, end: number): void {
  while (j.done < end) {
    const to = Math.min(end, j.done + PIECE);
    const p = j.d.update(j.ct.subarray(j.done, to));
    if (p.length !== to - j.done) throw new Error('AES-GCM returned a short piece');
    // fill() copies with one native memcpy; copy() (TypedArray.prototype.set) into shared memory is far slower.
    j.ct.fill(p, j.done, to);
    j.done = to;
  }
}

parentPort?.on('message', (m: ToWorker) => {
  switch (m.op) {
    case 'start': {
      const ct = Buffer.from(m.sab, m.offset, m.length);
      const d = createDecipheriv(m.name as 'aes-128-gcm', m.key, m.iv);
      d.setAAD(m.aad);
      d.setAuthTag(m.tag);
      jobs.set(m.id, {d, ct, done: 0});
      break;
    }
    case 'feed': {
      const j = jobs.get(m.id);
      if (j) {
        const upTo = Math.min(j.ct.length, m.arrived);
        run(j, upTo - (upTo % PIECE));
      }
      break;
    }
    case 'finish': {
      const j = jobs.get(m.id);
      jobs.delete(m.id);
      let ok = false;
      if (j) {
        try {
          run(j, j.ct.length);
          j.d.final();
          ok = true;
        } catch {
          ok = false;
        }
      }
      parentPort!.postMessage({id: m.id, ok} satisfies FromWorker);
      break;
    }
    case 'drop':
      jobs.delete(m.id);
      break;
  }
});
