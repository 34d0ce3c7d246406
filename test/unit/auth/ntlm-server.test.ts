import {describe, expect, it, vi} from 'vitest';
import {lmv2Response, ntProofStr, ntlmv2SessionBaseKey, ntlmv2Temp, ntowfv2, encryptRandomSessionKey} from '../../../src/crypto/ntlm.js';
import {ntHash} from '../../../src/crypto/nt-hash.js';
import {serverMechListMic, verifyClientMechListMic} from '../../../src/auth/mech-list-mic.js';
import {
  NtlmServer,
  challengeFlags,
  verifyAuthenticate,
  type NtlmAuthResult,
  type NtlmServerConfig,
} from '../../../src/auth/ntlm-server.js';
import {
  AvId,
  NTLMSSP_NEGOTIATE_KEY_EXCH,
  NTLMSSP_NEGOTIATE_UNICODE,
  NTLMSSP_NEGOTIATE_VERSION,
  decodeChallenge,
  encodeAuthenticate,
  encodeNegotiate,
  findAv,
} from '../../../src/auth/ntlmssp.js';
import {negTokenRespCompleted, negTokenRespIncomplete, ntlmFromClientToken} from '../../../src/auth/spnego.js';
import {vectorsOfKind} from '../../vectors/load.js';
import {clientAuthenticate} from '../../helpers/ntlm-client.js';
import {hex, inputHex, sessionTokens} from './helpers.js';

const lookupFor = (hash: Buffer, user: string) => (u: string) => (u.toLowerCase() === user.toLowerCase() ? hash : null);

describe('negotiated flags (MS-NLMP 3.2.5.1.1)', () => {
  it('answers Windows 10 exactly as a Windows server does', () => {
    expect(challengeFlags(0xe2088297)).toBe(0xe28a8215);
  });
  it('never grants LM_KEY, DATAGRAM, IDENTIFY or anonymous, and picks OEM only without Unicode', () => {
    expect(challengeFlags(0xffffffff) & (0x80 | 0x40 | 0x100000 | 0x800)).toBe(0);
    expect(challengeFlags(0x2) & 0x3).toBe(0x2);
    expect(challengeFlags(0x3) & 0x3).toBe(0x1);
  });
});

describe('test client matches the MS-NLMP 4.2.4 client vector', () => {
  const v = vectorsOfKind('ntlmv2_client')[0]!;
  it('computes the published proofs and keys', () => {
    const i = v.inputs as Record<string, string>;
    const ntowf = ntowfv2(ntHash(i.password!), i.user!, i.domain!);
    expect(ntowf.toString('hex')).toBe(v.expected.ntowfv2);
    const temp = ntlmv2Temp(hex(i.time!), hex(i.client_challenge!), hex(i.av_pairs!));
    const proof = ntProofStr(ntowf, hex(i.server_challenge!), temp);
    expect(proof.toString('hex')).toBe(v.expected.nt_proof_str);
    expect(lmv2Response(ntowf, hex(i.server_challenge!), hex(i.client_challenge!)).toString('hex')).toBe(v.expected.lmv2_response);
    const base = ntlmv2SessionBaseKey(ntowf, proof);
    expect(encryptRandomSessionKey(base, hex(i.random_session_key!)).toString('hex')).toBe(v.expected.encrypted_random_session_key);
  });
});

