import {randomBytes} from 'node:crypto';
import {describe, expect, it} from 'vitest';
import {
  aesCcmDecrypt,
  aesCcmEncrypt,
  aesGcmDecrypt,
  aesGcmEncrypt,
  CIPHER_AES_128_CCM,
  CIPHER_AES_128_GCM,
  CIPHER_AES_256_CCM,
  CIPHER_AES_256_GCM,
  decryptMessage,
  DecryptError,
  encryptMessage,
  GcmInPlaceDecrypt,
  isTransformMessage,
  NonceSequence,
  sealMessage,
  sealMessageParts,
  GCM_PIECE,
  transformSessionId,
} from '../../../src/crypto/seal.js';
import {vectorsOfKind} from '../../vectors/load.js';

const hex = (s: unknown) => Buffer.from(s as string, 'hex');
const CIPHER_BY_NAME: Record<string, number> = {
  'AES-128-CCM': CIPHER_AES_128_CCM,
  'AES-128-GCM': CIPHER_AES_128_GCM,
  'AES-256-CCM': CIPHER_AES_256_CCM,
  'AES-256-GCM': CIPHER_AES_256_GCM,
};
const cipherOf = (v: {inputs: Record<string, unknown>}) => {
  const id = CIPHER_BY_NAME[v.inputs.cipher as string];
  expect(id).toBeDefined();
  return id!;
};

describe('AES-CCM primitive (RFC 3610)', () => {
  const cases = vectorsOfKind('aes_ccm');
  it('has the one vector', () => expect(cases.length).toBe(1));
  for (const v of cases) {
    it(v.name, () => {
      const i = v.inputs;
      const s = aesCcmEncrypt(hex(i.key), hex(i.nonce), hex(i.aad), hex(i.plaintext), i.tag_length as number);
      expect(s.ciphertext.toString('hex')).toBe(v.expected.ciphertext);
      expect(s.tag.toString('hex')).toBe(v.expected.tag);
      expect(aesCcmDecrypt(hex(i.key), hex(i.nonce), hex(i.aad), s.ciphertext, s.tag).toString('hex')).toBe(i.plaintext);
      const bad = Buffer.from(s.tag);
      bad[0]! ^= 1;
      expect(() => aesCcmDecrypt(hex(i.key), hex(i.nonce), hex(i.aad), s.ciphertext, bad)).toThrow(DecryptError);
    });
  }
});

describe('AES-GCM primitive (McGrew & Viega test cases)', () => {
  const cases = vectorsOfKind('aes_gcm');
  it('has the four vectors', () => expect(cases.length).toBe(4));
  for (const v of cases) {
    it(v.name, () => {
      const i = v.inputs;
      const s = aesGcmEncrypt(hex(i.key), hex(i.iv), hex(i.aad), hex(i.plaintext));
      expect(s.ciphertext.toString('hex')).toBe(v.expected.ciphertext);
      expect(s.tag.toString('hex')).toBe(v.expected.tag);
      expect(aesGcmDecrypt(hex(i.key), hex(i.iv), hex(i.aad), s.ciphertext, s.tag).toString('hex')).toBe(i.plaintext);
      const badAad = Buffer.concat([hex(i.aad), Buffer.from([0])]);
      expect(() => aesGcmDecrypt(hex(i.key), hex(i.iv), badAad, s.ciphertext, s.tag)).toThrow(DecryptError);
    });
  }
});

