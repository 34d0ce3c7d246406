import {describe, expect, it} from 'vitest';
import {Rc4, rc4} from '../../../src/crypto/rc4.js';
import {vectorsOfKind} from '../../vectors/load.js';

const hex = (s: unknown) => Buffer.from(s as string, 'hex');

describe('rc4 (RFC 6229)', () => {
  const cases = vectorsOfKind('rc4');
  it('has both vectors', () => expect(cases.length).toBe(2));
  for (const v of cases) {
    it(v.name, () => {
      expect(rc4(hex(v.inputs.key), hex(v.inputs.plaintext)).toString('hex')).toBe(v.expected.ciphertext);
    });
  }

  it('keeps stream state across update() calls', () => {
    const key = hex('0102030405060708090a0b0c0d0e0f10');
    const whole = rc4(key, Buffer.alloc(40));
    const s = new Rc4(key);
    const split = Buffer.concat([s.update(Buffer.alloc(7)), s.update(Buffer.alloc(33))]);
    expect(split.equals(whole)).toBe(true);
  });

  it('is its own inverse', () => {
    const key = Buffer.from('Key');
    const pt = Buffer.from('Plaintext');
    // The classic "Key"/"Plaintext" example, and back again.
    expect(rc4(key, pt).toString('hex')).toBe('bbf316e8d940af0ad3');
    expect(rc4(key, rc4(key, pt)).equals(pt)).toBe(true);
  });

  it('rejects an empty key', () => expect(() => new Rc4(new Uint8Array(0))).toThrow(RangeError));
});
