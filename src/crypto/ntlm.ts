// NTLMv2 key material for the server side of an NTLMSSP logon (MS-NLMP).
// Parsing the NTLM messages belongs to src/auth; this file only turns bytes the parser
// found into proofs and keys, so every function takes plain buffers and strings.
// Secrets (hashes, keys, proofs) are returned to the caller and never logged here.

import {createHash, createHmac, timingSafeEqual} from 'node:crypto';
import {md4} from './md4.js';
import {Rc4, rc4} from './rc4.js';

/** HMAC_MD5(K, M) of MS-NLMP 6 over the concatenation of the parts, without concatenating them. */
export function hmacMd5(key: Uint8Array, ...parts: Uint8Array[]): Buffer {
  const h = createHmac('md5', key);
  for (const p of parts) h.update(p);
  return h.digest();
}

/**
 * Upper-case one code point at a time and keep the original when the upper-case form would
 * change length (JS maps 'ß' to 'SS'); Windows' RtlUpcaseUnicodeString is a 1:1 table, and
 * the user name must hash exactly as the client hashed it.
 */
function upcaseLikeWindows(s: string): string {
  let out = '';
  for (const ch of s) {
    const up = ch.toUpperCase();
    out += up.length === ch.length ? up : ch;
  }
  return out;
}

/**
 * NTOWFv2 (MS-NLMP 3.3.2): HMAC_MD5(NTOWFv1, UNICODE(Uppercase(User) || UserDom)).
 * Only the user is upper-cased; the domain is used exactly as the client sent it.
 */
export function ntowfv2(ntHash: Uint8Array, user: string, domain: string): Buffer {
  return hmacMd5(ntHash, Buffer.from(upcaseLikeWindows(user) + domain, 'utf16le'));
}

/**
 * The client's NTLMv2 "temp" blob (MS-NLMP 3.3.2): Responserversion=1, HiResponserversion=1,
 * Z(6), Time, ClientChallenge, Z(4), ServerName (the AV pairs, ending in MsvAvEOL), Z(4).
 * A server never builds one; tests and the raw-frame test client do.
 */
export function ntlmv2Temp(time: Uint8Array, clientChallenge: Uint8Array, avPairs: Uint8Array): Buffer {
  if (time.length !== 8 || clientChallenge.length !== 8) throw new RangeError('time and client challenge are 8 bytes');
  const temp = Buffer.alloc(28 + avPairs.length + 4);
  temp[0] = 1;
  temp[1] = 1;
  temp.set(time, 8);
  temp.set(clientChallenge, 16);
  temp.set(avPairs, 28);
  return temp;
}

/** NTProofStr = HMAC_MD5(NTOWFv2, ServerChallenge || temp) (MS-NLMP 3.3.2). */
export function ntProofStr(ntowf: Uint8Array, serverChallenge: Uint8Array, temp: Uint8Array): Buffer {
  return hmacMd5(ntowf, serverChallenge, temp);
}

/** LMv2 response = HMAC_MD5(NTOWFv2, ServerChallenge || ClientChallenge) || ClientChallenge (MS-NLMP 3.3.2). */
export function lmv2Response(ntowf: Uint8Array, serverChallenge: Uint8Array, clientChallenge: Uint8Array): Buffer {
  return Buffer.concat([hmacMd5(ntowf, serverChallenge, clientChallenge), clientChallenge]);
}

/** NTLMv2 SessionBaseKey = HMAC_MD5(NTOWFv2, NTProofStr) (MS-NLMP 3.3.2); also the KeyExchangeKey (3.4.5.1). */
export function ntlmv2SessionBaseKey(ntowf: Uint8Array, proof: Uint8Array): Buffer {
  return hmacMd5(ntowf, proof);
}

/**
 * NTLMv1 SessionBaseKey = MD4(NTOWFv1) (MS-NLMP 3.3.1). Kept only so the 4.2.2 vector has a home:
 * an SMB2 server should refuse NTLMv1 responses (24-byte NtChallengeResponse) outright.
 */
export function ntlmv1SessionBaseKey(ntHash: Uint8Array): Buffer {
  return md4(ntHash);
}

/** NtChallengeResponse = NTProofStr(16) || temp, and temp is at least its 28-byte fixed part. */
const MIN_NTLMV2_RESPONSE = 16 + 28;

/**
 * Server-side check of an NTLMv2 NtChallengeResponse (MS-NLMP 3.3.2, 3.2.5.1.2):
 * recompute NTProofStr over ServerChallenge || NtChallengeResponse[16..] and compare it in
 * constant time with the first 16 bytes. Returns the SessionBaseKey, or null on mismatch.
 * A 24-byte response is NTLMv1 (or LM) and is rejected here by length.
 */
export function verifyNtlmv2Response(
  ntHash: Uint8Array,
  user: string,
  domain: string,
  serverChallenge: Uint8Array,
  ntChallengeResponse: Uint8Array,
): Buffer | null {
  if (serverChallenge.length !== 8) throw new RangeError('server challenge is 8 bytes');
  if (ntChallengeResponse.length < MIN_NTLMV2_RESPONSE) return null;
  const ntowf = ntowfv2(ntHash, user, domain);
  const proof = ntProofStr(ntowf, serverChallenge, ntChallengeResponse.subarray(16));
  if (!timingSafeEqual(proof, ntChallengeResponse.subarray(0, 16))) return null;
  return ntlmv2SessionBaseKey(ntowf, proof);
}

