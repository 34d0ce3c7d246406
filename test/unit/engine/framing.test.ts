// Direct TCP framing (MS-SMB2 2.1): 4-byte header with a zero byte and a 24-bit length, and its cap.
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