describe('verifyAuthenticate: MS-NLMP 4.2.4.3', () => {
  const v = vectorsOfKind('ntlmv2_server')[0]!;
  it('recovers the exported session key', async () => {
    const lookup = vi.fn(lookupFor(inputHex(v, 'stored_nt_hash'), 'User'));
    const r = await verifyAuthenticate({authenticate: inputHex(v, 'authenticate_message'), serverChallenge: inputHex(v, 'server_challenge'), lookup});
    expect(r).toMatchObject({ok: true, user: 'User', domain: 'Domain', workstation: 'COMPUTER', anonymous: false, micVerified: false});
    const ok = r as Extract<NtlmAuthResult, {ok: true}>;
    expect(ok.sessionKey.toString('hex')).toBe(v.expected.exported_session_key);
    expect(ok.flags >>> 0).toBe(Number(v.expected.negotiate_flags));
    expect(lookup).toHaveBeenCalledWith('User', 'Domain');
  });
  it('refuses a different challenge and a wrong password', async () => {
    const authenticate = inputHex(v, 'authenticate_message');
    const r1 = await verifyAuthenticate({authenticate, serverChallenge: Buffer.alloc(8), lookup: () => inputHex(v, 'stored_nt_hash')});
    expect(r1).toMatchObject({ok: false, reason: 'bad_password'});
    const r2 = await verifyAuthenticate({authenticate, serverChallenge: inputHex(v, 'server_challenge'), lookup: () => ntHash('wrong')});
    expect(r2).toMatchObject({ok: false, reason: 'bad_password'});
    const r3 = await verifyAuthenticate({authenticate, serverChallenge: inputHex(v, 'server_challenge'), lookup: async () => null});
    expect(r3).toMatchObject({ok: false, reason: 'unknown_user'});
  });
});

/** A server configured like the Windows machine in the blog sessions, with its random values injected. */
function windowsLikeServer(v: ReturnType<typeof vectorsOfKind>[number]): NtlmServer {
  const ch = decodeChallenge(inputHex(v, 'challenge_message'));
  const cfg: NtlmServerConfig = {
    lookup: lookupFor(ntHash(v.inputs.password as string), 'administrator'),
    nbDomainName: 'SUT311',
    nbComputerName: 'SUT311',
    dnsDomainName: 'SUT311',
    dnsComputerName: 'SUT311',
    version: ch.version!,
    randomBytes: () => Buffer.from(ch.serverChallenge),
    now: () => findAv(ch.targetInfo, AvId.MsvAvTimestamp)!.readBigUInt64LE(0),
  };
  return new NtlmServer(cfg);
}

describe('Windows 10 SESSION_SETUP exchanges (vectors)', () => {
  for (const v of vectorsOfKind('ntlmv2_spnego_server')) {
    describe(v.name, () => {
      it('verifyAuthenticate checks the MIC and recovers the session key', async () => {
        const r = await verifyAuthenticate({
          authenticate: inputHex(v, 'authenticate_message'),
          serverChallenge: decodeChallenge(inputHex(v, 'challenge_message')).serverChallenge,
          negotiate: inputHex(v, 'negotiate_message'),
          challenge: inputHex(v, 'challenge_message'),
          lookup: lookupFor(inputHex(v, 'stored_nt_hash'), 'administrator'),
        });
        expect(r).toMatchObject({ok: true, user: 'administrator', domain: 'SUT311', micVerified: true});
        expect((r as {sessionKey: Buffer}).sessionKey.toString('hex')).toBe(v.expected.exported_session_key);
      });

      it('the state machine replays the whole SPNEGO exchange byte for byte', async () => {
        const tok = sessionTokens(v);
        const server = windowsLikeServer(v);
        const first = ntlmFromClientToken(tok.req1);
        const challenge = server.challenge(first.ntlm!);
        expect(challenge.equals(inputHex(v, 'challenge_message'))).toBe(true);
        expect(negTokenRespIncomplete(challenge).equals(tok.resp1)).toBe(true);
        expect(server.state).toBe('challenged');

        const second = ntlmFromClientToken(tok.req2);
        const r = await server.authenticate(second.ntlm!);
        expect(server.state).toBe('done');
        if (!r.ok) throw new Error(`auth failed: ${r.reason}`);
        expect(r.sessionKey.toString('hex')).toBe(v.expected.exported_session_key);
        expect(r.micVerified).toBe(true);
        expect(verifyClientMechListMic(r.sessionKey, r.flags, first.mechTypesDer!, second.mechListMIC!)).toBe(true);
        const mic = serverMechListMic(r.sessionKey, r.flags, first.mechTypesDer!)!;
        expect(mic.toString('hex')).toBe(v.expected.server_mech_list_mic);
        expect(negTokenRespCompleted(mic).equals(tok.resp2)).toBe(true);
      });

      it('a flipped bit anywhere in the signed region fails', async () => {
        const auth = inputHex(v, 'authenticate_message');
        for (const at of [20 /* NtChallengeResponse len */, 72 /* MIC */, 0x80 /* workstation */, auth.length - 1 /* session key */]) {
          const server = windowsLikeServer(v);
          server.challenge(inputHex(v, 'negotiate_message'));
          const bad = Buffer.from(auth);
          bad[at]! ^= 0x01;
          const r = await server.authenticate(bad);
          expect(r.ok, `byte ${at}`).toBe(false);
        }
      });
    });
  }
});

