import {createCipheriv, randomBytes} from 'node:crypto';
import {describe, expect, it} from 'vitest';
import {deriveSmb3SigningKey, DIALECT_300} from '../../../src/crypto/kdf.js';
import {
  aesCmac,
  aesGmac,
  cmacSubkeys,
  computeSignature,
  gmacNonce,
  MessageSigner,
  signingAlgorithmFor,
  signMessage,
  SIGNING_AES_CMAC,
  SIGNING_AES_GMAC,
  SIGNING_HMAC_SHA256,
  SMB2_FLAGS_SIGNED,
  verifyMessage,
  type SigningAlgorithm,
} from '../../../src/crypto/sign.js';
import {vectorsOfKind} from '../../vectors/load.js';

const hex = (s: unknown) => Buffer.from(s as string, 'hex');

/** RFC 4493 2.4 straight from the text, one ECB block at a time: a slow, independent reference. */
function referenceCmac(key: Buffer, m: Buffer): Buffer {
  const enc = (b: Buffer) => {
    const c = createCipheriv('aes-128-ecb', key, null);
    c.setAutoPadding(false);
    return c.update(b);
  };
  const shift = (b: Buffer) => {
    const big = (BigInt('0x' + b.toString('hex')) << 1n) & ((1n << 128n) - 1n);
    const out = Buffer.from(big.toString(16).padStart(32, '0'), 'hex');
    if (b[0]! & 0x80) out[15]! ^= 0x87;
    return out;
  };
  const k1 = shift(enc(Buffer.alloc(16)));
  const k2 = shift(k1);
  const n = Math.max(1, Math.ceil(m.length / 16));
  const complete = m.length > 0 && m.length % 16 === 0;
  const lastIn = Buffer.alloc(16);
  m.copy(lastIn, 0, (n - 1) * 16);
  if (!complete) lastIn[m.length - (n - 1) * 16] = 0x80;
  const sub = complete ? k1 : k2;
  for (let i = 0; i < 16; i++) lastIn[i]! ^= sub[i]!;
  let x = Buffer.alloc(16);
  for (let b = 0; b < n - 1; b++) {
    const y = Buffer.alloc(16);
    for (let i = 0; i < 16; i++) y[i] = x[i]! ^ m[b * 16 + i]!;
    x = enc(y);
  }
  for (let i = 0; i < 16; i++) lastIn[i]! ^= x[i]!;
  return enc(lastIn);
}

describe('AES-CMAC (RFC 4493)', () => {
  const sub = vectorsOfKind('cmac_subkeys');
  const cases = vectorsOfKind('aes_cmac');
  it('has the subkey vector and the four MAC vectors', () => {
    expect(sub.length).toBe(1);
    expect(cases.length).toBe(4);
  });
  for (const v of sub) {
    it(v.name, () => {
      const s = cmacSubkeys(hex(v.inputs.key));
      expect(s.l.toString('hex')).toBe(v.expected.aes_k_zero);
      expect(s.k1.toString('hex')).toBe(v.expected.k1);
      expect(s.k2.toString('hex')).toBe(v.expected.k2);
    });
  }
  for (const v of cases) {
    it(v.name, () => {
      const key = hex(v.inputs.key);
      const m = hex(v.inputs.message);
      expect(aesCmac(key, m).toString('hex')).toBe(v.expected.mac);
      expect(aesCmac(key, m, cmacSubkeys(key)).toString('hex')).toBe(v.expected.mac);
      expect(referenceCmac(key, m).toString('hex')).toBe(v.expected.mac);
    });
  }

  it('matches the block-by-block reference for every length 0..100 and any split into pieces', () => {
    const key = randomBytes(16);
    const subkeys = cmacSubkeys(key);
    const data = randomBytes(100);
    for (let n = 0; n <= 100; n++) {
      const m = data.subarray(0, n);
      const want = referenceCmac(key, m).toString('hex');
      expect(aesCmac(key, m, subkeys).toString('hex'), `len ${n}`).toBe(want);
      const a = Math.floor(n / 3);
      const b = Math.floor((2 * n) / 3);
      expect(aesCmac(key, [m.subarray(0, a), new Uint8Array(0), m.subarray(a, b), m.subarray(b)], subkeys).toString('hex')).toBe(want);
    }
  });

  it('matches the reference on messages of several 64 KiB pieces (lengths around the piece size, split or whole)', () => {
    const key = randomBytes(16);
    const subkeys = cmacSubkeys(key);
    const data = randomBytes(3 * 65536 + 40);
    for (const n of [65535, 65536, 65537, 65536 + 16, 2 * 65536 - 16, 3 * 65536 + 40]) {
      const m = data.subarray(0, n);
      const want = referenceCmac(key, m).toString('hex');
      expect(aesCmac(key, m, subkeys).toString('hex'), `len ${n}`).toBe(want);
      expect(aesCmac(key, [m.subarray(0, 70001), m.subarray(70001)], subkeys).toString('hex'), `len ${n} split`).toBe(want);
    }
  });
});

