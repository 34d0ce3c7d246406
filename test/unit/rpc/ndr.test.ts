import {describe, expect, it} from 'vitest';
import {NdrReader, NdrWriter, parseSid, ridOf, sidAppend, sidEquals, sidToString, type Sid} from '../../../src/rpc/ndr.js';
import {MalformedPacket} from '../../../src/wire/errors.js';

const hex = (b: Buffer) => b.toString('hex');

describe('primitives and alignment', () => {
  it('aligns each primitive to its size, counted from the stub start', () => {
    const w = new NdrWriter();
    w.u8(1).u16(2).u8(3).u32(4).hyper(5n);
    expect(hex(w.finish())).toBe('01' + '00' + '0200' + '03' + '000000' + '04000000' + '00000000' + '0500000000000000');
    const r = new NdrReader(w.finish());
    expect([r.u8(), r.u16(), r.u8(), r.u32(), r.hyper()]).toEqual([1, 2, 3, 4, 5n]);
    r.end();
  });

  it('reads an enum as 16 bits and refuses values above 0x7fff', () => {
    expect(new NdrReader(Buffer.from('0500', 'hex')).enum16()).toBe(5);
    expect(() => new NdrReader(Buffer.from('0080', 'hex')).enum16()).toThrow(MalformedPacket);
  });

  it('end() tolerates up to 7 octets of padding, no more', () => {
    new NdrReader(Buffer.alloc(7)).end();
    expect(() => new NdrReader(Buffer.alloc(8)).end()).toThrow(MalformedPacket);
  });

  it('every read past the stub throws MalformedPacket', () => {
    const r = new NdrReader(Buffer.from('010000', 'hex'));
    expect(() => r.u32()).toThrow(MalformedPacket);
    expect(() => new NdrReader(Buffer.alloc(19)).handle()).toThrow(MalformedPacket);
  });
});

describe('strings', () => {
  it('[string] wchar_t*: conformant varying with the NUL counted', () => {
    const w = new NdrWriter().wstring('ab');
    expect(hex(w.finish())).toBe('03000000' + '00000000' + '03000000' + '610062000000');
    expect(new NdrReader(w.finish()).wstring()).toBe('ab');
  });

  it('refuses a string whose actual count exceeds its maximum or whose offset is not 0', () => {
    expect(() => new NdrReader(Buffer.from('01000000000000000200000061006200', 'hex')).wstring()).toThrow(MalformedPacket);
    expect(() => new NdrReader(Buffer.from('02000000010000000100000061000000', 'hex')).wstring()).toThrow(MalformedPacket);
  });

  it('refuses a count larger than the stub before reading or allocating', () => {
    expect(() => new NdrReader(Buffer.from('ffffff7f00000000ffffff7f', 'hex')).wstring()).toThrow(/exceeds the stub/);
  });

  it('RPC_UNICODE_STRING: flat part, buffer deferred, no NUL; NUL room when asked', () => {
    const w = new NdrWriter();
    w.unicodeString('hi').unicodeString(null).unicodeString('x', true);
    const b = w.finish();
    expect(hex(b.subarray(0, 24))).toBe('04000400' + '00000200' + '00000000' + '00000000' + '02000400' + '04000200');
    expect(hex(b.subarray(24))).toBe('02000000' + '00000000' + '02000000' + '68006900' + '02000000' + '00000000' + '01000000' + '7800');
    const r = new NdrReader(b);
    const a = r.unicodeString();
    const n = r.unicodeString();
    const x = r.unicodeString();
    r.flush();
    expect([a.get(), n.get(), x.get()]).toEqual(['hi', null, 'x']);
  });

  it('refuses an RPC_UNICODE_STRING whose buffer disagrees with Length', () => {
    const w = new NdrWriter();
    w.u16(4).u16(4).u32(0x20000).u32(3).u32(0).u32(3).bytes(Buffer.alloc(6));
    const r = new NdrReader(w.finish());
    r.unicodeString();
    expect(() => r.flush()).toThrow(MalformedPacket);
    expect(() => new NdrReader(Buffer.from('0300030000000200', 'hex')).unicodeString()).toThrow(/Length/);
  });
});

