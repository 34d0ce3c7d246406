// SMB 3.x key derivation (MS-SMB2 3.1.4.2): NIST SP800-108 KDF in counter mode with
// HMAC-SHA256 as the PRF, r = 32 (a 4-byte big-endian counter), and
//   fixed input = Label || 0x00 || Context || [L]_32be.
// The SMB labels and contexts below carry their own trailing NUL, so the bytes between
// Label and Context are two zeros (e.g. "SMB2AESCMAC\0" 0x00 "SmbSign\0").

import {createHmac} from 'node:crypto';
import {cipherKeyLength} from './seal.js';

const u32be = (n: number): Buffer => {
  const b = Buffer.alloc(4);
  b.writeUInt32BE(n >>> 0, 0);
  return b;
};

/**
 * SP800-108 section 5.1 counter-mode KDF with HMAC-SHA256 and a caller-built fixed input:
 * K(i) = HMAC-SHA256(Ki, [i]_32be || FixedInput), i = 1..ceil(L/256), output truncated to L bits.
 * L must be a multiple of 8 here (SMB only ever asks for 128 or 256).
 */
export function sp800108CounterHmacSha256(ki: Uint8Array, fixedInput: Uint8Array, lBits: number): Buffer {
  if (lBits <= 0 || lBits % 8 !== 0) throw new RangeError('L must be a positive multiple of 8');
  const bytes = lBits / 8;
  const blocks = Math.ceil(bytes / 32);
  const out = Buffer.allocUnsafe(blocks * 32);
  for (let i = 1; i <= blocks; i++) {
    createHmac('sha256', ki).update(u32be(i)).update(fixedInput).digest().copy(out, (i - 1) * 32);
  }
  return out.subarray(0, bytes);
}

const ZERO1 = new Uint8Array(1);

/**
 * The SMB KDF of MS-SMB2 3.1.4.2: SP800-108 with fixed input Label || 0x00 || Context || [L]_32be.
 * Label and Context are passed exactly as the spec spells them (with their own NUL where it
 * has one); this function adds only the single separator byte.
 */
export function smb3Kdf(ki: Uint8Array, label: Uint8Array, context: Uint8Array, lBits = 128): Buffer {
  if (lBits > 256 || lBits % 8 !== 0 || lBits <= 0) {
    return sp800108CounterHmacSha256(ki, Buffer.concat([label, ZERO1, context, u32be(lBits)]), lBits);
  }
  // L <= 256 needs a single PRF block: feed the pieces straight into one HMAC.
  return createHmac('sha256', ki)
    .update(u32be(1))
    .update(label)
    .update(ZERO1)
    .update(context)
    .update(u32be(lBits))
    .digest()
    .subarray(0, lBits / 8);
}

const z = (s: string): Buffer => Buffer.from(s + '\0', 'latin1');

// MS-SMB2 3.3.5.5.3 (server) / 3.2.5.3.1 (client). 3.0 and 3.0.2 use fixed contexts; note the
// space in "ServerIn " - it is in the spec and in every implementation that interoperates.
const SMB30 = {
  signing: [z('SMB2AESCMAC'), z('SmbSign')],
  serverIn: [z('SMB2AESCCM'), z('ServerIn ')],
  serverOut: [z('SMB2AESCCM'), z('ServerOut')],
  application: [z('SMB2APP'), z('SmbRpc')],
} as const;
// 3.1.1 uses the session's PreauthIntegrityHashValue as the context of every key.
const SMB311 = {
  signing: z('SMBSigningKey'),
  c2s: z('SMBC2SCipherKey'),
  s2c: z('SMBS2CCipherKey'),
  application: z('SMBAppKey'),
} as const;

/** Dialect revision numbers of MS-SMB2 2.2.3 that take part in key derivation. */
export const DIALECT_300 = 0x0300;
export const DIALECT_302 = 0x0302;
export const DIALECT_311 = 0x0311;