describe('SMB2 signing: HMAC-SHA256 (2.0.2 / 2.1)', () => {
  const cases = vectorsOfKind('smb2_sign_hmac_sha256');
  it('has the two vectors', () => expect(cases.length).toBe(2));
  for (const v of cases) it(v.name, () => checkVector(SIGNING_HMAC_SHA256, hex(v.inputs.key), hex(v.inputs.message), v.expected.signature!));
});

describe('SMB2 signing: AES-CMAC (3.x)', () => {
  const cases = vectorsOfKind('smb2_sign_aes_cmac');
  it('has the nine vectors', () => expect(cases.length).toBe(9));
  for (const v of cases) {
    it(v.name, () => {
      let key: Buffer;
      if (v.inputs.key) {
        key = hex(v.inputs.key);
      } else {
        expect(v.inputs.signing_key_derivation).toBe('smb30');
        key = deriveSmb3SigningKey(DIALECT_300, hex(v.inputs.session_key));
        expect(key.toString('hex')).toBe(v.intermediate!.signing_key);
      }
      checkVector(SIGNING_AES_CMAC, key, hex(v.inputs.message), v.expected.signature!);
    });
  }
});

describe('SMB2 signing: AES-GMAC (3.1.1 SMB2_SIGNING_CAPABILITIES)', () => {
  const cases = vectorsOfKind('smb2_sign_aes_gmac');
  it('has the two vectors', () => expect(cases.length).toBe(2));
  for (const v of cases) {
    it(v.name, () => {
      const m = hex(v.inputs.message);
      expect(gmacNonce(m).toString('hex')).toBe(v.intermediate!.nonce);
      checkVector(SIGNING_AES_GMAC, hex(v.inputs.key), m, v.expected.signature!);
    });
  }

  it('sets the CANCEL bit only for a client CANCEL request, and the role bit only for the server', () => {
    const h = Buffer.alloc(64);
    h.writeUInt16LE(0x000c, 12); // SMB2 CANCEL
    h.writeBigUInt64LE(0x1122334455667788n, 24);
    expect(gmacNonce(h).toString('hex')).toBe('8877665544332211' + '02000000');
    h.writeUInt32LE(0x00000001, 16); // SERVER_TO_REDIR: a response, never a "CANCEL request"
    expect(gmacNonce(h).toString('hex')).toBe('8877665544332211' + '01000000');
    h.writeUInt16LE(0x0008, 12);
    h.writeUInt32LE(0x00000009, 16);
    expect(gmacNonce(h).toString('hex')).toBe('8877665544332211' + '01000000');
  });

  it('is the GCM tag of the message as AAD, however the AAD is split', () => {
    const key = randomBytes(16);
    const nonce = randomBytes(12);
    const m = randomBytes(300);
    const g = createCipheriv('aes-128-gcm', key, nonce);
    g.setAAD(m);
    g.final();
    const want = g.getAuthTag();
    expect(aesGmac(key, nonce, m).equals(want)).toBe(true);
    expect(aesGmac(key, nonce, [m.subarray(0, 48), m.subarray(48, 64), m.subarray(64)]).equals(want)).toBe(true);
  });
});