describe('SMB3 TRANSFORM encryption (MS-SMB2 3.1.4.3)', () => {
  const cases = vectorsOfKind('smb3_encrypt');
  it('has the eight vectors (six published, two AES-256 computed)', () => expect(cases.length).toBe(8));
  for (const v of cases) {
    it(v.name, () => {
      const i = v.inputs;
      expect(i.flags).toBe(1);
      const cipherId = cipherOf(v);
      const sessionId = BigInt(i.session_id as string);
      const msg = encryptMessage(hex(i.key), cipherId, sessionId, hex(i.plaintext), hex(i.nonce_field));
      expect(msg.toString('hex')).toBe(v.expected.transform_message);
      expect(msg.subarray(4, 20).toString('hex')).toBe(v.expected.signature);
      expect(msg.subarray(52).toString('hex')).toBe(v.expected.ciphertext);
      if (v.intermediate?.aad) expect(msg.subarray(20, 52).toString('hex')).toBe(v.intermediate.aad);
      const [header, ciphertext] = sealMessage(hex(i.key), cipherId, sessionId, hex(i.plaintext), hex(i.nonce_field));
      expect(Buffer.concat([header, ciphertext]).equals(msg)).toBe(true);
      // The receiving side gets the message back with the same key.
      expect(isTransformMessage(msg)).toBe(true);
      expect(transformSessionId(msg)).toBe(sessionId);
      expect(decryptMessage(hex(i.key), cipherId, msg).toString('hex')).toBe(i.plaintext);
    });
  }

  it('counts the Nonce bytes past the cipher nonce as AAD (SMB 3.0 blog client sets them)', () => {
    const v = cases.find((c) => c.name === 'smb30-ccm-encrypt-write-request')!;
    const msg = hex(v.expected.transform_message);
    msg[35]! ^= 1;
    expect(() => decryptMessage(hex(v.inputs.key), CIPHER_AES_128_CCM, msg)).toThrow(DecryptError);
  });
});

describe('SMB3 TRANSFORM decryption (MS-SMB2 3.3.5.2.1.1)', () => {
  const cases = vectorsOfKind('smb3_decrypt');
  it('has the six published vectors', () => expect(cases.length).toBe(6));
  for (const v of cases) {
    it(v.name, () => {
      const msg = hex(v.inputs.transform_message);
      const cipherId = cipherOf(v);
      if (v.intermediate?.aad) expect(msg.subarray(20, 52).toString('hex')).toBe(v.intermediate.aad);
      expect(decryptMessage(hex(v.inputs.key), cipherId, msg).toString('hex')).toBe(v.expected.plaintext);
      // Re-encrypting with the same nonce gives the same bytes back.
      const again = encryptMessage(hex(v.inputs.key), cipherId, transformSessionId(msg), hex(v.expected.plaintext), msg.subarray(20, 36));
      expect(again.equals(msg)).toBe(true);
      // Any flipped bit (tag, nonce, size, session id, ciphertext) is refused.
      for (const at of [4, 20, 44, 52, msg.length - 1]) {
        const bad = Buffer.from(msg);
        bad[at]! ^= 0x01;
        expect(() => decryptMessage(hex(v.inputs.key), cipherId, bad), `byte ${at}`).toThrow(DecryptError);
      }
      expect(() => decryptMessage(Buffer.alloc(hex(v.inputs.key).length), cipherId, msg)).toThrow(DecryptError);
    });
  }

  it('refuses malformed TRANSFORM headers before touching the cipher', () => {
    const key = randomBytes(16);
    const good = encryptMessage(key, CIPHER_AES_128_GCM, 5n, Buffer.alloc(100, 1));
    const withSize = (n: number) => {
      const b = Buffer.from(good);
      b.writeUInt32LE(n, 36);
      return b;
    };
    const withFlags = Buffer.from(good);
    withFlags.writeUInt16LE(0, 42);
    const notTransform = Buffer.from(good);
    notTransform[0] = 0xfe;
    for (const bad of [good.subarray(0, 52), good.subarray(0, 20), withSize(99), withSize(101), withFlags, notTransform]) {
      expect(() => decryptMessage(key, CIPHER_AES_128_GCM, bad)).toThrow(DecryptError);
    }
    const tiny = encryptMessage(key, CIPHER_AES_128_GCM, 5n, Buffer.alloc(63));
    expect(() => decryptMessage(key, CIPHER_AES_128_GCM, tiny)).toThrow(DecryptError);
  });
});

