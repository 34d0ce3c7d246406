// A test-only NTLMv2 initiator (MS-NLMP 3.1.5.1.2, 3.3.2) used to drive the server through cases no
// published vector covers (wrong password, NIL-domain clients, tampered MICs), and by the raw-frame SMB2
// client (test/helpers/raw-client.ts) to log in. Checked against the MS-NLMP 4.2.4 client vector in
// test/unit/auth/ntlm-server.test.ts before it is trusted.
import {
  encryptRandomSessionKey,
  lmv2Response,
  ntProofStr,
  ntlmMic,
  ntlmv2SessionBaseKey,
  ntlmv2Temp,
  ntowfv2,
} from '../../src/crypto/ntlm.js';
import {
  AvId,
  MSV_AV_FLAG_MIC_PRESENT,
  NTLMSSP_NEGOTIATE_KEY_EXCH,
  decodeChallenge,
  encodeAuthenticate,
  encodeAvPairs,
} from '../../src/auth/ntlmssp.js';

export interface ClientOptions {
  negotiate: Buffer;
  challenge: Buffer;
  user: string;
  domain: string;
  ntHash: Buffer;
  workstation?: string;
  /** Domain used inside NTOWFv2, when a client hashes something other than what it sends. */
  ntowfDomain?: string;
  withMic?: boolean;
  exportedSessionKey?: Buffer;
  clientChallenge?: Buffer;
  time?: Buffer;
}

export function clientAuthenticate(o: ClientOptions): Buffer {
  return clientAuthenticateWithKey(o).message;
}

/**
 * The AUTHENTICATE message and the session key both sides end up with (MS-NLMP 3.1.5.1.2: the
 * ExportedSessionKey with KEY_EXCH, else the SessionBaseKey), plus the negotiated flags.
 */
export function clientAuthenticateWithKey(o: ClientOptions): {message: Buffer; sessionKey: Buffer; flags: number} {
  const ch = decodeChallenge(o.challenge);
  const pairs = [...ch.targetInfo];
  if (o.withMic) {
    const f = Buffer.alloc(4);
    f.writeUInt32LE(MSV_AV_FLAG_MIC_PRESENT);
    pairs.push({id: AvId.MsvAvFlags, value: f});
  }
  const cc = o.clientChallenge ?? Buffer.alloc(8, 0xaa);
  const temp = ntlmv2Temp(o.time ?? Buffer.alloc(8), cc, encodeAvPairs(pairs));
  const ntowf = ntowfv2(o.ntHash, o.user, o.ntowfDomain ?? o.domain);
  const proof = ntProofStr(ntowf, ch.serverChallenge, temp);
  const baseKey = ntlmv2SessionBaseKey(ntowf, proof);
  const exported = o.exportedSessionKey ?? Buffer.alloc(16, 0x55);
  const keyExch = (ch.flags & NTLMSSP_NEGOTIATE_KEY_EXCH) !== 0;
  const msg = encodeAuthenticate({
    flags: ch.flags,
    lmResponse: lmv2Response(ntowf, ch.serverChallenge, cc),
    ntResponse: Buffer.concat([proof, temp]),
    domain: o.domain,
    user: o.user,
    workstation: o.workstation ?? 'WS',
    encryptedRandomSessionKey: keyExch ? encryptRandomSessionKey(baseKey, exported) : Buffer.alloc(0),
    withMic: o.withMic ?? false,
  });
  const sessionKey = keyExch ? exported : baseKey;
  if (o.withMic) ntlmMic(sessionKey, o.negotiate, o.challenge, msg).copy(msg, 72);
  return {message: msg, sessionKey, flags: ch.flags};
}