describe('NtlmServer with the test client', () => {
  const password = 'S3cret-pässword';
  const hash = ntHash(password);
  const config = (over: Partial<NtlmServerConfig> = {}): NtlmServerConfig => ({
    lookup: lookupFor(hash, 'alice'), nbDomainName: 'WORKGROUP', nbComputerName: 'KSMBD', dnsComputerName: 'ksmbd.local', ...over,
  });
  const negotiate = encodeNegotiate(0xe2088297);

  async function run(opts: {user?: string; domain?: string; ntowfDomain?: string; withMic?: boolean; tamper?: (b: Buffer) => void; cfg?: Partial<NtlmServerConfig>; hash?: Buffer}) {
    const server = new NtlmServer(config(opts.cfg));
    const challenge = server.challenge(negotiate);
    const auth = clientAuthenticate({negotiate, challenge, user: opts.user ?? 'Alice', domain: opts.domain ?? 'WORKGROUP',
      ntHash: opts.hash ?? hash, withMic: opts.withMic ?? true, ...(opts.ntowfDomain !== undefined ? {ntowfDomain: opts.ntowfDomain} : {})});
    opts.tamper?.(auth);
    return server.authenticate(auth);
  }

  it('accepts the right password and returns the exported key', async () => {
    const r = await run({});
    expect(r).toMatchObject({ok: true, user: 'Alice', domain: 'WORKGROUP', workstation: 'WS', anonymous: false, micVerified: true});
    expect((r as {sessionKey: Buffer}).sessionKey.equals(Buffer.alloc(16, 0x55))).toBe(true);
  });
  it('accepts clients that hash with an empty domain', async () => {
    expect(await run({domain: 'WORKGROUP', ntowfDomain: ''})).toMatchObject({ok: true});
    expect(await run({domain: 'WORKGROUP', ntowfDomain: 'OTHER'})).toMatchObject({ok: false, reason: 'bad_password'});
  });
  it('reports unknown users and bad passwords without secrets in the text', async () => {
    const results = [await run({user: 'mallory'}), await run({hash: ntHash('guess')})];
    expect(results.map((r) => !r.ok && r.reason)).toEqual(['unknown_user', 'bad_password']);
    for (const r of results) {
      const text = JSON.stringify(r);
      for (const secret of [password, hash.toString('hex'), 'alice', 'mallory']) expect(text.toLowerCase()).not.toContain(secret);
    }
  });
  it('rejects a MIC that does not match', async () => {
    expect(await run({tamper: (b) => (b[75]! ^= 0xff)})).toMatchObject({ok: false, reason: 'bad_mic'});
  });
  it('rejects MsvAvFlags announcing a MIC the message has no room for', async () => {
    const server = new NtlmServer(config());
    const challenge = server.challenge(negotiate);
    const auth = clientAuthenticate({negotiate, challenge, user: 'alice', domain: 'W', ntHash: hash, withMic: true});
    const noMic = Buffer.concat([auth.subarray(0, 72), auth.subarray(88)]);
    for (let f = 12; f < 60; f += 8) noMic.writeUInt32LE(noMic.readUInt32LE(f + 4) - 16, f + 4);
    expect(await server.authenticate(noMic)).toMatchObject({ok: false, reason: 'malformed'});
  });
  it('works without a MIC and without KEY_EXCH (key = SessionBaseKey)', async () => {
    const server = new NtlmServer(config());
    const neg = encodeNegotiate(0xe2088297 & ~NTLMSSP_NEGOTIATE_KEY_EXCH);
    const challenge = server.challenge(neg);
    expect(decodeChallenge(challenge).flags & NTLMSSP_NEGOTIATE_KEY_EXCH).toBe(0);
    const auth = clientAuthenticate({negotiate: neg, challenge, user: 'alice', domain: 'W', ntHash: hash, withMic: false});
    const r = await server.authenticate(auth);
    if (!r.ok) throw new Error(r.reason);
    expect(r.sessionKey.length).toBe(16);
    expect(r.sessionKey.equals(Buffer.alloc(16, 0x55))).toBe(false);
  });
  it('reports anonymous logons', async () => {
    const flags = NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_VERSION;
    for (const lm of [Buffer.alloc(0), Buffer.alloc(1)]) {
      const server = new NtlmServer(config());
      server.challenge(encodeNegotiate(flags));
      const auth = encodeAuthenticate({flags, lmResponse: lm, ntResponse: Buffer.alloc(0), domain: '', user: '', workstation: 'WS', encryptedRandomSessionKey: Buffer.alloc(0)});
      const r = await server.authenticate(auth);
      expect(r).toMatchObject({ok: true, anonymous: true, user: ''});
      expect((r as {sessionKey: Buffer}).sessionKey.equals(Buffer.alloc(16))).toBe(true);
    }
  });
  it('refuses NTLMv1 and malformed messages', async () => {
    const server = new NtlmServer(config());
    server.challenge(negotiate);
    const v1 = encodeAuthenticate({flags: 0xe2088215, lmResponse: Buffer.alloc(24), ntResponse: Buffer.alloc(24, 1), domain: 'W', user: 'alice', workstation: 'WS', encryptedRandomSessionKey: Buffer.alloc(16)});
    expect(await server.authenticate(v1)).toMatchObject({ok: false, reason: 'unsupported'});
    const s2 = new NtlmServer(config());
    s2.challenge(negotiate);
    expect(await s2.authenticate(Buffer.from('NTLMSSP\0\x03\0\0\0', 'latin1'))).toMatchObject({ok: false, reason: 'malformed'});
    const s3 = new NtlmServer(config());
    s3.challenge(negotiate);
    const shortBlob = encodeAuthenticate({flags: 0xe2088215, lmResponse: Buffer.alloc(0), ntResponse: Buffer.alloc(30, 1), domain: 'W', user: 'alice', workstation: 'WS', encryptedRandomSessionKey: Buffer.alloc(16)});
    expect(await s3.authenticate(shortBlob)).toMatchObject({ok: false, reason: 'malformed'});
  });
  it('enforces the message order', async () => {
    const server = new NtlmServer(config());
    expect(await server.authenticate(Buffer.alloc(100))).toMatchObject({ok: false, reason: 'malformed'});
    server.challenge(negotiate);
    expect(() => server.challenge(negotiate)).toThrow(/out of sequence/);
    await server.authenticate(Buffer.alloc(10));
    expect(await server.authenticate(Buffer.alloc(10))).toMatchObject({ok: false, reason: 'malformed'});
  });
  it('uses a fresh random challenge and the configured names', () => {
    const a = decodeChallenge(new NtlmServer(config()).challenge(negotiate));
    const b = decodeChallenge(new NtlmServer(config()).challenge(negotiate));
    expect(a.serverChallenge.equals(b.serverChallenge)).toBe(false);
    expect(a.targetName).toBe('KSMBD');
    expect(findAv(a.targetInfo, AvId.MsvAvDnsComputerName)!.toString('utf16le')).toBe('ksmbd.local');
    expect(findAv(a.targetInfo, AvId.MsvAvDnsDomainName)).toBeUndefined();
    expect(findAv(a.targetInfo, AvId.MsvAvTimestamp)!.length).toBe(8);
  });
});