describe('round trips and nonces', () => {
  const all = [CIPHER_AES_128_CCM, CIPHER_AES_128_GCM, CIPHER_AES_256_CCM, CIPHER_AES_256_GCM];

  it('encrypts and decrypts every cipher, small to 1 MiB, with a NonceSequence', () => {
    for (const cipherId of all) {
      const key = randomBytes(cipherId >= CIPHER_AES_256_CCM ? 32 : 16);
      const seq = new NonceSequence(cipherId);
      for (const size of [64, 65, 1000, 1 << 20]) {
        const pt = randomBytes(size);
        const msg = encryptMessage(key, cipherId, 0x1234567890abcdefn, pt, seq.next());
        expect(msg.length).toBe(52 + size);
        expect(msg.readUInt32LE(36)).toBe(size);
        expect(msg.readUInt16LE(42)).toBe(1);
        expect(decryptMessage(key, cipherId, msg).equals(pt)).toBe(true);
      }
    }
  });

  it('NonceSequence never repeats and keeps the reserved tail zero', () => {
    for (const cipherId of all) {
      const seq = new NonceSequence(cipherId);
      const seen = new Set<string>();
      const used = cipherId === CIPHER_AES_128_GCM || cipherId === CIPHER_AES_256_GCM ? 12 : 11;
      for (let n = 0; n < 1000; n++) {
        const nonce = seq.next();
        expect(nonce.subarray(used).equals(Buffer.alloc(16 - used))).toBe(true);
        seen.add(nonce.subarray(0, used).toString('hex'));
      }
      expect(seen.size).toBe(1000);
    }
  });

  it('a random nonce is generated when none is given, and wrong key or nonce sizes are refused', () => {
    const key = randomBytes(16);
    const a = encryptMessage(key, CIPHER_AES_128_CCM, 1n, Buffer.alloc(64));
    const b = encryptMessage(key, CIPHER_AES_128_CCM, 1n, Buffer.alloc(64));
    expect(a.subarray(20, 31).equals(b.subarray(20, 31))).toBe(false);
    expect(a.subarray(31, 36).equals(Buffer.alloc(5))).toBe(true);
    expect(() => encryptMessage(randomBytes(32), CIPHER_AES_128_GCM, 1n, Buffer.alloc(64))).toThrow(RangeError);
    expect(() => encryptMessage(key, CIPHER_AES_128_GCM, 1n, Buffer.alloc(64), Buffer.alloc(11))).toThrow(RangeError);
    expect(() => encryptMessage(key, 9, 1n, Buffer.alloc(64))).toThrow(RangeError);
  });
});

describe('sealMessageParts (a message held in two buffers)', () => {
  for (const cipher of [CIPHER_AES_128_GCM, CIPHER_AES_256_GCM, CIPHER_AES_128_CCM, CIPHER_AES_256_CCM]) {
    it(`cipher ${cipher}: the same bytes as sealing the joined message, and decryptable`, () => {
      const key = randomBytes(cipher === CIPHER_AES_256_GCM || cipher === CIPHER_AES_256_CCM ? 32 : 16);
      const head = randomBytes(80);
      const tail = randomBytes(70_001);
      const nonce = randomBytes(16);
      const parts = sealMessageParts(key, cipher, 0x1234n, head, tail, nonce);
      const joined = Buffer.concat(parts);
      expect(joined.equals(encryptMessage(key, cipher, 0x1234n, Buffer.concat([head, tail]), nonce))).toBe(true);
      expect(decryptMessage(key, cipher, joined).equals(Buffer.concat([head, tail]))).toBe(true);
    });
  }
  it('GCM: a payload longer than GCM_PIECE is encrypted in pieces that join to the one-shot ciphertext', () => {
    const key = randomBytes(16);
    const head = randomBytes(80);
    const tail = randomBytes(2 * GCM_PIECE + 12_345);
    const nonce = randomBytes(16);
    const parts = sealMessageParts(key, CIPHER_AES_128_GCM, 7n, head, tail, nonce);
    // header, head, three payload pieces (GCM's final() gives nothing more)
    expect(parts.map((p) => p.length)).toEqual([52, 80, GCM_PIECE, GCM_PIECE, 12_345]);
    const joined = Buffer.concat(parts);
    expect(joined.equals(encryptMessage(key, CIPHER_AES_128_GCM, 7n, Buffer.concat([head, tail]), nonce))).toBe(true);
    expect(decryptMessage(key, CIPHER_AES_128_GCM, joined).equals(Buffer.concat([head, tail]))).toBe(true);
  });
});

