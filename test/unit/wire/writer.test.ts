import {describe, expect, it} from 'vitest';
import {Reader} from '../../../src/wire/reader.js';
import {Writer} from '../../../src/wire/writer.js';

describe('Writer', () => {
  it('writes little-endian integers that Reader reads back', () => {
    const w = new Writer(16);
    w.u8(0xab).u16(0x1234).u32(0xdeadbeef).u64(0x0102030405060708n).u64(-1n).u64(7);
    const r = new Reader(w.finish());
    expect(r.u8()).toBe(0xab);
    expect(r.u16()).toBe(0x1234);
    expect(r.u32()).toBe(0xdeadbeef);
    expect(r.u64()).toBe(0x0102030405060708n);
    expect(r.u64()).toBe(0xffffffffffffffffn);
    expect(r.u64()).toBe(7n);
  });

  it('grows by doubling and keeps earlier bytes', () => {
    const w = new Writer(16);
    for (let i = 0; i < 10000; i++) w.u8(i & 0xff);
    const out = w.finish();
    expect(out.length).toBe(10000);
    for (let i = 0; i < 10000; i += 997) expect(out[i]).toBe(i & 0xff);
    w.bytes(Buffer.alloc(100000, 1));
    expect(w.length).toBe(110000);
  });

  it('zeros, fixed and align', () => {
    const w = new Writer();
    w.u8(1);
    expect(w.align(8)).toBe(7);
    expect(w.align(8)).toBe(0);
    w.fixed(Buffer.from('abc'), 5).fixed(Buffer.from('abcdef'), 2).fixed(undefined, 2);
    w.u8(9);
    expect(w.align(4, 1)).toBe(3);
    expect(w.finish().toString('hex')).toBe('0100000000000000' + '6162630000' + '6162' + '0000' + '09' + '000000');
  });

  it('reserve and patch', () => {
    const w = new Writer();
    const a = w.reserve(2);
    const b = w.reserve(4);
    const c = w.reserve(8);
    w.patchU16(a, 0xbeef).patchU32(b, 0xcafef00d).patchU64(c, 5n).patchU8(a, 1);
    expect(w.finish().toString('hex')).toBe('01be0df0feca0500000000000000');
    expect(() => w.patchU32(12, 1)).toThrow(RangeError);
    w.patchBytes(2, Buffer.from('ff', 'hex'));
    expect(w.view(2, 3).toString('hex')).toBe('ff');
  });

  it('finish is a view, finishCopy is not; reset reuses the buffer', () => {
    const w = new Writer();
    w.u32(1);
    const view = w.finish();
    const copy = w.finishCopy();
    w.reset().u32(2);
    expect(view.readUInt32LE(0)).toBe(2);
    expect(copy.readUInt32LE(0)).toBe(1);
    expect(w.length).toBe(4);
  });
});
