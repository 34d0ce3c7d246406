import {describe, expect, it} from 'vitest';
import {AuthDecodeError} from '../../../src/auth/errors.js';
import {
  AvId,
  MSV_AV_FLAG_MIC_PRESENT,
  NTLMSSP_NEGOTIATE_KEY_EXCH,
  NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED,
  NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED,
  NTLMSSP_NEGOTIATE_TARGET_INFO,
  NTLMSSP_NEGOTIATE_UNICODE,
  NTLMSSP_NEGOTIATE_VERSION,
  avFlags,
  avString,
  buildTargetInfo,
  decodeAuthenticate,
  decodeChallenge,
  decodeNegotiate,
  encodeAuthenticate,
  encodeAvPairs,
  encodeChallenge,
  encodeNegotiate,
  findAv,
  parseAvPairs,
  parseNtlmv2Response,
  zeroMic,
} from '../../../src/auth/ntlmssp.js';
import {vectorsOfKind} from '../../vectors/load.js';
import {hex, inputHex} from './helpers.js';

const spec = vectorsOfKind('ntlmv2_server')[0]!; // MS-NLMP 4.2.4.3
const win = vectorsOfKind('ntlmv2_spnego_server')[0]!; // Windows 10 SMB 3.1.1 session

describe('NEGOTIATE_MESSAGE (2.2.1.1)', () => {
  it('decodes the Windows 10 NEGOTIATE', () => {
    const n = decodeNegotiate(inputHex(win, 'negotiate_message'));
    expect(n.flags >>> 0).toBe(0xe2088297);
    expect(n.version).toEqual({major: 6, minor: 3, build: 9600, revision: 15});
    expect(n.domain).toBeUndefined();
  });

  it('round-trips and reads OEM names when their flags say so', () => {
    const base = encodeNegotiate(0xe2088297);
    expect(base.equals(encodeNegotiate(decodeNegotiate(base).flags, decodeNegotiate(base).version))).toBe(true);
    const flags = NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED | NTLMSSP_NEGOTIATE_OEM_WORKSTATION_SUPPLIED;
    const msg = Buffer.concat([encodeNegotiate(flags), Buffer.from('DOMWS')]);
    msg.writeUInt16LE(3, 16); msg.writeUInt32LE(40, 20);
    msg.writeUInt16LE(2, 24); msg.writeUInt32LE(43, 28);
    expect(decodeNegotiate(msg)).toMatchObject({domain: 'DOM', workstation: 'WS'});
  });

  it('accepts the short 16-byte form and rejects garbage', () => {
    expect(decodeNegotiate(encodeNegotiate(NTLMSSP_NEGOTIATE_UNICODE).subarray(0, 16)).flags).toBe(1);
    expect(() => decodeNegotiate(Buffer.from('NTLMSSP\0'))).toThrow(AuthDecodeError);
    const wrongType = encodeNegotiate(1);
    wrongType.writeUInt32LE(3, 8);
    expect(() => decodeNegotiate(wrongType)).toThrow(/MessageType 3/);
    const badSig = encodeNegotiate(1);
    badSig[0] = 0x6e;
    expect(() => decodeNegotiate(badSig)).toThrow(/signature/);
    const past = encodeNegotiate(NTLMSSP_NEGOTIATE_OEM_DOMAIN_SUPPLIED);
    past.writeUInt16LE(10, 16); past.writeUInt32LE(40, 20);
    expect(() => decodeNegotiate(past)).toThrow(/runs past/);
  });
});

