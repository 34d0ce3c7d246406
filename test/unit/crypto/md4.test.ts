import {describe, expect, it} from 'vitest';
import {md4} from '../../../src/crypto/md4.js';
import {ntHash} from '../../../src/crypto/nt-hash.js';
import {vectorsOfKind} from '../../vectors/load.js';

describe('md4 (RFC 1320 A.5)', () => {
  const cases = vectorsOfKind('md4');
  it('has the seven published vectors', () => expect(cases.length).toBe(7));
  for (const v of cases) {
    it(v.name, () => {
      expect(md4(Buffer.from(v.inputs.message_ascii as string, 'latin1')).toString('hex')).toBe(v.expected.digest);
    });
  }
  it('handles lengths around the padding boundary', () => {
    // 55/56/63/64 bytes switch between one and two padding blocks; compare with a two-call split nowhere:
    // the check is that every length yields 16 bytes and distinct digests.
    const seen = new Set<string>();
    for (let n = 50; n < 130; n++) {
      const d = md4(Buffer.alloc(n, 0x61)).toString('hex');
      expect(d).toHaveLength(32);
      seen.add(d);
    }
    expect(seen.size).toBe(80);
  });
});

describe('nt hash (MS-NLMP 3.3.1 NTOWFv1)', () => {
  for (const v of vectorsOfKind('nt_hash')) {
    it(v.name, () => {
      const h = ntHash(v.inputs.password as string);
      expect(h.toString('hex')).toBe(v.expected.nt_hash);
      if (v.expected.ksmbdpwd_base64) expect(h.toString('base64')).toBe(v.expected.ksmbdpwd_base64);
    });
  }
});
