// The daemon's memory policy (issue 8). Two parts, both measured with bench/run.mjs:
// - At start, glibc's mmap threshold goes up to 32 MiB (its ceiling on 64-bit) and its trim threshold to
//   128 MiB. With the defaults every 8 MiB READ payload, WRITE frame and cipher output is a fresh mmap:
//   page-faulted in, used once, unmapped again, and that costs more than AES-GCM itself (a one-shot 8 MiB
//   cipher update ran at ~1,450 MiB/s that way and ~4,000 MiB/s with the blocks reused from the heap).
// - The price is that freed blocks stay in the heap. So once traffic stops (no byte moved during one tick
//   of the daemon's 1 s stats timer after at least IDLE_TRIM_MIN bytes did, or after a connection closed:
//   a client often disconnects a while after its last transfer, and only then do its buffers die), the
//   daemon drops the connections' spare buffers, runs one full garbage collection (dead Buffers' memory is only freed by
//   the collector, and an idle process allocates nothing that would start one) and calls malloc_trim(0),
//   which hands every free heap page back to the kernel. Not all of it may be free yet (V8 releases dead
//   Buffers' memory on a background thread after the collection; a closed connection's teardown may still
//   be running), so the next quiet tick does the same once more. Idle RSS after bulk traffic thus comes back down
//   to about where it started, at the cost of one GC pause when nobody is waiting.
import {setFlagsFromString} from 'node:v8';
import {runInNewContext} from 'node:vm';
import {mallocTrim, mallocTune} from '../src/vfs/identity-ops.js';

export const MMAP_THRESHOLD = 32 * 1024 * 1024;
export const TRIM_THRESHOLD = 128 * 1024 * 1024;
/** Less traffic than this since the last trim is not worth a GC. */
const IDLE_TRIM_MIN = 4 * 1024 * 1024;

let collect: (() => void) | undefined | null = null;

/** V8's gc(), exposed at run time (the daemon is started without --expose-gc); undefined if refused. */
function gcFunction(): (() => void) | undefined {
  if (collect === null) {
    try {
      setFlagsFromString('--expose-gc');
      collect = runInNewContext('gc') as () => void;
    } catch {
      collect = undefined;
    }
  }
  return collect;
}

function mallocTrimQuietly(): void {
  try {
    mallocTrim();
  } catch {
    /* no addon */
  }
}

export class MemoryKeeper {
  #lastBytes = -1;
  #sinceTrim = 0;
  #closedAtTrim = 0;
  /** The last tick trimmed: the next quiet one trims again, once (see the top of this file). */
  #followUp = false;
  /** Something freed a lot at once (requestTrim): the next quiet tick trims. */
  #requested = false;
  /** False when the allocator could not be tuned (not glibc, or the addon is missing). */
  readonly tuned: boolean;

  constructor(private readonly releaseSpare: () => void) {
    let tuned = false;
    try {
      tuned = mallocTune(MMAP_THRESHOLD, TRIM_THRESHOLD);
    } catch {
      /* no addon: nothing to tune, nothing to trim */
    }
    this.tuned = tuned;
  }

  /**
   * Called once a second with the bytes moved so far (in + out) and the connections closed so far;
   * trims after a quiet tick that follows bulk traffic or a closed connection.
   */
  tick(totalBytes: number, closedConnections = 0): boolean {
    const moved = this.#lastBytes < 0 ? 0 : totalBytes - this.#lastBytes;
    this.#lastBytes = totalBytes;
    const followUp = this.#followUp;
    this.#followUp = false;
    if (moved > 0) {
      this.#sinceTrim += moved;
      return false;
    }
    if (this.#sinceTrim < IDLE_TRIM_MIN && closedConnections === this.#closedAtTrim && !this.#requested) {
      if (followUp) this.trim();
      return followUp;
    }
    this.#sinceTrim = 0;
    this.#closedAtTrim = closedConnections;
    this.#requested = false;
    this.trim();
    this.#followUp = true;
    return true;
  }

  /** Something just freed a lot of memory (the GCM worker ended): trim on the next quiet tick, and once more after. */
  requestTrim(): void {
    this.#requested = true;
  }

  /** Spare buffers dropped, one full GC, free heap pages back to the kernel. */
  trim(): void {
    this.releaseSpare();
    gcFunction()?.();
    mallocTrimQuietly();
  }
}
