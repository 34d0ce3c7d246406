import {describe, expect, it} from 'vitest';
import {MalformedPacket} from '../../../src/wire/errors.js';
import {Reader, padTo} from '../../../src/wire/reader.js';

const buf = Buffer.from('0102030405060708090a0b0c0d0e0f10', 'hex');

describe('Reader', () => {
  it('reads little-endian integers', () => {
    const r = new Reader(buf);
    expect(r.u8()).toBe(0x01);
    expect(r.u16()).toBe(0x0302);
    expect(r.u32()).toBe(0x07060504);
    expect(r.u64()).toBe(0x0f0e0d0c0b0a0908n);
    expect(r.remaining).toBe(1);
    expect(() => r.u16()).toThrow(MalformedPacket);
    expect(r.offset).toBe(15); // a failed read does not move
  });

  it('bytes() is a view, copy() is not', () => {
    const b = Buffer.from(buf);
    const r = new Reader(b);
    const v = r.bytes(4);
    const c = new Reader(b).copy(4);
    b[0] = 0xee;
    expect(v[0]).toBe(0xee);
    expect(c[0]).toBe(0x01);
    expect(v.buffer).toBe(b.buffer);
  });

  it('respects its window', () => {
    const r = new Reader(buf, 4, 8);
    expect(r.length).toBe(4);
    expect(r.u32()).toBe(0x08070605);
    expect(() => r.u8()).toThrow(MalformedPacket);
    expect(() => r.seek(3)).toThrow(MalformedPacket);
    expect(() => r.seek(9)).toThrow(MalformedPacket);
    r.seek(8);
    expect(r.remaining).toBe(0);
    expect(() => new Reader(buf, 10, 20)).toThrow(MalformedPacket);
    expect(() => new Reader(buf, 5, 4)).toThrow(MalformedPacket);
  });

  it('slice and sub check absolute ranges', () => {
    const r = new Reader(buf, 2, 12);
    expect(r.slice(2, 10).length).toBe(10);
    expect(() => r.slice(1, 2)).toThrow(MalformedPacket);
    expect(() => r.slice(10, 3)).toThrow(MalformedPacket);
    expect(() => r.slice(4, -1)).toThrow(MalformedPacket);
    const s = r.sub(4, 4);
    expect(s.u32()).toBe(0x08070605);
    expect(() => r.sub(11, 2)).toThrow(MalformedPacket);
  });

  it('skip, align and alignOrEnd', () => {
    const r = new Reader(buf);
    r.skip(3).align(8);
    expect(r.offset).toBe(8);
    r.align(8);
    expect(r.offset).toBe(8);
    r.skip(1).align(4, 1);
    expect(r.offset).toBe(9);
    r.skip(1).align(4, 1);
    expect(r.offset).toBe(13);
    r.skip(1).alignOrEnd(8);
    expect(r.offset).toBe(16);
    expect(() => new Reader(buf).skip(17)).toThrow(MalformedPacket);
    expect(() => new Reader(buf).skip(-1)).toThrow(MalformedPacket);
  });

  it('u64n refuses values past 2^53', () => {
    expect(new Reader(Buffer.from('ffffffffffff1f00', 'hex')).u64n()).toBe(Number.MAX_SAFE_INTEGER);
    expect(() => new Reader(Buffer.from('0000000000002000', 'hex')).u64n()).toThrow(MalformedPacket);
  });

  it('i32 is signed', () => expect(new Reader(Buffer.from('ffffffff', 'hex')).i32()).toBe(-1));

  it('padTo', () => {
    expect(padTo(0, 8)).toBe(0);
    expect(padTo(1, 8)).toBe(7);
    expect(padTo(8, 8)).toBe(0);
    expect(padTo(13, 4)).toBe(3);
  });

  it('MalformedPacket carries the offset', () => {
    const r = new Reader(buf);
    r.skip(15);
    try {
      r.u32();
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(MalformedPacket);
      expect((e as MalformedPacket).offset).toBe(15);
      expect((e as Error).name).toBe('MalformedPacket');
    }
  });
});