/**
 * Session keys named from the server's side, so nobody has to remember that the blogs'
 * "EncryptionKey" is the client's: the server encrypts with s2cCipherKey (3.0 "ServerOut")
 * and decrypts with c2sCipherKey (3.0 "ServerIn ").
 */
export interface Smb3Keys {
  signingKey: Buffer;
  c2sCipherKey: Buffer;
  s2cCipherKey: Buffer;
  applicationKey: Buffer;
}

/**
 * Session.SessionKey (MS-SMB2 3.3.1.8): the first 16 bytes of the authentication key,
 * right-padded with zeros when shorter.
 */
export function smbSessionKey(fullSessionKey: Uint8Array): Buffer {
  const k = Buffer.alloc(16);
  k.set(fullSessionKey.subarray(0, 16));
  return k;
}

function requirePreauth(preauthHash: Uint8Array | undefined): Uint8Array {
  if (!preauthHash || preauthHash.length !== 64) throw new RangeError('dialect 3.1.1 needs the 64-byte preauth hash');
  return preauthHash;
}

/**
 * Signing key alone: Session.SigningKey, or Channel.SigningKey when binding a new channel
 * (then `preauthHash` is the binding channel's own chain). Always L = 128 from
 * Session.SessionKey, whatever the cipher.
 */
export function deriveSmb3SigningKey(dialect: number, fullSessionKey: Uint8Array, preauthHash?: Uint8Array): Buffer {
  const sk = smbSessionKey(fullSessionKey);
  if (dialect === DIALECT_311) return smb3Kdf(sk, SMB311.signing, requirePreauth(preauthHash), 128);
  if (dialect === DIALECT_300 || dialect === DIALECT_302) return smb3Kdf(sk, SMB30.signing[0], SMB30.signing[1], 128);
  throw new RangeError(`no SMB3 key derivation for dialect 0x${dialect.toString(16)}`);
}

/**
 * All session keys for a 3.x dialect (MS-SMB2 3.3.5.5.3). `fullSessionKey` is the key the
 * authentication produced (16 bytes for NTLM, possibly 32 for Kerberos). For AES-256-CCM/GCM
 * (3.1.1 only) the two cipher keys use L = 256 and Ki = Session.FullSessionKey; because L is
 * part of the PRF input their first 16 bytes differ from the L = 128 keys.
 */
export function deriveSmb3Keys(opts: {
  dialect: number;
  fullSessionKey: Uint8Array;
  preauthHash?: Uint8Array;
  cipherId?: number;
}): Smb3Keys {
  const {dialect, fullSessionKey} = opts;
  const sk = smbSessionKey(fullSessionKey);
  const signingKey = deriveSmb3SigningKey(dialect, fullSessionKey, opts.preauthHash);
  if (dialect === DIALECT_311) {
    const ctx = requirePreauth(opts.preauthHash);
    const wide = opts.cipherId !== undefined && cipherKeyLength(opts.cipherId) === 32;
    const cipherKi = wide ? fullSessionKey : sk;
    const lBits = wide ? 256 : 128;
    return {
      signingKey,
      c2sCipherKey: smb3Kdf(cipherKi, SMB311.c2s, ctx, lBits),
      s2cCipherKey: smb3Kdf(cipherKi, SMB311.s2c, ctx, lBits),
      applicationKey: smb3Kdf(sk, SMB311.application, ctx, 128),
    };
  }
  // 3.0 / 3.0.2 cannot negotiate AES-256 (it needs the 3.1.1 encryption context), so L = 128.
  if (opts.cipherId !== undefined && cipherKeyLength(opts.cipherId) !== 16) {
    throw new RangeError('AES-256 ciphers exist only in dialect 3.1.1');
  }
  return {
    signingKey,
    c2sCipherKey: smb3Kdf(sk, SMB30.serverIn[0], SMB30.serverIn[1], 128),
    s2cCipherKey: smb3Kdf(sk, SMB30.serverOut[0], SMB30.serverOut[1], 128),
    applicationKey: smb3Kdf(sk, SMB30.application[0], SMB30.application[1], 128),
  };
}
