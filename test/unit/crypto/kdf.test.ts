import {describe, expect, it} from 'vitest';
import {
  deriveSmb3Keys,
  deriveSmb3SigningKey,
  DIALECT_300,
  DIALECT_302,
  DIALECT_311,
  smb3Kdf,
  smbSessionKey,
  sp800108CounterHmacSha256,
} from '../../../src/crypto/kdf.js';
import {CIPHER_AES_128_CCM, CIPHER_AES_128_GCM, CIPHER_AES_256_CCM, CIPHER_AES_256_GCM} from '../../../src/crypto/seal.js';
import {vectorsOfKind} from '../../vectors/load.js';

const hex = (s: unknown) => Buffer.from(s as string, 'hex');

describe('SP800-108 counter-mode KDF, HMAC-SHA256 (NIST CAVP)', () => {
  const cases = vectorsOfKind('sp800_108_ctr_hmac_sha256');
  it('has the three vectors', () => expect(cases.length).toBe(3));
  for (const v of cases) {
    it(v.name, () => {
      const ko = sp800108CounterHmacSha256(hex(v.inputs.ki), hex(v.inputs.fixed_input), v.inputs.L_bits as number);
      expect(ko.toString('hex')).toBe(v.expected.ko);
    });
  }
  it('rejects an L that is not a whole number of bytes', () => {
    expect(() => sp800108CounterHmacSha256(Buffer.alloc(16), Buffer.alloc(1), 100)).toThrow(RangeError);
  });
});

describe('SMB3 KDF (MS-SMB2 3.1.4.2)', () => {
  const cases = vectorsOfKind('smb3_kdf');
  it('has the one vector', () => expect(cases.length).toBe(1));
  for (const v of cases) {
    it(v.name, () => {
      const a = (k: string) => Buffer.from(v.inputs[k] as string, 'latin1');
      expect(smb3Kdf(a('ki_ascii'), a('label_ascii'), a('context_ascii'), v.inputs.L_bits as number).toString('hex')).toBe(v.expected.ko);
    });
  }
  it('is SP800-108 with FixedInput = Label || 00 || Context || [L]_32be, for single- and multi-block L', () => {
    const ki = Buffer.from('0123456789abcdef');
    const label = Buffer.from('SMBSigningKey\0');
    const ctx = Buffer.alloc(64, 7);
    for (const l of [128, 256, 384]) {
      const lbe = Buffer.alloc(4);
      lbe.writeUInt32BE(l);
      const fixed = Buffer.concat([label, Buffer.from([0]), ctx, lbe]);
      expect(smb3Kdf(ki, label, ctx, l).equals(sp800108CounterHmacSha256(ki, fixed, l))).toBe(true);
    }
  });
});

describe('SMB 3.0 / 3.0.2 session keys', () => {
  const cases = vectorsOfKind('smb30_keys');
  it('has the three published sessions', () => expect(cases.length).toBe(3));
  for (const v of cases) {
    it(v.name, () => {
      for (const dialect of [DIALECT_300, DIALECT_302]) {
        const k = deriveSmb3Keys({dialect, fullSessionKey: hex(v.inputs.session_key)});
        expect(k.signingKey.toString('hex')).toBe(v.expected.signing_key);
        // ServerIn is what the server decrypts (client->server), ServerOut what it encrypts.
        if (v.expected.server_in_key) expect(k.c2sCipherKey.toString('hex')).toBe(v.expected.server_in_key);
        if (v.expected.server_out_key) expect(k.s2cCipherKey.toString('hex')).toBe(v.expected.server_out_key);
        if (v.expected.application_key) expect(k.applicationKey.toString('hex')).toBe(v.expected.application_key);
        expect(deriveSmb3SigningKey(dialect, hex(v.inputs.session_key)).toString('hex')).toBe(v.expected.signing_key);
      }
    });
  }
  it('refuses AES-256 below 3.1.1', () => {
    expect(() => deriveSmb3Keys({dialect: DIALECT_300, fullSessionKey: Buffer.alloc(16), cipherId: CIPHER_AES_256_GCM})).toThrow(RangeError);
  });
});

describe('SMB 3.1.1 session keys (context = preauth hash)', () => {
  const cases = vectorsOfKind('smb311_keys');
  it('has the five vectors (four published, one AES-256 computed)', () => expect(cases.length).toBe(5));
  for (const v of cases) {
    it(v.name, () => {
      const fullSessionKey = hex(v.inputs.session_key);
      const preauthHash = hex(v.inputs.preauth_hash);
      const wide = v.inputs.cipher_key_L_bits === 256;
      const ciphers = wide ? [CIPHER_AES_256_CCM, CIPHER_AES_256_GCM] : [undefined, CIPHER_AES_128_CCM, CIPHER_AES_128_GCM];
      for (const cipherId of ciphers) {
        const k = deriveSmb3Keys({dialect: DIALECT_311, fullSessionKey, preauthHash, cipherId});
        expect(k.signingKey.toString('hex')).toBe(v.expected.signing_key);
        if (v.expected.c2s_cipher_key) expect(k.c2sCipherKey.toString('hex')).toBe(v.expected.c2s_cipher_key);
        if (v.expected.s2c_cipher_key) expect(k.s2cCipherKey.toString('hex')).toBe(v.expected.s2c_cipher_key);
        if (v.expected.application_key) expect(k.applicationKey.toString('hex')).toBe(v.expected.application_key);
      }
      expect(deriveSmb3SigningKey(DIALECT_311, fullSessionKey, preauthHash).toString('hex')).toBe(v.expected.signing_key);
    });
  }

  it('AES-256 cipher keys are 32 bytes and not an extension of the AES-128 ones (L is in the PRF input)', () => {
    const v = cases.find((c) => c.inputs.cipher_key_L_bits === 256)!;
    const args = {dialect: DIALECT_311, fullSessionKey: hex(v.inputs.session_key), preauthHash: hex(v.inputs.preauth_hash)};
    const k128 = deriveSmb3Keys({...args, cipherId: CIPHER_AES_128_GCM});
    const k256 = deriveSmb3Keys({...args, cipherId: CIPHER_AES_256_GCM});
    expect(k256.c2sCipherKey.length).toBe(32);
    expect(k128.c2sCipherKey.length).toBe(16);
    expect(k256.c2sCipherKey.subarray(0, 16).equals(k128.c2sCipherKey)).toBe(false);
    expect(k256.signingKey.equals(k128.signingKey)).toBe(true);
  });

  it('needs the 64-byte preauth hash', () => {
    expect(() => deriveSmb3Keys({dialect: DIALECT_311, fullSessionKey: Buffer.alloc(16)})).toThrow(RangeError);
    expect(() => deriveSmb3SigningKey(DIALECT_311, Buffer.alloc(16), Buffer.alloc(32))).toThrow(RangeError);
  });

  it('rejects 2.x dialects', () => {
    expect(() => deriveSmb3SigningKey(0x0210, Buffer.alloc(16))).toThrow(RangeError);
  });
});

describe('Session.SessionKey (MS-SMB2 3.3.1.8)', () => {
  it('takes the first 16 bytes, zero-padding shorter keys', () => {
    expect(smbSessionKey(Buffer.alloc(32, 1)).equals(Buffer.alloc(16, 1))).toBe(true);
    expect(smbSessionKey(Buffer.from([1, 2])).toString('hex')).toBe('0102' + '00'.repeat(14));
  });
});
