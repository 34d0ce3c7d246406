import {describe, expect, it} from 'vitest';
import {preauthInitial, preauthUpdate} from '../../../src/crypto/preauth.js';
import {vectorsOfKind} from '../../vectors/load.js';

describe('preauth integrity SHA-512 chain (MS-SMB2 3.3.5.4 / 3.3.5.5)', () => {
  const cases = vectorsOfKind('preauth_integrity');
  const sessions = vectorsOfKind('smb311_keys');
  it('has the four published sessions', () => expect(cases.length).toBe(4));

  for (const v of cases) {
    it(v.name, () => {
      const messages = v.inputs.messages as string[];
      const hashes = v.expected.hashes as unknown as string[];
      expect(messages.length).toBe(hashes.length);
      let h = preauthInitial();
      messages.forEach((m, i) => {
        h = preauthUpdate(h, Buffer.from(m, 'hex'));
        expect(h.toString('hex'), `after ${i}`).toBe(hashes[i]);
      });
      // The value after the last SESSION_SETUP request is the KDF context of a 3.1.1 key vector.
      expect(sessions.some((s) => s.inputs.preauth_hash === h.toString('hex'))).toBe(true);
    });
  }

  it('hashes a message given in pieces like the joined message, without touching the input', () => {
    const msg = Buffer.from((cases[0]!.inputs.messages as string[])[0]!, 'hex');
    const h0 = preauthInitial();
    const joined = preauthUpdate(h0, msg);
    expect(preauthUpdate(h0, [msg.subarray(0, 64), msg.subarray(64, 65), msg.subarray(65)]).equals(joined)).toBe(true);
    expect(h0.equals(Buffer.alloc(64))).toBe(true);
  });

  it('rejects a previous value of the wrong size', () => {
    expect(() => preauthUpdate(Buffer.alloc(32), Buffer.alloc(1))).toThrow(RangeError);
  });
});
