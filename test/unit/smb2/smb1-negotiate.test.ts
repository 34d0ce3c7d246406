import {describe, expect, it} from 'vitest';
import {MalformedPacket} from '../../../src/wire/errors.js';
import {Dialect} from '../../../src/smb2/constants.js';
import {sniffProtocol} from '../../../src/smb2/header.js';
import {decodeSmb1Negotiate, smb2DialectForSmb1} from '../../../src/smb2/smb1-negotiate.js';

function smb1Negotiate(dialects: string[], wordCount = 0): Buffer {
  const bytes = Buffer.concat(dialects.map((d) => Buffer.concat([Buffer.from([2]), Buffer.from(d, 'latin1'), Buffer.from([0])])));
  const h = Buffer.alloc(32);
  Buffer.from('ff534d42', 'hex').copy(h);
  h[4] = 0x72;
  h[9] = 0x18;
  h.writeUInt16LE(0xc853, 10);
  h.writeUInt16LE(7, 30);
  const tail = Buffer.alloc(3);
  tail[0] = wordCount;
  tail.writeUInt16LE(bytes.length, 1);
  return Buffer.concat([h, tail, bytes]);
}

describe('SMB1 NEGOTIATE detection', () => {
  const list = ['PC NETWORK PROGRAM 1.0', 'LANMAN1.0', 'NT LM 0.12', 'SMB 2.002', 'SMB 2.???'];
  it('decodes the dialect strings of a typical multi-protocol negotiate', () => {
    const m = smb1Negotiate(list);
    expect(sniffProtocol(m)).toBe('smb1');
    const n = decodeSmb1Negotiate(m);
    expect(n.dialects).toEqual(list);
    expect(n.mid).toBe(7);
    expect(n.flags2).toBe(0xc853);
  });
  it('chooses the SMB2 answer (3.3.5.3.1)', () => {
    expect(smb2DialectForSmb1(list)).toBe(Dialect.WILDCARD);
    expect(smb2DialectForSmb1(list, Dialect.SMB2_0_2)).toBe(Dialect.SMB2_0_2);
    expect(smb2DialectForSmb1(['NT LM 0.12', 'SMB 2.002'])).toBe(Dialect.SMB2_0_2);
    expect(smb2DialectForSmb1(['NT LM 0.12'])).toBeUndefined();
  });
  it('rejects what is not an SMB1 NEGOTIATE', () => {
    const m = smb1Negotiate(list);
    const notNeg = Buffer.from(m);
    notNeg[4] = 0x73;
    expect(() => decodeSmb1Negotiate(notNeg)).toThrow(/NEGOTIATE/);
    const smb2 = Buffer.from(m);
    smb2[0] = 0xfe;
    expect(() => decodeSmb1Negotiate(smb2)).toThrow(MalformedPacket);
    expect(() => decodeSmb1Negotiate(smb1Negotiate(list, 1))).toThrow(/WordCount/);
    const badFmt = Buffer.from(m);
    badFmt[35] = 4;
    expect(() => decodeSmb1Negotiate(badFmt)).toThrow(/BufferFormat/);
    const unterminated = smb1Negotiate(['NT LM 0.12']);
    expect(() => decodeSmb1Negotiate(unterminated.subarray(0, unterminated.length - 1))).toThrow(MalformedPacket);
    const noNul = Buffer.from(unterminated);
    noNul[noNul.length - 1] = 0x41;
    expect(() => decodeSmb1Negotiate(noNul)).toThrow(/null-terminated/);
    expect(() => decodeSmb1Negotiate(m.subarray(0, 20))).toThrow(MalformedPacket);
  });
});
