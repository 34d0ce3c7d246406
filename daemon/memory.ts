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
//   be running; the GCM worker and the frames it shares go 5 s after its last message), so the same runs
//   again after 2, 4, 8 and 16 quiet seconds. Idle RSS after bulk traffic thus comes back down to about
//   where it started, at the cost of a few GC pauses when nobody is waiting.
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

/** Quiet ticks (seconds) after traffic at which the idle trim runs: memory is freed late and in steps
 * (buffers die only when the collector finds them, V8 frees them on a background thread afterwards, the
 * GCM worker ends 5 s after its last message), so one trim right away can find little to hand back. */
const TRIM_AT_QUIET_TICKS = [1, 2, 4, 8, 16];
const LAST_TRIM_TICK = TRIM_AT_QUIET_TICKS[TRIM_AT_QUIET_TICKS.length - 1]!;

export class MemoryKeeper {
  #lastBytes = -1;
  #sinceTrim = 0;
  #closedAtTrim = 0;
  /** Something happened that leaves memory to give back: trims are scheduled on the coming quiet ticks. */
  #armed = false;
  /** Consecutive quiet ticks since the schedule (re)started. */
  #quiet = 0;
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
   * Called once a second with the bytes moved so far (in + out) and the connections closed so far. After
   * bulk traffic (IDLE_TRIM_MIN or more), a closed connection or requestTrim(), trims on the quiet ticks
   * of TRIM_AT_QUIET_TICKS (any traffic starts the count again); returns whether it trimmed.
   */
  tick(totalBytes: number, closedConnections = 0): boolean {
    const moved = this.#lastBytes < 0 ? 0 : totalBytes - this.#lastBytes;
    this.#lastBytes = totalBytes;
    if (closedConnections !== this.#closedAtTrim) {
      this.#closedAtTrim = closedConnections;
      this.#arm();
    }
    if (moved > 0) {
      this.#sinceTrim += moved;
      if (this.#sinceTrim >= IDLE_TRIM_MIN) this.#arm();
      this.#quiet = 0;
      return false;
    }
    if (!this.#armed) return false;
    this.#quiet++;
    if (!TRIM_AT_QUIET_TICKS.includes(this.#quiet)) return false;
    if (this.#quiet >= LAST_TRIM_TICK) this.#armed = false;
    this.trim();
    return true;
  }

  #arm(): void {
    this.#armed = true;
    this.#quiet = 0;
    this.#sinceTrim = 0;
  }

  /** Something just freed a lot of memory (the GCM worker ended): the trim schedule starts again. */
  requestTrim(): void {
    this.#arm();
  }

  /** Spare buffers dropped, one full GC, free heap pages back to the kernel. */
  trim(): void {
    this.releaseSpare();
    gcFunction()?.();
    mallocTrimQuietly();
  }
}
