import {describe, expect, it} from 'vitest';
import {MalformedPacket} from '../../../src/wire/errors.js';
import {Reader} from '../../../src/wire/reader.js';
import {Writer} from '../../../src/wire/writer.js';
import {
  CreateContextName,
  createContextLabel,
  decodeCreateContexts,
  decodeDH2C,
  decodeDH2Q,
  decodeDHnC,
  decodeLease,
  decodeMxAcRequest,
  encodeCreateContexts,
  encodeDH2Q,
  encodeLease,
  encodeQFidResponse,
  findCreateContext,
} from '../../../src/smb2/contexts/create-contexts.js';

const enc = (list: Parameters<typeof encodeCreateContexts>[1]) => {
  const w = new Writer();
  encodeCreateContexts(w, list);
  return w.finishCopy();
};
const dec = (b: Buffer) => decodeCreateContexts(new Reader(b), 0, b.length);

describe('create context list (2.2.13.2)', () => {
  it('lays out Next, NameOffset 16 and 8-aligned DataOffset', () => {
    const b = enc([{name: 'DHnQ', data: Buffer.alloc(16)}, {name: 'MxAc', data: Buffer.alloc(0)}]);
    expect(b.readUInt32LE(0)).toBe(40); // 16 + 4 name -> 24 data -> +16 = 40
    expect(b.readUInt16LE(4)).toBe(16);
    expect(b.readUInt16LE(6)).toBe(4);
    expect(b.readUInt16LE(10)).toBe(24);
    expect(b.readUInt32LE(40)).toBe(0);
    expect(b.length).toBe(40 + 20);
    expect(dec(b).map((c) => c.name)).toEqual(['DHnQ', 'MxAc']);
  });

  it('keeps GUID names exact and finds by name', () => {
    const list = [{name: CreateContextName.APP_INSTANCE_ID, data: Buffer.from('x')}, {name: CreateContextName.AAPL, data: Buffer.from('y')}];
    const got = dec(enc(list));
    expect(got).toEqual(list);
    expect(Buffer.from(got[0]!.name, 'latin1').toString('hex')).toBe('45bca66aefa7f74a9008fa462e144d74');
    expect(createContextLabel(got[0]!.name)).toBe('45bca66aefa7f74a9008fa462e144d74');
    expect(createContextLabel('RqLs')).toBe('RqLs');
    expect(findCreateContext(got, 'AAPL')?.data.toString()).toBe('y');
    expect(findCreateContext(got, 'QFid')).toBeUndefined();
  });

  it('rejects malformed lists', () => {
    const good = enc([{name: 'DHnQ', data: Buffer.alloc(16)}, {name: 'MxAc', data: Buffer.alloc(0)}]);
    const mut = (at: number, v: number, size: 2 | 4) => {
      const b = Buffer.from(good);
      if (size === 2) b.writeUInt16LE(v, at);
      else b.writeUInt32LE(v, at);
      return () => dec(b);
    };
    expect(mut(0, 44, 4)).toThrow(/Next/); // unaligned
    expect(mut(0, 8, 4)).toThrow(/Next/); // smaller than a header
    expect(mut(0, 400, 4)).toThrow(/Next/); // past the list
    expect(mut(6, 0, 2)).toThrow(/name/);
    expect(mut(4, 4, 2)).toThrow(/name/);
    expect(mut(12, 17, 4)).toThrow(/data/); // data crosses into the next context
    expect(mut(10, 8, 2)).toThrow(/data/);
    expect(() => dec(good.subarray(0, 50))).toThrow(MalformedPacket);
  });

  it('payload codecs', () => {
    expect(decodeMxAcRequest(Buffer.alloc(0))).toEqual({});
    expect(decodeMxAcRequest(Buffer.from('0100000000000000', 'hex'))).toEqual({timestamp: 1n});
    const lease1 = {leaseKey: Buffer.alloc(16, 9), leaseState: 7, leaseFlags: 0, leaseDuration: 0n};
    expect(decodeLease(encodeLease(lease1))).toEqual(lease1);
    const lease2 = {...lease1, leaseFlags: 4, parentLeaseKey: Buffer.alloc(16, 3), epoch: 5};
    expect(encodeLease(lease2).length).toBe(52);
    expect(decodeLease(encodeLease(lease2))).toEqual(lease2);
    expect(() => decodeLease(Buffer.alloc(40))).toThrow(MalformedPacket);
    const dh2q = {timeout: 60000, flags: 2, createGuid: Buffer.alloc(16, 0xaa)};
    expect(decodeDH2Q(encodeDH2Q(dh2q))).toEqual(dh2q);
    expect(() => decodeDH2Q(Buffer.alloc(31))).toThrow(MalformedPacket);
    expect(decodeDHnC(Buffer.alloc(16, 0))).toEqual({persistent: 0n, volatile: 0n});
    const dh2c = Buffer.alloc(36);
    dh2c.writeUInt32LE(2, 32);
    expect(decodeDH2C(dh2c).flags).toBe(2);
    expect(encodeQFidResponse(Buffer.alloc(8, 1), Buffer.alloc(16, 2)).toString('hex')).toBe('01'.repeat(8) + '00'.repeat(8) + '02'.repeat(16));
  });
});
