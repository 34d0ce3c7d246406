// The SPNEGO mechListMIC for NTLM (RFC 4178 5, MS-SPNG 3.1.5.1): an NTLM GSS_GetMIC (MS-NLMP 3.4.4.2)
// over the DER MechTypeList the client sent, sequence number 0, fresh sealing handle.
// Windows sends one in its last SESSION_SETUP request and expects one back in the final response.
// Only extended session security is handled: every client that sends a mechListMIC negotiates it.

import {createHash} from 'node:crypto';
import {ntlmGssGetMic, ntlmGssVerifyMic, ntlmSealKey, ntlmSignKey, type NtlmDirection} from '../crypto/ntlm.js';
import {Rc4} from '../crypto/rc4.js';
import {
  NTLMSSP_NEGOTIATE_128,
  NTLMSSP_NEGOTIATE_56,
  NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY,
  NTLMSSP_NEGOTIATE_KEY_EXCH,
} from './ntlmssp.js';

const SEAL_MAGIC: Record<NtlmDirection, Buffer> = {
  'client-to-server': Buffer.from('session key to client-to-server sealing key magic constant\0', 'latin1'),
  'server-to-client': Buffer.from('session key to server-to-client sealing key magic constant\0', 'latin1'),
};

/** SEALKEY (MS-NLMP 3.4.5.3) with ESS: the key is cut to 7 (56-bit) or 5 (40-bit) bytes before hashing. */
function sealKey(sessionKey: Buffer, flags: number, dir: NtlmDirection): Buffer {
  if (flags & NTLMSSP_NEGOTIATE_128) return ntlmSealKey(sessionKey, dir);
  const cut = flags & NTLMSSP_NEGOTIATE_56 ? 7 : 5;
  return createHash('md5').update(sessionKey.subarray(0, cut)).update(SEAL_MAGIC[dir]).digest();
}

function mic(sessionKey: Buffer, flags: number, dir: NtlmDirection, mechTypesDer: Buffer): Buffer | null {
  if (!(flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY)) return null;
  // 3.4.4.2: the checksum is RC4-sealed only when KEY_EXCH was negotiated.
  const seal = flags & NTLMSSP_NEGOTIATE_KEY_EXCH ? new Rc4(sealKey(sessionKey, flags, dir)) : null;
  return ntlmGssGetMic(ntlmSignKey(sessionKey, dir), seal, 0, mechTypesDer);
}

/** The mechListMIC the server puts in its accept-completed NegTokenResp; null without ESS. */
export function serverMechListMic(sessionKey: Buffer, flags: number, mechTypesDer: Buffer): Buffer | null {
  return mic(sessionKey, flags, 'server-to-client', mechTypesDer);
}

/** Checks the client's mechListMIC (client-to-server keys) in constant time. */
export function verifyClientMechListMic(sessionKey: Buffer, flags: number, mechTypesDer: Buffer, token: Buffer): boolean {
  if (!(flags & NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY)) return false;
  const dir: NtlmDirection = 'client-to-server';
  const seal = flags & NTLMSSP_NEGOTIATE_KEY_EXCH ? new Rc4(sealKey(sessionKey, flags, dir)) : null;
  return ntlmGssVerifyMic(ntlmSignKey(sessionKey, dir), seal, 0, mechTypesDer, token);
}
