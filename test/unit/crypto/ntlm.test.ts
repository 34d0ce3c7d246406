import {describe, expect, it} from 'vitest';
import {
  encryptRandomSessionKey,
  hmacMd5,
  lmv2Response,
  ntlmGssGetMic,
  ntlmGssVerifyMic,
  ntlmMic,
  ntlmSealKey,
  ntlmSignKey,
  ntlmv1SessionBaseKey,
  ntlmv2SessionBaseKey,
  ntlmv2Temp,
  ntowfv2,
  ntProofStr,
  recoverExportedSessionKey,
  verifyNtlmMic,
  verifyNtlmv2Response,
} from '../../../src/crypto/ntlm.js';
import {ntHash} from '../../../src/crypto/nt-hash.js';
import {Rc4} from '../../../src/crypto/rc4.js';
import {vectorsOfKind} from '../../vectors/load.js';

const hex = (s: unknown) => Buffer.from(s as string, 'hex');
const NTLMSSP_NEGOTIATE_KEY_EXCH = 0x40000000;

/**
 * Just enough of MS-NLMP 2.2.1.3 AUTHENTICATE_MESSAGE to feed the crypto: each field is
 * Len(u16) MaxLen(u16) Offset(u32). The real parser lives in src/auth.
 */
function parseAuthenticate(msg: Buffer) {
  expect(msg.subarray(0, 8).toString('latin1')).toBe('NTLMSSP\0');
  expect(msg.readUInt32LE(8)).toBe(3);
  const field = (at: number) => msg.subarray(msg.readUInt32LE(at + 4), msg.readUInt32LE(at + 4) + msg.readUInt16LE(at));
  return {
    lm: field(12),
    nt: field(20),
    domain: field(28).toString('utf16le'),
    user: field(36).toString('utf16le'),
    workstation: field(44).toString('utf16le'),
    encryptedRandomSessionKey: field(52),
    flags: msg.readUInt32LE(60),
  };
}
/** CHALLENGE_MESSAGE ServerChallenge (MS-NLMP 2.2.1.2), 8 bytes at offset 24. */
const serverChallengeOf = (challenge: Buffer) => challenge.subarray(24, 32);

describe('hmac-md5 (RFC 2202)', () => {
  const cases = vectorsOfKind('hmac_md5');
  it('has both vectors', () => expect(cases.length).toBe(2));
  for (const v of cases) {
    it(v.name, () => {
      expect(hmacMd5(hex(v.inputs.key), hex(v.inputs.data)).toString('hex')).toBe(v.expected.mac);
      // Parts are hashed as their concatenation.
      const d = hex(v.inputs.data);
      expect(hmacMd5(hex(v.inputs.key), d.subarray(0, 3), d.subarray(3)).toString('hex')).toBe(v.expected.mac);
    });
  }
});

describe('NTLMv1 keys (MS-NLMP 4.2.2)', () => {
  const cases = vectorsOfKind('ntlmv1_keys');
  it('has the one vector', () => expect(cases.length).toBe(1));
  for (const v of cases) {
    it(v.name, () => {
      const h = ntHash(v.inputs.password as string);
      expect(h.toString('hex')).toBe(v.expected.nt_hash);
      expect(ntlmv1SessionBaseKey(h).toString('hex')).toBe(v.expected.session_base_key);
    });
  }
});