/**
 * With NTLMSSP_NEGOTIATE_KEY_EXCH the client sends RC4K(KeyExchangeKey, ExportedSessionKey)
 * as EncryptedRandomSessionKey; the server recovers ExportedSessionKey with the same RC4
 * (MS-NLMP 3.2.5.1.2). Without KEY_EXCH the ExportedSessionKey is the KeyExchangeKey itself.
 * Either way the result is the SMB Session.SessionKey.
 */
export function recoverExportedSessionKey(keyExchangeKey: Uint8Array, encryptedRandomSessionKey: Uint8Array): Buffer {
  if (encryptedRandomSessionKey.length !== 16) throw new RangeError('EncryptedRandomSessionKey is 16 bytes');
  return rc4(keyExchangeKey, encryptedRandomSessionKey);
}

/** Client side of the same exchange (MS-NLMP 3.1.5.1.2), for tests and the raw-frame client. */
export function encryptRandomSessionKey(keyExchangeKey: Uint8Array, exportedSessionKey: Uint8Array): Buffer {
  return rc4(keyExchangeKey, exportedSessionKey);
}

/** Where the MIC sits in AUTHENTICATE_MESSAGE when a Version field is present (MS-NLMP 2.2.1.3). */
export const NTLM_MIC_OFFSET = 72;

/**
 * MIC = HMAC_MD5(ExportedSessionKey, NEGOTIATE || CHALLENGE || AUTHENTICATE) with the MIC
 * field of AUTHENTICATE taken as zero (MS-NLMP 3.1.5.1.2 / 3.2.5.1.2). The challenge must be
 * the exact bytes the server sent. The AUTHENTICATE buffer is not modified.
 */
export function ntlmMic(
  exportedSessionKey: Uint8Array,
  negotiate: Uint8Array,
  challenge: Uint8Array,
  authenticate: Uint8Array,
  micOffset = NTLM_MIC_OFFSET,
): Buffer {
  if (authenticate.length < micOffset + 16) throw new RangeError('AUTHENTICATE too short to hold a MIC');
  return hmacMd5(
    exportedSessionKey,
    negotiate,
    challenge,
    authenticate.subarray(0, micOffset),
    ZERO16,
    authenticate.subarray(micOffset + 16),
  );
}

/** Constant-time check of the MIC carried in AUTHENTICATE. */
export function verifyNtlmMic(
  exportedSessionKey: Uint8Array,
  negotiate: Uint8Array,
  challenge: Uint8Array,
  authenticate: Uint8Array,
  micOffset = NTLM_MIC_OFFSET,
): boolean {
  const mic = ntlmMic(exportedSessionKey, negotiate, challenge, authenticate, micOffset);
  return timingSafeEqual(mic, authenticate.subarray(micOffset, micOffset + 16));
}

const ZERO16 = new Uint8Array(16);

export type NtlmDirection = 'client-to-server' | 'server-to-client';

// The magic constants of MS-NLMP 3.4.5.2 / 3.4.5.3, NUL included.
const MAGIC = {
  sign: {
    'client-to-server': Buffer.from('session key to client-to-server signing key magic constant\0', 'latin1'),
    'server-to-client': Buffer.from('session key to server-to-client signing key magic constant\0', 'latin1'),
  },
  seal: {
    'client-to-server': Buffer.from('session key to client-to-server sealing key magic constant\0', 'latin1'),
    'server-to-client': Buffer.from('session key to server-to-client sealing key magic constant\0', 'latin1'),
  },
} as const;

/** SIGNKEY (MS-NLMP 3.4.5.2) with extended session security: MD5(ExportedSessionKey || magic). */
export function ntlmSignKey(exportedSessionKey: Uint8Array, direction: NtlmDirection): Buffer {
  return createHash('md5').update(exportedSessionKey).update(MAGIC.sign[direction]).digest();
}

/**
 * SEALKEY (MS-NLMP 3.4.5.3) with extended session security and NTLMSSP_NEGOTIATE_128:
 * MD5(ExportedSessionKey || magic). The 56- and 40-bit variants are deliberately absent;
 * the auth layer should require NEGOTIATE_128, as every current client sets it.
 */
export function ntlmSealKey(exportedSessionKey: Uint8Array, direction: NtlmDirection): Buffer {
  return createHash('md5').update(exportedSessionKey).update(MAGIC.seal[direction]).digest();
}

/**
 * GSS_GetMIC for NTLM with extended session security (MS-NLMP 3.4.4.2), as used for the
 * SPNEGO mechListMIC (MS-SPNG 3.1.5.1): Version(1) || Checksum(8) || SeqNum(4), where
 * Checksum = HMAC_MD5(SignKey, SeqNum || Message)[0..7], RC4-sealed with the direction's
 * sealing handle when KEY_EXCH was negotiated. The handle keeps its stream state, so pass
 * the same Rc4 object for every message in one direction (SMB uses it exactly once).
 */
export function ntlmGssGetMic(
  signKey: Uint8Array,
  seal: Rc4 | null,
  seqNum: number,
  message: Uint8Array,
): Buffer {
  const out = Buffer.alloc(16);
  out.writeUInt32LE(1, 0);
  out.writeUInt32LE(seqNum >>> 0, 12);
  const digest = hmacMd5(signKey, out.subarray(12, 16), message).subarray(0, 8);
  out.set(seal ? seal.update(digest) : digest, 4);
  return out;
}

/** Constant-time check of a received GSS MIC token (MS-NLMP 3.4.4.2 / 3.4.5.4). */
export function ntlmGssVerifyMic(
  signKey: Uint8Array,
  seal: Rc4 | null,
  seqNum: number,
  message: Uint8Array,
  token: Uint8Array,
): boolean {
  if (token.length !== 16) return false;
  return timingSafeEqual(ntlmGssGetMic(signKey, seal, seqNum, message), token);
}