describe('decryptMessage in place (large GCM messages, piece by piece)', () => {
  const all = [CIPHER_AES_128_CCM, CIPHER_AES_128_GCM, CIPHER_AES_256_CCM, CIPHER_AES_256_GCM];
  const gcm = (c: number) => c === CIPHER_AES_128_GCM || c === CIPHER_AES_256_GCM;

  for (const cipherId of all) {
    it(`cipher ${cipherId}: the same plaintext as the one-shot decryption, over the message's own bytes for GCM`, () => {
      const key = randomBytes(cipherId >= CIPHER_AES_256_CCM ? 32 : 16);
      const seq = new NonceSequence(cipherId);
      // Below the in-place bound, at it, one byte past a piece boundary, and 8 MiB.
      for (const size of [4096, 256 * 1024, 3 * 128 * 1024 + 1, 8 * 1024 * 1024]) {
        const pt = randomBytes(size);
        const msg = encryptMessage(key, cipherId, 7n, pt, seq.next());
        const plain = decryptMessage(key, cipherId, msg, true);
        expect(plain.equals(pt), `size ${size}`).toBe(true);
        expect(plain.buffer === msg.buffer, `size ${size} in place`).toBe(gcm(cipherId) && size >= 256 * 1024);
      }
    });
  }

  it('a flipped ciphertext byte or tag bit past the first piece is refused (DecryptError), in place too', () => {
    const key = randomBytes(16);
    const pt = randomBytes(2 * 1024 * 1024);
    const msg = encryptMessage(key, CIPHER_AES_128_GCM, 7n, pt, new NonceSequence(CIPHER_AES_128_GCM).next());
    const late = Buffer.from(msg);
    late[52 + 1_500_000]! ^= 0x10;
    expect(() => decryptMessage(key, CIPHER_AES_128_GCM, late, true)).toThrow(DecryptError);
    const tag = Buffer.from(msg);
    tag[19]! ^= 0x01;
    expect(() => decryptMessage(key, CIPHER_AES_128_GCM, tag, true)).toThrow(DecryptError);
    // The untouched message still decrypts.
    expect(decryptMessage(key, CIPHER_AES_128_GCM, msg, true).equals(pt)).toBe(true);
  });
});

describe('GcmInPlaceDecrypt (a large GCM message decrypted while it arrives)', () => {
  it('fed the arrived length in steps of any size, then finished: the plaintext, over the message', () => {
    const key = randomBytes(16);
    const pt = randomBytes(3 * 1024 * 1024 + 77);
    const msg = encryptMessage(key, CIPHER_AES_128_GCM, 9n, pt, new NonceSequence(CIPHER_AES_128_GCM).next());
    for (const step of [52, 1000, 65536, 300_001, msg.length]) {
      const copy = Buffer.from(msg);
      const g = GcmInPlaceDecrypt.start(key, CIPHER_AES_128_GCM, copy)!;
      for (let arrived = step; arrived < copy.length; arrived += step) g.feed(arrived);
      const plain = g.finish();
      expect(plain.buffer, `step ${step}`).toBe(copy.buffer);
      expect(plain.equals(pt), `step ${step}`).toBe(true);
    }
  });

  it('a byte altered anywhere, even in a piece already fed, fails at finish(); does not apply to CCM, small or bad headers', () => {
    const key = randomBytes(16);
    const pt = randomBytes(1024 * 1024);
    const msg = encryptMessage(key, CIPHER_AES_128_GCM, 9n, pt, new NonceSequence(CIPHER_AES_128_GCM).next());
    for (const at of [52, 52 + 70_000, msg.length - 1]) {
      const bad = Buffer.from(msg);
      bad[at]! ^= 0x04;
      const g = GcmInPlaceDecrypt.start(key, CIPHER_AES_128_GCM, bad)!;
      g.feed(bad.length - 1000);
      expect(() => g.finish(), `byte ${at}`).toThrow(DecryptError);
    }
    const ccmKey = randomBytes(16);
    const ccm = encryptMessage(ccmKey, CIPHER_AES_128_CCM, 9n, pt, new NonceSequence(CIPHER_AES_128_CCM).next());
    expect(GcmInPlaceDecrypt.start(ccmKey, CIPHER_AES_128_CCM, ccm)).toBeUndefined();
    const small = encryptMessage(key, CIPHER_AES_128_GCM, 9n, randomBytes(4096), new NonceSequence(CIPHER_AES_128_GCM).next());
    expect(GcmInPlaceDecrypt.start(key, CIPHER_AES_128_GCM, small)).toBeUndefined();
    const sizeOff = Buffer.from(msg);
    sizeOff.writeUInt32LE(pt.length - 16, 36);
    expect(GcmInPlaceDecrypt.start(key, CIPHER_AES_128_GCM, sizeOff)).toBeUndefined();
    expect(GcmInPlaceDecrypt.start(randomBytes(32), CIPHER_AES_128_GCM, msg)).toBeUndefined();
  });
});