describe('NTLMv2 client computation (MS-NLMP 4.2.4)', () => {
  const cases = vectorsOfKind('ntlmv2_client');
  it('has the one vector', () => expect(cases.length).toBe(1));
  for (const v of cases) {
    it(v.name, () => {
      const i = v.inputs;
      const h = ntHash(i.password as string);
      expect(h.toString('hex')).toBe(v.expected.nt_hash);
      const owf = ntowfv2(h, i.user as string, i.domain as string);
      expect(owf.toString('hex')).toBe(v.expected.ntowfv2);
      const sc = hex(i.server_challenge);
      expect(lmv2Response(owf, sc, hex(i.client_challenge)).toString('hex')).toBe(v.expected.lmv2_response);
      const temp = ntlmv2Temp(hex(i.time), hex(i.client_challenge), hex(i.av_pairs));
      expect(temp.toString('hex')).toBe(v.intermediate!.temp);
      const proof = ntProofStr(owf, sc, temp);
      expect(proof.toString('hex')).toBe(v.expected.nt_proof_str);
      expect(Buffer.concat([proof, temp]).toString('hex')).toBe(v.intermediate!.nt_challenge_response);
      const sbk = ntlmv2SessionBaseKey(owf, proof);
      expect(sbk.toString('hex')).toBe(v.expected.session_base_key);
      expect(sbk.toString('hex')).toBe(v.expected.key_exchange_key); // NTLMv2: KXKEY = SessionBaseKey
      const erk = encryptRandomSessionKey(sbk, hex(i.random_session_key));
      expect(erk.toString('hex')).toBe(v.expected.encrypted_random_session_key);
      const esk = recoverExportedSessionKey(sbk, erk);
      expect(esk.toString('hex')).toBe(v.expected.exported_session_key);
      expect(ntlmSignKey(esk, 'client-to-server').toString('hex')).toBe(v.expected.client_signing_key);
      expect(ntlmSealKey(esk, 'client-to-server').toString('hex')).toBe(v.expected.client_sealing_key);
    });
  }
});

describe('NTLMv2 server verification (MS-NLMP 4.2.4 messages)', () => {
  const cases = vectorsOfKind('ntlmv2_server');
  it('has the one vector', () => expect(cases.length).toBe(1));
  for (const v of cases) {
    it(v.name, () => {
      const auth = parseAuthenticate(hex(v.inputs.authenticate_message));
      expect([auth.user, auth.domain, auth.workstation]).toEqual([v.expected.user, v.expected.domain, v.expected.workstation]);
      expect('0x' + auth.flags.toString(16)).toBe(v.expected.negotiate_flags);
      const sc = hex(v.inputs.server_challenge);
      expect(serverChallengeOf(hex(v.inputs.challenge_message)).equals(sc)).toBe(true);
      expect(auth.nt.subarray(0, 16).toString('hex')).toBe(v.expected.nt_proof_str);

      const sbk = verifyNtlmv2Response(hex(v.inputs.stored_nt_hash), auth.user, auth.domain, sc, auth.nt);
      expect(sbk?.toString('hex')).toBe(v.expected.session_base_key);
      expect(auth.flags & NTLMSSP_NEGOTIATE_KEY_EXCH).not.toBe(0);
      expect(recoverExportedSessionKey(sbk!, auth.encryptedRandomSessionKey).toString('hex')).toBe(v.expected.exported_session_key);
    });
  }

  it('rejects a wrong password, a wrong challenge, a tampered blob and an NTLMv1-sized response', () => {
    const v = cases[0]!;
    const auth = parseAuthenticate(hex(v.inputs.authenticate_message));
    const sc = hex(v.inputs.server_challenge);
    const good = hex(v.inputs.stored_nt_hash);
    expect(verifyNtlmv2Response(good, auth.user, auth.domain, sc, auth.nt)).not.toBeNull();
    expect(verifyNtlmv2Response(ntHash('password'), auth.user, auth.domain, sc, auth.nt)).toBeNull();
    expect(verifyNtlmv2Response(good, auth.user, auth.domain, Buffer.alloc(8), auth.nt)).toBeNull();
    const tampered = Buffer.from(auth.nt);
    tampered[30]! ^= 1; // inside the client blob
    expect(verifyNtlmv2Response(good, auth.user, auth.domain, sc, tampered)).toBeNull();
    expect(verifyNtlmv2Response(good, auth.user, auth.domain, sc, auth.nt.subarray(0, 24))).toBeNull();
    // The user name is case-insensitive (upper-cased), the domain is not.
    expect(verifyNtlmv2Response(good, auth.user.toLowerCase(), auth.domain, sc, auth.nt)).not.toBeNull();
    expect(verifyNtlmv2Response(good, auth.user, auth.domain.toUpperCase(), sc, auth.nt)).toBeNull();
  });
});

