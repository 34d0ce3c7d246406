// daemon/memory.ts: the allocator settings and when the idle trim runs (against the real addon and glibc).
import {describe, expect, it} from 'vitest';
import {MemoryKeeper} from '../../../daemon/memory.js';
import {mallocTrim, mallocTune} from '../../../src/vfs/identity-ops.js';

describe('MemoryKeeper', () => {
  it('tunes glibc through the addon (this test runs on glibc)', () => {
    expect(mallocTune(32 * 1024 * 1024, 128 * 1024 * 1024)).toBe(true);
    expect(mallocTune(0, 1)).toBe(false);
    expect(typeof mallocTrim()).toBe('boolean');
    expect(new MemoryKeeper(() => undefined).tuned).toBe(true);
  });

  /** Ticks with no traffic until the keeper trims, or up to `max`; returns the quiet tick numbers that trimmed. */
  function quietTicks(k: MemoryKeeper, total: number, n: number, closed = 0): number[] {
    const at: number[] = [];
    for (let i = 1; i <= n; i++) if (k.tick(total, closed)) at.push(i);
    return at;
  }

  it('after bulk traffic, trims on the 1st, 2nd, 4th, 8th and 16th quiet tick, then stays still', () => {
    let released = 0;
    const k = new MemoryKeeper(() => released++);
    expect(k.tick(0)).toBe(false); // the first tick only sets the mark
    expect(k.tick(100)).toBe(false); // traffic
    expect(quietTicks(k, 100, 20)).toEqual([]); // too little moved to be worth a GC
    const big = 100 + 64 * 1024 * 1024;
    expect(k.tick(big)).toBe(false); // bulk traffic
    expect(quietTicks(k, big, 40)).toEqual([1, 2, 4, 8, 16]);
    expect(released).toBe(5);
  });

  it('traffic in between starts the count again', () => {
    const k = new MemoryKeeper(() => undefined);
    const big = 64 * 1024 * 1024;
    k.tick(0);
    k.tick(big);
    expect(quietTicks(k, big, 3)).toEqual([1, 2]);
    k.tick(big + 10); // a little traffic: the schedule restarts from its first step
    expect(quietTicks(k, big + 10, 20)).toEqual([1, 2, 4, 8, 16]);
  });

  it('a closed connection arms the schedule even after little traffic (its buffers die only then)', () => {
    let released = 0;
    const k = new MemoryKeeper(() => released++);
    k.tick(0, 0);
    k.tick(300, 0);
    expect(quietTicks(k, 300, 20, 0)).toEqual([]);
    expect(quietTicks(k, 300, 20, 1)).toEqual([1, 2, 4, 8, 16]);
    expect(released).toBe(5);
  });

  it('requestTrim (the GCM worker ended) arms the schedule too', () => {
    const k = new MemoryKeeper(() => undefined);
    k.tick(0, 0);
    expect(quietTicks(k, 0, 20)).toEqual([]);
    k.requestTrim();
    expect(quietTicks(k, 0, 20)).toEqual([1, 2, 4, 8, 16]);
  });
});