describe('CHALLENGE_MESSAGE (2.2.1.2)', () => {
  for (const [name, v] of [['MS-NLMP 4.2.4', spec], ['Windows 10', win]] as const) {
    it(`${name}: decode then encode reproduces the bytes`, () => {
      const bytes = inputHex(v, 'challenge_message');
      const c = decodeChallenge(bytes);
      expect(encodeChallenge(c).equals(bytes)).toBe(true);
    });
  }

  it('decodes the Windows fields', () => {
    const c = decodeChallenge(inputHex(win, 'challenge_message'));
    expect(c.flags >>> 0).toBe(0xe28a8215);
    expect(c.serverChallenge.toString('hex')).toBe(win.expected.server_challenge);
    expect(c.targetName).toBe('SUT311');
    expect(c.targetInfo.map((p) => p.id)).toEqual([2, 1, 4, 3, 7]);
    expect(c.version).toEqual({major: 10, minor: 0, build: 10130, revision: 15});
    const c2 = decodeChallenge(inputHex(spec, 'challenge_message'));
    expect(c2.targetName).toBe('Server');
    expect(findAv(c2.targetInfo, AvId.MsvAvNbDomainName)!.toString('utf16le')).toBe('Domain');
  });

  it('builds TargetInfo in the Windows order and zeroes Version without the flag', () => {
    const info = buildTargetInfo({nbDomainName: 'D', nbComputerName: 'C', dnsDomainName: 'd.x', dnsComputerName: 'c.d.x', timestamp: 0x01d0aecbadf5a1a1n});
    expect(info.map((p) => p.id)).toEqual([2, 1, 4, 3, 7]);
    expect(info[4]!.value.toString('hex')).toBe('a1a1f5adcbaed001');
    const msg = encodeChallenge({flags: NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_TARGET_INFO, serverChallenge: Buffer.alloc(8, 1), targetName: 'C', targetInfo: info});
    expect(msg.subarray(48, 56).equals(Buffer.alloc(8))).toBe(true);
    expect(decodeChallenge(msg).targetInfo).toEqual(info);
  });

  it('rejects a TargetInfo that runs past the message', () => {
    const bytes = Buffer.from(inputHex(win, 'challenge_message'));
    bytes.writeUInt16LE(0x60, 40);
    expect(() => decodeChallenge(bytes)).toThrow(/TargetInfo .* runs past/);
  });
});

describe('AV_PAIR lists (2.2.2.1)', () => {
  it('round-trips and ignores padding after MsvAvEOL', () => {
    const pairs = [avString(AvId.MsvAvNbComputerName, 'SRV'), {id: AvId.MsvAvFlags, value: hex('02000000')}];
    const enc = encodeAvPairs(pairs);
    expect(enc.subarray(-4).equals(Buffer.alloc(4))).toBe(true);
    expect(parseAvPairs(Buffer.concat([enc, Buffer.alloc(8)]))).toEqual(pairs);
    expect(avFlags(pairs)).toBe(MSV_AV_FLAG_MIC_PRESENT);
    expect(avFlags([])).toBe(0);
  });
  it('rejects a list without EOL, a value past the end and a bad MsvAvFlags', () => {
    expect(() => parseAvPairs(hex('0100040041004200'))).toThrow(/without MsvAvEOL/);
    expect(() => parseAvPairs(hex('010010004100'))).toThrow(/runs past/);
    expect(() => parseAvPairs(Buffer.alloc(2))).toThrow(AuthDecodeError);
    expect(() => avFlags([{id: AvId.MsvAvFlags, value: hex('02')}])).toThrow(/MsvAvFlags/);
  });
});