describe('NTLMv2 inside SPNEGO: Windows 10 sessions (MIC, mechListMIC)', () => {
  const cases = vectorsOfKind('ntlmv2_spnego_server');
  const mechTypes = hex('300c060a2b06010401823702020a');
  it('has the four published sessions', () => expect(cases.length).toBe(4));

  for (const v of cases) {
    it(v.name, () => {
      const i = v.inputs;
      const e = v.expected;
      const negotiate = hex(i.negotiate_message);
      const challenge = hex(i.challenge_message);
      const authenticate = hex(i.authenticate_message);
      const auth = parseAuthenticate(authenticate);
      expect(auth.user).toBe('administrator');
      expect(auth.domain).toBe('SUT311');
      expect(ntHash(i.password as string).toString('hex')).toBe(i.stored_nt_hash);

      const sc = serverChallengeOf(challenge);
      if (e.server_challenge) expect(sc.toString('hex')).toBe(e.server_challenge);
      if (e.ntowfv2) expect(ntowfv2(hex(i.stored_nt_hash), auth.user, auth.domain).toString('hex')).toBe(e.ntowfv2);
      if (e.nt_proof_str) expect(auth.nt.subarray(0, 16).toString('hex')).toBe(e.nt_proof_str);
      if (e.encrypted_random_session_key) expect(auth.encryptedRandomSessionKey.toString('hex')).toBe(e.encrypted_random_session_key);

      const sbk = verifyNtlmv2Response(hex(i.stored_nt_hash), auth.user, auth.domain, sc, auth.nt);
      expect(sbk).not.toBeNull();
      if (e.session_base_key) expect(sbk!.toString('hex')).toBe(e.session_base_key);
      expect(auth.flags & NTLMSSP_NEGOTIATE_KEY_EXCH).not.toBe(0);
      const esk = recoverExportedSessionKey(sbk!, auth.encryptedRandomSessionKey);
      expect(esk.toString('hex')).toBe(e.exported_session_key);

      // MIC over the three NTLM messages with the MIC field zeroed; it is the one the client sent.
      expect(ntlmMic(esk, negotiate, challenge, authenticate).toString('hex')).toBe(e.mic);
      expect(authenticate.subarray(72, 88).toString('hex')).toBe(e.mic);
      expect(verifyNtlmMic(esk, negotiate, challenge, authenticate)).toBe(true);
      expect(authenticate.subarray(72, 88).toString('hex')).toBe(e.mic); // input untouched
      const badChallenge = Buffer.from(challenge);
      badChallenge[challenge.length - 1]! ^= 1;
      expect(verifyNtlmMic(esk, negotiate, badChallenge, authenticate)).toBe(false);

      const cSign = ntlmSignKey(esk, 'client-to-server');
      const cSeal = ntlmSealKey(esk, 'client-to-server');
      const sSign = ntlmSignKey(esk, 'server-to-client');
      const sSeal = ntlmSealKey(esk, 'server-to-client');
      if (e.client_signing_key) expect(cSign.toString('hex')).toBe(e.client_signing_key);
      if (e.client_sealing_key) expect(cSeal.toString('hex')).toBe(e.client_sealing_key);
      if (e.server_signing_key) expect(sSign.toString('hex')).toBe(e.server_signing_key);
      if (e.server_sealing_key) expect(sSeal.toString('hex')).toBe(e.server_sealing_key);

      // mechListMIC over the client's DER MechTypeList, sequence number 0, fresh RC4 handles.
      expect(i.spnego_mech_types_der).toBe(mechTypes.toString('hex'));
      expect(ntlmGssVerifyMic(cSign, new Rc4(cSeal), 0, mechTypes, hex(e.client_mech_list_mic))).toBe(true);
      expect(ntlmGssVerifyMic(sSign, new Rc4(sSeal), 0, mechTypes, hex(e.client_mech_list_mic))).toBe(false);
      expect(ntlmGssGetMic(sSign, new Rc4(sSeal), 0, mechTypes).toString('hex')).toBe(e.server_mech_list_mic);

      // And these are the bytes on the wire: AUTHENTICATE and the client's mechListMIC ride in
      // SESSION_SETUP request 2, the server's mechListMIC in the final response.
      const req2 = hex(i.session_setup_request_2);
      expect(req2.indexOf(authenticate)).toBeGreaterThan(64);
      expect(req2.indexOf(hex(e.client_mech_list_mic))).toBeGreaterThan(64);
      expect(hex(i.session_setup_response_2).indexOf(hex(e.server_mech_list_mic))).toBeGreaterThan(64);
      expect(hex(i.session_setup_response_1).indexOf(challenge)).toBeGreaterThan(64);
    });
  }
});
