import {describe, expect, it} from 'vitest';
import {context, contextTag, octetString, oid, sequence, tlv, Tag, enumerated} from '../../../src/auth/asn1.js';
import {AuthDecodeError} from '../../../src/auth/errors.js';
import {
  NEG_HINTS_NAME,
  NegState,
  OID_KRB5,
  OID_MS_KRB5,
  OID_NTLMSSP,
  OID_SPNEGO,
  decodeSpnegoToken,
  encodeNegTokenInit,
  encodeNegTokenInit2,
  encodeNegTokenResp,
  negTokenRespCompleted,
  negTokenRespIncomplete,
  negTokenRespReject,
  ntlmFromClientToken,
  type NegTokenInit,
  type NegTokenResp,
} from '../../../src/auth/spnego.js';
import {vectorsOfKind} from '../../vectors/load.js';
import {hex, inputHex, sessionTokens} from './helpers.js';

// What Windows servers put in the SMB2 NEGOTIATE response when NTLMSSP is the only mechanism.
const WINDOWS_NEG_TOKEN_INIT2 =
  '604806062b0601050502a03e303ca00e300c060a2b06010401823702020aa32a3028a0261b24' +
  Buffer.from(NEG_HINTS_NAME, 'latin1').toString('hex');

describe('NegTokenInit2 (MS-SPNG 2.2.1) in the NEGOTIATE response', () => {
  it('matches the Windows token byte for byte', () => {
    expect(encodeNegTokenInit2().toString('hex')).toBe(WINDOWS_NEG_TOKEN_INIT2);
  });

  it('decodes back, negHints included', () => {
    const t = decodeSpnegoToken(encodeNegTokenInit2()) as NegTokenInit;
    expect(t.kind).toBe('init');
    expect(t.mechTypes).toEqual([OID_NTLMSSP]);
    expect(t.hintName).toBe(NEG_HINTS_NAME);
    expect(t.mechListMIC).toBeUndefined();
    expect(t.mechTypesDer.toString('hex')).toBe('300c060a2b06010401823702020a');
  });

  it('can omit negHints and list several mechanisms', () => {
    const enc = encodeNegTokenInit2({negHints: false, mechTypes: [OID_MS_KRB5, OID_KRB5, OID_NTLMSSP]});
    const t = decodeSpnegoToken(enc) as NegTokenInit;
    expect(t.mechTypes).toEqual([OID_MS_KRB5, OID_KRB5, OID_NTLMSSP]);
    expect(t.hintName).toBeUndefined();
    expect(encodeNegTokenInit2({negHints: false}).toString('hex')).toBe(
      '601c06062b0601050502a0123010a00e300c060a2b06010401823702020a',
    );
  });
});

describe('NegTokenResp (RFC 4178 4.2.2)', () => {
  it('encodes reject and accept-completed', () => {
    expect(negTokenRespReject().toString('hex')).toBe('a1073005a0030a0102');
    expect(negTokenRespCompleted().toString('hex')).toBe('a1073005a0030a0100');
  });

  it('round-trips every field', () => {
    const v = {negState: NegState.REQUEST_MIC, supportedMech: OID_NTLMSSP, responseToken: Buffer.alloc(300, 1), mechListMIC: Buffer.alloc(16, 2)};
    const t = decodeSpnegoToken(encodeNegTokenResp(v)) as NegTokenResp;
    expect(t).toEqual({kind: 'resp', ...v});
    expect(decodeSpnegoToken(encodeNegTokenResp({}))).toEqual({kind: 'resp'});
  });
});

describe('Windows SESSION_SETUP exchanges (vectors)', () => {
  const cases = vectorsOfKind('ntlmv2_spnego_server');
  it('has the four published sessions', () => expect(cases.length).toBe(4));
  for (const v of cases) {
    describe(v.name, () => {
      const tok = sessionTokens(v);
      it('request 1: NegTokenInit with the NTLM NEGOTIATE as mechToken', () => {
        const t = decodeSpnegoToken(tok.req1) as NegTokenInit;
        expect(t.kind).toBe('init');
        expect(t.mechTypes).toEqual([OID_NTLMSSP]);
        expect(t.mechTypesDer.equals(inputHex(v, 'spnego_mech_types_der'))).toBe(true);
        expect(t.mechToken!.equals(inputHex(v, 'negotiate_message'))).toBe(true);
        const n = ntlmFromClientToken(tok.req1);
        expect(n.wrapped && n.acceptable && !n.mechListMicRequired).toBe(true);
        expect(n.ntlm!.equals(inputHex(v, 'negotiate_message'))).toBe(true);
      });
      it('response 1: our accept-incomplete encoding equals the Windows bytes', () => {
        const t = decodeSpnegoToken(tok.resp1) as NegTokenResp;
        expect(t.negState).toBe(NegState.ACCEPT_INCOMPLETE);
        expect(t.supportedMech).toBe(OID_NTLMSSP);
        expect(t.responseToken!.equals(inputHex(v, 'challenge_message'))).toBe(true);
        expect(negTokenRespIncomplete(inputHex(v, 'challenge_message')).equals(tok.resp1)).toBe(true);
      });
      it('request 2: NegTokenResp with AUTHENTICATE and the client mechListMIC', () => {
        const t = decodeSpnegoToken(tok.req2) as NegTokenResp;
        expect(t.kind).toBe('resp');
        expect(t.responseToken!.equals(inputHex(v, 'authenticate_message'))).toBe(true);
        expect(t.mechListMIC!.toString('hex')).toBe(v.expected.client_mech_list_mic);
        const n = ntlmFromClientToken(tok.req2);
        expect(n.ntlm!.equals(inputHex(v, 'authenticate_message'))).toBe(true);
        expect(n.mechListMIC!.toString('hex')).toBe(v.expected.client_mech_list_mic);
      });
      it('response 2: our accept-completed encoding equals the Windows bytes', () => {
        const t = decodeSpnegoToken(tok.resp2) as NegTokenResp;
        expect(t.negState).toBe(NegState.ACCEPT_COMPLETED);
        expect(t.mechListMIC!.toString('hex')).toBe(v.expected.server_mech_list_mic);
        expect(negTokenRespCompleted(hex(v.expected.server_mech_list_mic!)).equals(tok.resp2)).toBe(true);
      });
      it('every truncation of every token throws AuthDecodeError', () => {
        for (const token of [tok.req1, tok.resp1, tok.req2, tok.resp2]) {
          for (let n = 0; n < token.length; n++) {
            expect(() => decodeSpnegoToken(token.subarray(0, n)), `prefix ${n}`).toThrow(AuthDecodeError);
          }
        }
      });
    });
  }
});