/** Shared checks for a published signed message (printed with its signature in place). */
function checkVector(alg: SigningAlgorithm, key: Buffer, message: Buffer, signature: string): void {
  expect(message.subarray(48, 64).toString('hex')).toBe(signature);
  expect(computeSignature(alg, key, message).toString('hex')).toBe(signature);
  const signer = new MessageSigner(alg, key);
  expect(signer.verify(message)).toBe(true);
  expect(verifyMessage(message, alg, key)).toBe(true);
  expect(message.subarray(48, 64).toString('hex')).toBe(signature); // verify leaves the buffer alone

  // Sign in place from a copy with the field zeroed and the SIGNED flag cleared: same bytes back.
  expect(message.readUInt32LE(16) & SMB2_FLAGS_SIGNED).not.toBe(0);
  const copy = Buffer.from(message);
  copy.fill(0, 48, 64);
  copy.writeUInt32LE(copy.readUInt32LE(16) & ~SMB2_FLAGS_SIGNED, 16);
  signer.sign(copy);
  expect(copy.equals(message)).toBe(true);
  // The signature does not depend on what the field held before; setSignedFlag=false leaves flags alone.
  const copy2 = Buffer.from(message);
  copy2.fill(0xaa, 48, 64);
  signMessage(copy2, alg, key, false);
  expect(copy2.equals(message)).toBe(true);
  // Also through a view into a larger buffer (a message inside a compound chain).
  const chain = Buffer.concat([Buffer.alloc(8, 0xee), message, Buffer.alloc(8, 0xee)]);
  expect(signer.verify(chain.subarray(8, 8 + message.length))).toBe(true);

  // Any flipped bit, in header, signature or body, fails verification.
  for (const at of [0, 16, 24, 48, 63, 64, message.length - 1]) {
    const bad = Buffer.from(message);
    bad[at]! ^= 0x01;
    expect(signer.verify(bad), `byte ${at}`).toBe(false);
  }
  expect(signer.verify(message.subarray(0, message.length - 1))).toBe(false);
  expect(signer.verify(message.subarray(0, 63))).toBe(false);
  expect(new MessageSigner(alg, randomBytes(16)).verify(message)).toBe(false);
}

describe('algorithm choice and key checks', () => {
  it('follows the dialect and the negotiated SigningAlgorithmId (MS-SMB2 3.1.4.1)', () => {
    expect(signingAlgorithmFor(0x0202)).toBe(SIGNING_HMAC_SHA256);
    expect(signingAlgorithmFor(0x0210)).toBe(SIGNING_HMAC_SHA256);
    expect(signingAlgorithmFor(0x0300)).toBe(SIGNING_AES_CMAC);
    expect(signingAlgorithmFor(0x0302, SIGNING_AES_GMAC)).toBe(SIGNING_AES_CMAC);
    expect(signingAlgorithmFor(0x0311)).toBe(SIGNING_AES_CMAC);
    expect(signingAlgorithmFor(0x0311, SIGNING_AES_GMAC)).toBe(SIGNING_AES_GMAC);
  });
  it('refuses AES signing keys that are not 16 bytes and unknown algorithms', () => {
    expect(() => new MessageSigner(SIGNING_AES_CMAC, Buffer.alloc(32))).toThrow(RangeError);
    expect(() => new MessageSigner(7 as SigningAlgorithm, Buffer.alloc(16))).toThrow(RangeError);
    expect(() => computeSignature(SIGNING_AES_CMAC, Buffer.alloc(16), Buffer.alloc(63))).toThrow(RangeError);
  });
});

describe('signing a message held in two buffers (header and body, then a READ payload)', () => {
  for (const alg of [SIGNING_HMAC_SHA256, SIGNING_AES_CMAC, SIGNING_AES_GMAC] as SigningAlgorithm[]) {
    it(`algorithm ${alg}: the signature of the joined message`, () => {
      const signer = new MessageSigner(alg, randomBytes(16));
      for (const [h, t] of [[64, 1], [80, 15], [81, 4096], [100, 0]] as const) {
        const head = randomBytes(h);
        head.writeUInt32LE(1, 16); // SERVER_TO_REDIR, as our responses
        const tail = randomBytes(t);
        const whole = Buffer.concat([head, tail]);
        signer.sign(whole);
        signer.sign(head, true, tail);
        expect(head.equals(whole.subarray(0, h))).toBe(true);
        expect(signer.verify(Buffer.concat([head, tail]))).toBe(true);
      }
    });
  }
});