describe('AUTHENTICATE_MESSAGE (2.2.1.3)', () => {
  it('decodes MS-NLMP 4.2.4.3 (Version, no MIC)', () => {
    const a = decodeAuthenticate(inputHex(spec, 'authenticate_message'));
    expect({user: a.user, domain: a.domain, workstation: a.workstation}).toEqual({user: 'User', domain: 'Domain', workstation: 'COMPUTER'});
    expect(a.flags >>> 0).toBe(0xe2888235);
    expect(a.lmResponse.length).toBe(24);
    expect(a.ntResponse.subarray(0, 16).toString('hex')).toBe(spec.expected.nt_proof_str);
    expect(a.encryptedRandomSessionKey.toString('hex')).toBe('c5dad2544fc9799094ce1ce90bc9d03e');
    expect(a.version).toBeDefined();
    expect(a.mic).toBeUndefined();
  });

  it('decodes the Windows 10 message with its MIC at offset 72', () => {
    const a = decodeAuthenticate(inputHex(win, 'authenticate_message'));
    expect({user: a.user, domain: a.domain, workstation: a.workstation}).toEqual({user: 'administrator', domain: 'SUT311', workstation: 'DRIVER311'});
    expect(a.micOffset).toBe(72);
    expect(a.mic!.toString('hex')).toBe(win.expected.mic);
    expect(a.encryptedRandomSessionKey.toString('hex')).toBe(win.expected.encrypted_random_session_key);
    const r = parseNtlmv2Response(a.ntResponse);
    expect(r.ntProofStr.toString('hex')).toBe(win.expected.nt_proof_str);
    expect([r.respType, r.hiRespType]).toEqual([1, 1]);
    expect(avFlags(r.avPairs)).toBe(MSV_AV_FLAG_MIC_PRESENT);
    expect(r.timestamp).toBe(0x01d0aecbadf5a1a1n);
  });

  it('zeroMic returns a zeroed copy and leaves the input alone', () => {
    const bytes = inputHex(win, 'authenticate_message');
    const z = zeroMic(bytes);
    expect(z.subarray(72, 88).equals(Buffer.alloc(16))).toBe(true);
    expect(z.subarray(0, 72).equals(bytes.subarray(0, 72))).toBe(true);
    expect(z.subarray(88).equals(bytes.subarray(88))).toBe(true);
    expect(bytes.subarray(72, 88).toString('hex')).toBe(win.expected.mic);
    expect(() => zeroMic(bytes.subarray(0, 80))).toThrow(AuthDecodeError);
  });

  it('round-trips through encodeAuthenticate with and without a MIC field', () => {
    for (const withMic of [false, true]) {
      const fields = {
        flags: NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_VERSION,
        lmResponse: Buffer.alloc(24, 1), ntResponse: Buffer.alloc(60, 2), domain: 'Dom', user: 'Us\u00e9r',
        workstation: 'WS', encryptedRandomSessionKey: Buffer.alloc(16, 3), withMic,
      };
      const a = decodeAuthenticate(encodeAuthenticate(fields));
      expect(a).toMatchObject({user: 'Us\u00e9r', domain: 'Dom', workstation: 'WS'});
      expect(a.mic === undefined).toBe(!withMic);
    }
  });

  it('validates every offset and length', () => {
    const good = inputHex(win, 'authenticate_message');
    const mutate = (f: (b: Buffer) => void) => { const b = Buffer.from(good); f(b); return b; };
    expect(() => decodeAuthenticate(mutate((b) => b.writeUInt32LE(good.length - 4, 20 + 4)))).toThrow(/NtChallengeResponse .* runs past/);
    expect(() => decodeAuthenticate(mutate((b) => b.writeUInt32LE(0xfffffff0, 36 + 4)))).toThrow(/UserName .* runs past/);
    expect(() => decodeAuthenticate(mutate((b) => b.writeUInt16LE(0xffff, 52)))).toThrow(/EncryptedRandomSessionKey/);
    expect(() => decodeAuthenticate(mutate((b) => b.writeUInt32LE(40, 28 + 4)))).toThrow(/overlaps the fixed header/);
    expect(() => decodeAuthenticate(mutate((b) => b.writeUInt16LE(11, 36)))).toThrow(/odd UTF-16/);
    expect(() => decodeAuthenticate(mutate((b) => b.writeUInt32LE(1, 8)))).toThrow(/MessageType/);
    expect(() => decodeAuthenticate(good.subarray(0, 63))).toThrow(/shorter than/);
  });

  it('every truncation throws AuthDecodeError', () => {
    for (const v of [spec, win]) {
      const bytes = inputHex(v, 'authenticate_message');
      for (let n = 0; n < bytes.length; n++) {
        expect(() => decodeAuthenticate(bytes.subarray(0, n)), `prefix ${n}`).toThrow(AuthDecodeError);
      }
    }
  });

  it('random header corruption gives AuthDecodeError or a clean decode', () => {
    const bytes = inputHex(win, 'authenticate_message');
    let seed = 99;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed);
    for (let i = 0; i < 3000; i++) {
      const b = Buffer.from(bytes);
      for (let k = 0; k <= rnd() % 3; k++) b[rnd() % 88] = rnd() & 0xff;
      try {
        const a = decodeAuthenticate(b);
        if (a.ntResponse.length >= 44) parseNtlmv2Response(a.ntResponse);
      } catch (e) {
        expect(e).toBeInstanceOf(AuthDecodeError);
      }
    }
  });

  it('rejects a short NTLMv2 response', () => {
    expect(() => parseNtlmv2Response(Buffer.alloc(43))).toThrow(/too short/);
    expect(() => parseNtlmv2Response(Buffer.alloc(44))).toThrow(/without MsvAvEOL/);
    expect(parseNtlmv2Response(Buffer.alloc(48)).avPairs).toEqual([]);
  });
});