describe('client tokens', () => {
  const ntlmNeg = Buffer.concat([Buffer.from('NTLMSSP\0', 'latin1'), hex('01000000978208e2')]);

  it('accepts raw NTLMSSP without SPNEGO', () => {
    expect(decodeSpnegoToken(ntlmNeg)).toEqual({kind: 'ntlmssp', token: ntlmNeg});
    expect(ntlmFromClientToken(ntlmNeg)).toEqual({wrapped: false, ntlm: ntlmNeg, acceptable: true});
  });

  it('ignores an optimistic token for another mechanism and demands a mechListMIC', () => {
    const tok = encodeNegTokenInit({mechTypes: [OID_MS_KRB5, OID_NTLMSSP], mechToken: Buffer.from('krb-ap-req')});
    const n = ntlmFromClientToken(tok);
    expect(n).toMatchObject({wrapped: true, ntlm: null, acceptable: true, mechListMicRequired: true});
  });

  it('marks a mech list without NTLMSSP unacceptable', () => {
    expect(ntlmFromClientToken(encodeNegTokenInit({mechTypes: [OID_KRB5]})).acceptable).toBe(false);
    expect(ntlmFromClientToken(negTokenRespReject()).acceptable).toBe(false);
  });

  it('reads an RFC 4178 mechListMIC at [3] of NegTokenInit', () => {
    const mic = Buffer.alloc(16, 9);
    const t = decodeSpnegoToken(encodeNegTokenInit({mechTypes: [OID_NTLMSSP], mechToken: ntlmNeg, mechListMIC: mic})) as NegTokenInit;
    expect(t.mechListMIC!.equals(mic)).toBe(true);
    expect(t.mechToken!.equals(ntlmNeg)).toBe(true);
  });

  it('reads a bare [0] NegTokenInit and skips unknown fields and reqFlags', () => {
    const body = sequence(context(0, sequence(oid(OID_NTLMSSP))), context(1, tlv(Tag.BIT_STRING, hex('0760'))), context(7, octetString(Buffer.from('x'))));
    const t = decodeSpnegoToken(context(0, body)) as NegTokenInit;
    expect(t.mechTypes).toEqual([OID_NTLMSSP]);
    expect(t.reqFlags).toEqual({unusedBits: 7, bytes: hex('60')});
  });
});

describe('malformed SPNEGO', () => {
  const gss = (inner: Buffer, mech = OID_SPNEGO) => tlv(Tag.APPLICATION_0, oid(mech), inner);

  it('rejects a GSS token for another mechanism', () => {
    expect(() => decodeSpnegoToken(gss(context(0, sequence(context(0, sequence(oid(OID_NTLMSSP))))), OID_KRB5))).toThrow(/not for SPNEGO/);
  });
  it('rejects a NegTokenInit without mechTypes', () => {
    expect(() => decodeSpnegoToken(gss(context(0, sequence(context(2, octetString(Buffer.alloc(3)))))))).toThrow(/without mechTypes/);
  });
  it('rejects wrong inner types', () => {
    expect(() => decodeSpnegoToken(gss(context(0, sequence(context(0, octetString(Buffer.alloc(1)))))))).toThrow(AuthDecodeError);
    expect(() => decodeSpnegoToken(context(1, sequence(context(0, octetString(Buffer.alloc(1))))))).toThrow(/negState/);
    expect(() => decodeSpnegoToken(context(1, sequence(tlv(contextTag(0), enumerated(1), enumerated(2)))))).toThrow(/trailing/);
    expect(() => decodeSpnegoToken(gss(context(0, sequence(context(0, sequence()), context(3, enumerated(1))))))).toThrow(/neither/);
  });
  it('rejects unknown choices and non-SPNEGO data', () => {
    expect(() => decodeSpnegoToken(gss(context(2, sequence())))).toThrow(/choice/);
    expect(() => decodeSpnegoToken(hex('0400'))).toThrow(/neither SPNEGO nor NTLMSSP/);
    expect(() => decodeSpnegoToken(Buffer.from('NTLMSS'))).toThrow(AuthDecodeError);
  });

  it('survives random corruption with AuthDecodeError or a clean decode', () => {
    const v = vectorsOfKind('ntlmv2_spnego_server')[0]!;
    const {req1, req2} = sessionTokens(v);
    let seed = 12345;
    const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff), seed);
    for (let i = 0; i < 3000; i++) {
      const t = Buffer.from(i % 2 ? req1 : req2);
      for (let k = 0; k <= rnd() % 3; k++) t[rnd() % Math.min(t.length, 40)] = rnd() & 0xff;
      try {
        decodeSpnegoToken(t);
      } catch (e) {
        expect(e).toBeInstanceOf(AuthDecodeError);
      }
    }
  });
});
