import {describe, expect, it} from 'vitest';
import {MalformedPacket} from '../../../src/wire/errors.js';
import {decodeUtf16, encodeUtf16, utf16ByteLength} from '../../../src/wire/utf16.js';

describe('UTF-16LE', () => {
  it('round-trips BMP and astral text', () => {
    for (const s of ['', 'share', '\\\\srv\\Dokumente\\Übersicht.txt', '日本語', 'emoji 😀 file', 'a\u0000b']) {
      const b = encodeUtf16(s);
      expect(b.length).toBe(utf16ByteLength(s));
      expect(decodeUtf16(b)).toBe(s);
    }
  });

  it('encodes little-endian', () => expect(encodeUtf16('A😀').toString('hex')).toBe('41003dd800de'));

  it('rejects an odd length', () => expect(() => decodeUtf16(Buffer.from('410042', 'hex'))).toThrow(MalformedPacket));

  it('rejects unpaired surrogates unless allowed', () => {
    const lone = Buffer.from('00d84100', 'hex'); // high surrogate then 'A'
    const trailing = Buffer.from('4100 00dc'.replace(' ', ''), 'hex');
    const endHigh = Buffer.from('410000d8', 'hex');
    for (const b of [lone, trailing, endHigh]) {
      expect(() => decodeUtf16(b)).toThrow(MalformedPacket);
      expect(decodeUtf16(b, {allowLoneSurrogates: true}).length).toBe(2);
    }
    expect(() => encodeUtf16('\ud800')).toThrow(RangeError);
    expect(encodeUtf16('\ud800', {allowLoneSurrogates: true}).toString('hex')).toBe('00d8');
  });

  it('strips trailing NULs on request', () => {
    const b = Buffer.from('4100420000000000', 'hex');
    expect(decodeUtf16(b)).toBe('AB\u0000\u0000');
    expect(decodeUtf16(b, {stripTrailingNul: true})).toBe('AB');
  });

  it('accepts a Uint8Array that is not a Buffer', () => {
    expect(decodeUtf16(new Uint8Array([0x68, 0, 0x69, 0]))).toBe('hi');
  });
});
