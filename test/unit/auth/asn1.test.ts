import {describe, expect, it} from 'vitest';
import {
  DerReader,
  Tag,
  bitString,
  context,
  contextTag,
  decodeBitString,
  decodeGeneralString,
  decodeInteger,
  decodeOid,
  encodeLength,
  encodeOidContents,
  enumerated,
  generalString,
  integer,
  octetString,
  oid,
  readSingle,
  sequence,
} from '../../../src/auth/asn1.js';
import {AuthDecodeError} from '../../../src/auth/errors.js';
import {MalformedPacket} from '../../../src/wire/errors.js';
import {hex} from './helpers.js';

describe('asn1 lengths (X.690 8.1.3)', () => {
  it('uses the short form below 128 and minimal long forms above', () => {
    expect(encodeLength(0).toString('hex')).toBe('00');
    expect(encodeLength(127).toString('hex')).toBe('7f');
    expect(encodeLength(128).toString('hex')).toBe('8180');
    expect(encodeLength(255).toString('hex')).toBe('81ff');
    expect(encodeLength(256).toString('hex')).toBe('820100');
    expect(encodeLength(0x1000000).toString('hex')).toBe('8401000000');
  });

  it('round-trips elements of many sizes', () => {
    for (const n of [0, 1, 127, 128, 255, 256, 1000, 70000]) {
      const el = octetString(Buffer.alloc(n, 7));
      const t = readSingle(el, Tag.OCTET_STRING, 'x');
      expect(t.value.length).toBe(n);
      expect(t.raw.equals(el)).toBe(true);
    }
  });

  it('accepts non-minimal BER long-form lengths', () => {
    const t = readSingle(hex('04820003616263'), Tag.OCTET_STRING, 'x');
    expect(t.value.toString()).toBe('abc');
  });

  it('rejects indefinite, oversize and truncated lengths', () => {
    const bad = ['0480', '04850000000001', '04', '0482', '048200', '0403aabb', '3006040361', '1f0100'];
    for (const h of bad) {
      expect(() => new DerReader(hex(h)).read(), h).toThrow(AuthDecodeError);
    }
    expect(() => new DerReader(Buffer.alloc(0)).read()).toThrow(/end of data/);
  });

  it('throws a MalformedPacket (the engine maps it to STATUS_INVALID_PARAMETER)', () => {
    expect(() => new DerReader(hex('0405aa')).read()).toThrow(MalformedPacket);
  });
});

describe('asn1 reader', () => {
  it('walks a SEQUENCE of context tags and checks tags', () => {
    const enc = sequence(context(0, enumerated(1)), context(2, octetString(Buffer.from('hi'))));
    const r = DerReader.of(readSingle(enc, Tag.SEQUENCE, 'seq'));
    expect(r.peekTag()).toBe(contextTag(0));
    const f0 = r.read();
    expect(decodeInteger(DerReader.of(f0).expect(Tag.ENUMERATED, 'e').value)).toBe(1);
    expect(() => r.expect(contextTag(1), 'f1')).toThrow(/tag 0xa2 where 0xa1/);
    expect(r.atEnd).toBe(true);
    expect(r.peekTag()).toBe(-1);
  });

  it('does not let a child read past its parent', () => {
    // SEQUENCE of length 2 whose inner OCTET STRING claims 3 bytes; the outer buffer has more.
    const buf = hex('30020403616263');
    const outer = new DerReader(buf).read();
    expect(() => DerReader.of(outer).read()).toThrow(AuthDecodeError);
  });

  it('reports trailing data', () => {
    expect(() => readSingle(hex('040161ff'), Tag.OCTET_STRING, 'x')).toThrow(/trailing/);
  });
});

describe('asn1 OID (X.690 8.19)', () => {
  const known: Array<[string, string]> = [
    ['1.3.6.1.5.5.2', '2b0601050502'],
    ['1.3.6.1.4.1.311.2.2.10', '2b06010401823702020a'],
    ['1.2.840.113554.1.2.2', '2a864886f712010202'],
    ['1.2.840.48018.1.2.2', '2a864882f712010202'],
    ['2.999.3', '883703'],
    ['0.0', '00'],
  ];
  for (const [dotted, contents] of known) {
    it(`${dotted} <-> ${contents}`, () => {
      expect(encodeOidContents(dotted).toString('hex')).toBe(contents);
      expect(decodeOid(hex(contents))).toBe(dotted);
      expect(oid(dotted).toString('hex')).toBe('06' + (contents.length / 2).toString(16).padStart(2, '0') + contents);
    });
  }
  it('rejects empty, truncated and non-minimal encodings', () => {
    expect(() => decodeOid(Buffer.alloc(0))).toThrow(AuthDecodeError);
    expect(() => decodeOid(hex('2b86'))).toThrow(/truncated/);
    expect(() => decodeOid(hex('2b8001'))).toThrow(/non-minimal/);
    expect(() => decodeOid(hex('2bffffffffffffffff7f'))).toThrow(/too large/);
  });
  it('refuses to encode bad OIDs', () => {
    for (const s of ['1', '3.1', '1.40', 'a.b', '1..2']) expect(() => encodeOidContents(s), s).toThrow(RangeError);
  });
});

describe('asn1 primitives', () => {
  it('ENUMERATED/INTEGER use minimal two\'s complement', () => {
    const cases: Array<[number, string]> = [[0, '00'], [1, '01'], [127, '7f'], [128, '0080'], [256, '0100'], [-1, 'ff'], [-128, '80'], [-129, 'ff7f']];
    for (const [n, c] of cases) {
      const el = integer(n);
      expect(el.subarray(2).toString('hex'), String(n)).toBe(c);
      expect(decodeInteger(readSingle(el, Tag.INTEGER, 'i').value)).toBe(n);
      expect(enumerated(n)[0]).toBe(Tag.ENUMERATED);
    }
    expect(() => decodeInteger(Buffer.alloc(0))).toThrow(AuthDecodeError);
    expect(() => decodeInteger(Buffer.alloc(5))).toThrow(AuthDecodeError);
  });

  it('BIT STRING carries its unused-bit count', () => {
    const el = bitString(Buffer.from([0xa0]), 5);
    expect(el.toString('hex')).toBe('030205a0');
    const d = decodeBitString(readSingle(el, Tag.BIT_STRING, 'b').value);
    expect(d.unusedBits).toBe(5);
    expect(d.bytes.toString('hex')).toBe('a0');
    expect(() => decodeBitString(Buffer.alloc(0))).toThrow(AuthDecodeError);
    expect(() => decodeBitString(hex('08ff'))).toThrow(AuthDecodeError);
    expect(() => decodeBitString(hex('01'))).toThrow(AuthDecodeError);
  });

  it('GeneralString is ISO-8859-1', () => {
    const el = generalString('caf\u00e9');
    expect(el.toString('hex')).toBe('1b04636166e9');
    expect(decodeGeneralString(readSingle(el, Tag.GENERAL_STRING, 'g').value)).toBe('caf\u00e9');
  });
});
