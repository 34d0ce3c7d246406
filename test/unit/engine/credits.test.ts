// The command sequence window (MS-SMB2 3.3.1.1) and credit grants (3.3.1.2).
import {describe, expect, it} from 'vitest';
import {chargeFor, CreditWindow} from '../../../src/engine/credits.js';

describe('CreditWindow', () => {
  it('starts as {0} and never accepts an id twice', () => {
    const w = new CreditWindow(100);
    expect(w.available).toBe(1);
    expect(w.consume(1n, 1)).toBe(false);
    expect(w.consume(0n, 1)).toBe(true);
    expect(w.consume(0n, 1)).toBe(false);
    expect(w.available).toBe(0);
  });

  it('grows at the top by the credits granted and accepts ids out of order', () => {
    const w = new CreditWindow(100);
    w.consume(0n, 1);
    expect(w.grant(3)).toBe(3); // window {1, 2, 3}
    expect(w.consume(3n, 1)).toBe(true);
    expect(w.consume(1n, 1)).toBe(true);
    expect(w.consume(4n, 1)).toBe(false);
    expect(w.consume(2n, 1)).toBe(true);
    expect(w.bounds).toEqual([4, 4]);
    expect(w.available).toBe(0);
  });

  it('charges CreditCharge consecutive ids and refuses a range that leaves the window', () => {
    const w = new CreditWindow(100);
    w.consume(0n, 1);
    w.grant(8); // {1..8}
    expect(w.consume(1n, 4)).toBe(true); // 1..4
    expect(w.consume(4n, 2)).toBe(false); // 4 used already
    expect(w.consume(6n, 4)).toBe(false); // 6..9 passes the top (9 not granted)
    expect(w.consume(5n, 4)).toBe(true); // 5..8
    expect(w.available).toBe(0);
  });

  it('treats a CreditCharge of 0 as 1', () => {
    const w = new CreditWindow(10);
    expect(w.consume(0n, 0)).toBe(true);
    expect(w.available).toBe(0);
  });

  it('never lets the client hold more than max credits', () => {
    const w = new CreditWindow(16);
    w.consume(0n, 1);
    expect(w.grant(1000)).toBe(16);
    expect(w.available).toBe(16);
    expect(w.grant(5)).toBe(0);
    w.consume(1n, 1);
    expect(w.grant(5)).toBe(1);
  });

  it('grants at least one credit for a request that asks for none', () => {
    const w = new CreditWindow(16);
    w.consume(0n, 1);
    expect(w.grant(0)).toBe(1);
  });

  it('rejects ids far outside the window, including 2^64-1', () => {
    const w = new CreditWindow(16);
    expect(w.consume(0xffffffffffffffffn, 1)).toBe(false);
    expect(w.consume(BigInt(Number.MAX_SAFE_INTEGER), 1)).toBe(false);
    expect(w.consume(-1n, 1)).toBe(false);
  });

  it('keeps the window bounded when a client leaves a hole', () => {
    const w = new CreditWindow(4);
    w.consume(0n, 1);
    w.grant(4); // {1..4}
    w.consume(2n, 1);
    w.consume(3n, 1);
    w.consume(4n, 1);
    // id 1 still outstanding: the client holds 1 credit, room for 3 more.
    expect(w.available).toBe(1);
    expect(w.grant(10)).toBe(3);
    expect(w.consume(1n, 1)).toBe(true);
    expect(w.bounds[0]).toBe(5);
  });
});

describe('chargeFor (3.3.5.2.5)', () => {
  it('is 1 + (payload - 1) / 64 KiB', () => {
    expect(chargeFor(0)).toBe(1);
    expect(chargeFor(1)).toBe(1);
    expect(chargeFor(65536)).toBe(1);
    expect(chargeFor(65537)).toBe(2);
    expect(chargeFor(8 * 1024 * 1024)).toBe(128);
  });
});