describe('pointers', () => {
  it('defers embedded referents after the structure, depth-first, in pointer order', () => {
    // struct {A* a; B* b;} where A = {u32; C* c}: wire order a-id, b-id, A, c-referent, B.
    const w = new NdrWriter();
    w.param(() => {
      w.unique({v: 1, c: 3}, (a) => {
        w.u32(a.v);
        w.unique(a.c, (c) => w.u32(c));
      });
      w.unique(2, (b) => w.u32(b));
    });
    const words = [];
    const b = w.finish();
    for (let i = 0; i < b.length; i += 4) words.push(b.readUInt32LE(i));
    expect(words).toEqual([0x20000, 0x20004, 1, 0x20008, 3, 2]);

    const r = new NdrReader(b);
    const got = r.param(() => {
      const a = r.unique(() => ({v: r.u32(), c: r.unique(() => r.u32())}));
      const bb = r.unique(() => r.u32());
      return {a, bb};
    });
    expect(got.a.get()!.v).toBe(1);
    expect(got.a.get()!.c.get()).toBe(3);
    expect(got.bb.get()).toBe(2);
    r.end();
  });

  it('an array of structures with pointers: all flat parts, then the referents in order', () => {
    const w = new NdrWriter();
    w.param(() => w.conformantArray(['a', 'b'], (s, i) => (w.uniqueWString(s), w.u32(i))));
    const r = new NdrReader(w.finish());
    const rows = r.param(() => r.conformantArray(8, () => ({s: r.uniqueWString(), i: r.u32()})));
    expect(rows.map((x) => [x.s.get(), x.i])).toEqual([['a', 0], ['b', 1]]);
    r.end();
  });

  it('top-level unique pointers carry their referent at once; NULL is one zero word', () => {
    const w = new NdrWriter();
    w.topUnique(7, (v) => w.u32(v)).topUnique(null, () => undefined).u32(9);
    expect(hex(w.finish())).toBe('00000200' + '07000000' + '00000000' + '09000000');
    const r = new NdrReader(w.finish());
    expect(r.topUnique(() => r.u32())).toBe(7);
    expect(r.topUnique(() => r.u32())).toBeNull();
    expect(r.u32()).toBe(9);
  });

  it('[ref] embedded pointers may not be NULL', () => {
    const r = new NdrReader(Buffer.alloc(4));
    expect(() => r.ref(() => r.u32())).toThrow(/NULL \[ref\]/);
    const w = new NdrWriter();
    w.param(() => w.ref(5, (v) => w.u32(v)));
    const r2 = new NdrReader(w.finish());
    expect(r2.param(() => r2.ref(() => r2.u32())).get()).toBe(5);
  });

  it('full pointers: the same object is one referent id and one referent', () => {
    const shared = {n: 42};
    const w = new NdrWriter();
    w.param(() => {
      w.fullPtr(shared, (o) => w.u32(o.n));
      w.fullPtr(shared, (o) => w.u32(o.n));
      w.fullPtr(null, () => undefined);
    });
    const b = w.finish();
    expect(b.length).toBe(16);
    expect(b.readUInt32LE(0)).toBe(b.readUInt32LE(4));
    const r = new NdrReader(b);
    const [p, q, z] = r.param(() => [r.fullPtr(() => r.u32()), r.fullPtr(() => r.u32()), r.fullPtr(() => r.u32())]);
    expect(p).toBe(q);
    expect(p!.get()).toBe(42);
    expect(z!.get()).toBeNull();
    r.end();
  });

  it('a referent read before flush() is a programming error, not a silent undefined', () => {
    const w = new NdrWriter();
    w.param(() => w.unique(1, (v) => w.u32(v)));
    const r = new NdrReader(w.finish());
    const d = r.unique(() => r.u32());
    expect(() => d.get()).toThrow(/before flush/);
  });
});

describe('arrays', () => {
  it('conformant varying arrays round-trip and enforce offset 0, actual <= max <= limit', () => {
    const w = new NdrWriter();
    w.conformantVaryingArray([1, 2, 3], 1000, (v) => w.u32(v));
    expect(hex(w.finish().subarray(0, 12))).toBe('e8030000' + '00000000' + '03000000');
    expect(new NdrReader(w.finish()).conformantVaryingArray(4, (/* i */) => 0, 1000)).toHaveLength(3);
    expect(() => new NdrReader(w.finish()).conformantVaryingArray(4, () => 0, 999)).toThrow(MalformedPacket);
    const bad = Buffer.from('020000000000000003000000' + '00'.repeat(12), 'hex');
    expect(() => new NdrReader(bad).conformantVaryingArray(4, () => 0)).toThrow(MalformedPacket);
  });

  it('a conformant array count is checked against the octets left', () => {
    expect(() => new NdrReader(Buffer.from('10000000' + '00'.repeat(60), 'hex')).conformantArray(4, () => 0)).toThrow(/exceeds/);
  });
});

