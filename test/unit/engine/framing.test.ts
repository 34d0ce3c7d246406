// Direct TCP framing (MS-SMB2 2.1): 4-byte header with a zero byte and a 24-bit length, and its cap.
import {randomBytes} from 'node:crypto';
import {describe, expect, it} from 'vitest';
import {ConnectionError} from '../../../src/engine/errors.js';
import {FrameParser, frameHeader} from '../../../src/engine/framing.js';

const frame = (body: Buffer) => Buffer.concat([frameHeader(body.length), body]);

describe('FrameParser', () => {
  it('returns whole frames, several per chunk', () => {
    const p = new FrameParser(1000);
    const out = p.push(Buffer.concat([frame(Buffer.from('abc')), frame(Buffer.from('defg'))]));
    expect(out.map((b) => b.toString())).toEqual(['abc', 'defg']);
    expect(p.buffered).toBe(0);
  });

  it('collects a frame split anywhere, the header included', () => {
    const all = Buffer.concat([frame(Buffer.from('hello world')), frame(Buffer.from('x'))]);
    for (let cut = 1; cut < all.length; cut++) {
      const p = new FrameParser(1000);
      const out = [...p.push(all.subarray(0, cut)), ...p.push(all.subarray(cut))];
      expect(out.map((b) => b.toString())).toEqual(['hello world', 'x']);
    }
  });

  it('hands out views when a frame lies inside one chunk', () => {
    const chunk = frame(Buffer.from('view'));
    const [f] = new FrameParser(100).push(chunk);
    expect(f!.buffer).toBe(chunk.buffer);
  });

  it('skips zero-length frames', () => {
    const p = new FrameParser(100);
    expect(p.push(Buffer.concat([frameHeader(0), frame(Buffer.from('a'))])).map(String)).toEqual(['a']);
  });

  it('drops the connection when the first header byte is not zero', () => {
    const bad = frame(Buffer.from('abc'));
    bad[0] = 0x85; // a NetBIOS keep-alive type is not Direct TCP
    expect(() => new FrameParser(100).push(bad)).toThrow(ConnectionError);
  });

  it('drops the connection before buffering a frame over the cap', () => {
    const p = new FrameParser(1024);
    expect(() => p.push(frameHeader(1025))).toThrow(/exceeds/);
    expect(() => new FrameParser(1024).push(frameHeader(1024))).not.toThrow();
  });

  it('writes the 24-bit length big-endian', () => {
    expect([...frameHeader(0x123456)]).toEqual([0, 0x12, 0x34, 0x56]);
    expect(() => frameHeader(0x1000000)).toThrow(RangeError);
  });
  it('assembles large frames as their chunks arrive, with frames before and after them in the same chunks', () => {
    const a = randomBytes(1536 * 1024 + 3);
    const b = Buffer.from('small one');
    const c = randomBytes(2 * 1024 * 1024);
    const all = Buffer.concat([frame(b), frame(a), frame(b), frame(c), frame(b)]);
    for (const size of [65521, 4096, 1 << 20]) {
      const p = new FrameParser(3 * 1024 * 1024);
      const out: Buffer[] = [];
      let fed = 0;
      for (let at = 0; at < all.length; at += size) {
        p.push(all.subarray(at, at + size), out);
        fed = Math.min(all.length, at + size);
        let framed = 0;
        for (const f of out) framed += 4 + f.length;
        // Everything fed and not yet framed is held, less the 4-byte header once it has been read.
        const held = fed - framed;
        expect(p.buffered === held || p.buffered === held - 4, `chunk size ${size}, ${fed} fed`).toBe(true);
      }
      expect(out.map((f) => f.length), `chunk size ${size}`).toEqual([b.length, a.length, b.length, c.length, b.length]);
      expect(out[1]!.equals(a)).toBe(true);
      expect(out[3]!.equals(c)).toBe(true);
      expect(out[0]!.equals(b) && out[2]!.equals(b) && out[4]!.equals(b)).toBe(true);
      expect(p.buffered).toBe(0);
    }
  });

  it('lets the rest of a large frame be read straight into its buffer (target/advance)', () => {
    const body = randomBytes(2 * 1024 * 1024);
    const all = Buffer.concat([frame(body), frame(Buffer.from('next'))]);
    const p = new FrameParser(3 * 1024 * 1024);
    expect(p.target()).toBeUndefined();
    expect(p.push(all.subarray(0, 1000))).toEqual([]);
    // The frame's missing bytes, exactly: a read into it cannot run into the next frame.
    let t = p.target()!;
    expect(t.length).toBe(body.length - 996);
    const a = p.assembling()!;
    expect(a.filled).toBe(996);
    expect(a.frame.length).toBe(body.length);
    expect(a.frame.subarray(0, 996).equals(body.subarray(0, 996))).toBe(true);
    expect(t.buffer).toBe(a.frame.buffer);
    all.copy(t, 0, 1000, 1000 + 70000);
    expect(p.advance(70000)).toEqual([]);
    t = p.target()!;
    expect(t.length).toBe(body.length - 996 - 70000);
    expect(() => p.advance(t.length + 1)).toThrow(RangeError);
    all.copy(t, 0, 71000, 4 + body.length);
    const [f] = p.advance(t.length);
    expect(f!.equals(body)).toBe(true);
    expect(p.target()).toBeUndefined();
    expect(p.assembling()).toBeUndefined();
    expect(() => p.advance(1)).toThrow(RangeError);
    expect(p.push(all.subarray(4 + body.length)).map(String)).toEqual(['next']);
    expect(p.buffered).toBe(0);
  });

  it('reuses the buffer of a released large frame, once, and never one it did not assemble', () => {
    const p = new FrameParser(3 * 1024 * 1024);
    const big = (fill: number): Buffer[] => {
      const f = frame(Buffer.alloc(2 * 1024 * 1024, fill));
      return [f.subarray(0, 70000), f.subarray(70000)];
    };
    const [a1, a2] = big(1);
    p.push(a1);
    const [fa] = p.push(a2);
    expect(fa!.every((b) => b === 1)).toBe(true);
    p.release(fa!);
    p.release(fa!); // twice: still one entry
    const [b1, b2] = big(2);
    p.push(b1);
    const [fb] = p.push(b2);
    expect(fb!.buffer).toBe(fa!.buffer);
    expect(fb!.every((b) => b === 2)).toBe(true);
    const [c1, c2] = big(3);
    p.push(c1);
    const [fc] = p.push(c2);
    expect(fc!.buffer).not.toBe(fb!.buffer); // fb is not released: a fresh buffer
    // A frame that lay inside one chunk (a view of the socket's buffer) is not the parser's to reuse.
    const one = p.push(frame(Buffer.alloc(1024 * 1024 + 1, 4)));
    p.release(one[0]!);
    const [d1, d2] = big(5);
    p.push(d1);
    const [fd] = p.push(d2);
    expect(fd!.buffer).not.toBe(one[0]!.buffer);
  });
});
