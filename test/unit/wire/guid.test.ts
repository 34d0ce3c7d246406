import {describe, expect, it} from 'vitest';
import {MalformedPacket} from '../../../src/wire/errors.js';
import {ZERO_GUID, formatGuid, isZeroGuid, parseGuid} from '../../../src/wire/guid.js';

describe('GUID', () => {
  it('formats the mixed-endian wire form (ClientGuid of a captured NEGOTIATE)', () => {
    expect(formatGuid(Buffer.from('ecd86f326276024f9f7752b89bb33f3a', 'hex'))).toBe('326fd8ec-7662-4f02-9f77-52b89bb33f3a');
  });

  it('parses back to the wire bytes, braces and case optional', () => {
    const wire = '39cbcaf329714942bdce5d60f09ab3fb';
    const s = formatGuid(Buffer.from(wire, 'hex'));
    expect(parseGuid(s).toString('hex')).toBe(wire);
    expect(parseGuid(`{${s.toUpperCase()}}`).toString('hex')).toBe(wire);
  });

  it('rejects bad input', () => {
    expect(() => parseGuid('not-a-guid')).toThrow(RangeError);
    expect(() => formatGuid(Buffer.alloc(15))).toThrow(MalformedPacket);
  });

  it('zero GUID', () => {
    expect(isZeroGuid(ZERO_GUID)).toBe(true);
    expect(formatGuid(ZERO_GUID)).toBe('00000000-0000-0000-0000-000000000000');
    expect(isZeroGuid(parseGuid('00000000-0000-0000-0000-000000000001'))).toBe(false);
  });
});