describe('SIDs and handles', () => {
  const sid = parseSid('S-1-5-21-1-2-3-1000')!;

  it('RPC_SID: conformance, then revision, count, big-endian authority, subauthorities', () => {
    const b = new NdrWriter().sid(sid).finish();
    expect(hex(b)).toBe('05000000' + '01' + '05' + '000000000005' + '15000000' + '01000000' + '02000000' + '03000000' + 'e8030000');
    expect(sidToString(new NdrReader(b).sid())).toBe('S-1-5-21-1-2-3-1000');
  });

  it('refuses a SID whose count disagrees with its conformance, or has more than 15 subauthorities', () => {
    const b = Buffer.from(new NdrWriter().sid(sid).finish());
    b[0] = 4;
    expect(() => new NdrReader(b).sid()).toThrow(MalformedPacket);
    expect(() => new NdrWriter().sid({revision: 1, authority: 5, subAuthorities: new Array(16).fill(1)})).toThrow(RangeError);
    const big = Buffer.from('10000000' + '0110' + '000000000005' + '00'.repeat(64), 'hex');
    expect(() => new NdrReader(big).sid()).toThrow(MalformedPacket);
  });

  it('SID helpers', () => {
    const dom: Sid = parseSid('S-1-5-21-1-2-3')!;
    expect(sidEquals(sidAppend(dom, 1000), sid)).toBe(true);
    expect(ridOf(sid, dom)).toBe(1000);
    expect(ridOf(dom, dom)).toBeUndefined();
    expect(parseSid('S-1-5-x')).toBeUndefined();
    expect(parseSid('S-1-5' + '-1'.repeat(16))).toBeUndefined();
    expect(sidToString(parseSid('s-1-1-0')!)).toBe('S-1-1-0');
  });

  it('policy handles are 20 octets, 4-aligned', () => {
    const h = Buffer.alloc(20, 0xab);
    const b = new NdrWriter().u8(1).handle(h).finish();
    expect(b.length).toBe(24);
    const r = new NdrReader(b);
    r.u8();
    expect(r.handle()).toEqual(h);
  });
});

describe('round trips of composite structures', () => {
  it('a union with a switch: discriminant, then the arm', () => {
    for (const level of [1, 2]) {
      const w = new NdrWriter();
      w.param(() => {
        w.u32(level);
        if (level === 1) w.unique('one', (s) => w.wstring(s));
        else w.u16(0xbeef);
      });
      const r = new NdrReader(w.finish());
      const got = r.param(() => {
        const tag = r.u32();
        return tag === 1 ? r.uniqueWString() : r.u16();
      });
      if (level === 1) expect((got as {get(): string}).get()).toBe('one');
      else expect(got).toBe(0xbeef);
      r.end();
    }
  });

  it('random nested structures survive encode/decode (seeded)', () => {
    let seed = 12345;
    const rnd = (n: number) => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) % n);
    for (let t = 0; t < 200; t++) {
      const rows = Array.from({length: rnd(6)}, () => ({
        name: rnd(4) === 0 ? null : 'n'.repeat(rnd(9)) + String(rnd(100)),
        id: rnd(1 << 30),
        tags: Array.from({length: rnd(4)}, () => rnd(65536)),
        sid: rnd(2) ? sidAppend(parseSid('S-1-5-21-9-8-7')!, rnd(5000)) : null,
      }));
      const w = new NdrWriter();
      w.param(() => {
        w.u32(rows.length);
        w.unique(rows, (rs) =>
          w.conformantArray(rs, (r) => {
            w.unicodeString(r.name);
            w.u32(r.id);
            w.unique(r.tags, (ts) => w.conformantArray(ts, (x) => w.u16(x)));
            w.unique(r.sid, (s) => w.sid(s));
          }),
        );
      });
      w.u32(0xdeadbeef);
      const r = new NdrReader(w.finish());
      const got = r.param(() => {
        const n = r.u32();
        const arr = r.unique(() =>
          r.conformantArray(8, () => ({name: r.unicodeString(), id: r.u32(), tags: r.unique(() => r.conformantArray(2, () => r.u16())), sid: r.unique(() => r.sid())})),
        );
        return {n, arr};
      });
      expect(r.u32()).toBe(0xdeadbeef);
      r.end();
      const back = (got.arr.get() ?? []).map((x) => ({name: x.name.get(), id: x.id, tags: x.tags.get(), sid: x.sid.get()}));
      expect(got.n).toBe(rows.length);
      expect(back).toEqual(rows.map((x) => ({...x, tags: x.tags})));
    }
  });
});
