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

  it('trims once after a quiet tick that follows real traffic, and only then', () => {
    let released = 0;
    const k = new MemoryKeeper(() => released++);
    expect(k.tick(0)).toBe(false); // the first tick only sets the mark
    expect(k.tick(100)).toBe(false); // traffic
    expect(k.tick(100)).toBe(false); // quiet, but too little moved to be worth a GC
    expect(k.tick(100 + 64 * 1024 * 1024)).toBe(false); // bulk traffic
    expect(k.tick(100 + 64 * 1024 * 1024)).toBe(true); // quiet: trim
    expect(released).toBe(1);
    expect(k.tick(100 + 64 * 1024 * 1024)).toBe(true); // still quiet: the follow-up trim, once
    expect(released).toBe(2);
    expect(k.tick(100 + 64 * 1024 * 1024)).toBe(false); // nothing new to give back
    expect(released).toBe(2);
  });

  it('trims again when a connection closed since, even after little traffic (its buffers die only then)', () => {
    let released = 0;
    const k = new MemoryKeeper(() => released++);
    const big = 64 * 1024 * 1024;
    expect(k.tick(0, 0)).toBe(false);
    expect(k.tick(big, 0)).toBe(false); // a transfer
    expect(k.tick(big, 0)).toBe(true); // quiet while the client is still connected: trim
    expect(k.tick(big + 300, 0)).toBe(false); // the client logs off (no follow-up: not quiet)
    expect(k.tick(big + 300, 1)).toBe(true); // and its connection is gone: trim again
    expect(k.tick(big + 300, 1)).toBe(true); // the follow-up
    expect(k.tick(big + 300, 1)).toBe(false);
    expect(released).toBe(3);
  });

  it('trims on the next quiet tick after requestTrim (the GCM worker ended), and once more after', () => {
    let released = 0;
    const k = new MemoryKeeper(() => released++);
    expect(k.tick(0, 0)).toBe(false);
    expect(k.tick(0, 0)).toBe(false); // idle, nothing to give back
    k.requestTrim();
    expect(k.tick(500, 0)).toBe(false); // traffic: not now
    expect(k.tick(500, 0)).toBe(true); // quiet: trim
    expect(k.tick(500, 0)).toBe(true); // the follow-up
    expect(k.tick(500, 0)).toBe(false);
    expect(released).toBe(2);
  });
});
