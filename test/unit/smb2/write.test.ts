import {describe, expect, it} from 'vitest';
import {Writer} from '../../../src/wire/writer.js';
import {Command} from '../../../src/smb2/constants.js';
import {encodeHeader} from '../../../src/smb2/header.js';
import {
  decodeWriteRequest,
  decodeWriteResponse,
  encodeWriteRequest,
  encodeWriteResponse,
} from '../../../src/smb2/messages/write.js';
import {vectorsOfKind} from '../../vectors/load.js';
import {FID, body, expectBadStructureSizeThrows, expectTruncationsThrow, hex, patched, roundTrip} from './helpers.js';

const plain = (name: string) => {
  const v = [...vectorsOfKind('smb3_encrypt'), ...vectorsOfKind('smb3_decrypt')].find((x) => x.name === name)!;
  return hex((v.inputs.plaintext ?? v.expected.plaintext) as string);
};

describe('WRITE (2.2.21, 2.2.22) from captured messages', () => {
  for (const name of ['smb30-ccm-encrypt-write-request', 'smb311-gcm-encrypt-write-request']) {
    it(`decodes ${name} with its payload as a view and re-encodes it`, () => {
      const m = plain(name);
      const {header, value} = body(m, decodeWriteRequest);
      expect(header.command).toBe(Command.WRITE);
      expect(value.data.toString()).toBe('Smb3 encryption testing');
      expect(value.data.buffer).toBe(m.buffer);
      expect(value.offset).toBe(0n);
      const w = new Writer();
      encodeHeader(w, header);
      encodeWriteRequest(w, value);
      // Windows fills WriteChannelInfoOffset (0x70) even with a zero WriteChannelInfoLength; we write 0 there.
      expect(m.readUInt16LE(64 + 40)).toBe(0x70);
      const expected = Buffer.from(m);
      expected.writeUInt16LE(0, 64 + 40);
      expect(w.finish().equals(expected)).toBe(true);
    });
  }

  for (const name of ['smb30-ccm-decrypt-write-response', 'smb311-gcm-decrypt-write-response']) {
    it(`decodes ${name} and re-encodes it`, () => {
      const m = plain(name);
      const {header, value} = body(m, decodeWriteResponse);
      expect(value).toEqual({count: 0x17, remaining: 0});
      const w = new Writer();
      encodeHeader(w, header);
      encodeWriteResponse(w, value);
      expect(w.finish().equals(m)).toBe(true);
    });
  }
});

describe('WRITE round trips and malformed input', () => {
  const req = {offset: 4096n, fileId: FID, channel: 0, remainingBytes: 0, flags: 1, data: Buffer.from('payload'), writeChannelInfo: Buffer.alloc(0)};
  const {bytes} = roundTrip(Command.WRITE, encodeWriteRequest, decodeWriteRequest, req);
  it('request round trip', () => expect(body(bytes, decodeWriteRequest).value).toEqual(req));
  it('zero-length write', () => {
    const v = {...req, data: Buffer.alloc(0)};
    expect(roundTrip(Command.WRITE, encodeWriteRequest, decodeWriteRequest, v).value).toEqual(v);
  });
  it('rejects truncation, StructureSize, and data outside the message', () => {
    expectTruncationsThrow(bytes, decodeWriteRequest);
    expectBadStructureSizeThrows(bytes, decodeWriteRequest);
    expect(() => body(patched(bytes, 4, 8, 4), decodeWriteRequest)).toThrow(/past the message end/);
    expect(() => body(patched(bytes, 2, 0x40), decodeWriteRequest)).toThrow(/fixed part/);
    expect(() => body(patched(bytes, 4, 0xffffffff, 4), decodeWriteRequest)).toThrow(/past the message end/);
  });
  it('response round trip and checks', () => {
    const r = roundTrip(Command.WRITE, encodeWriteResponse, decodeWriteResponse, {count: 7, remaining: 0});
    expect(r.value).toEqual({count: 7, remaining: 0});
    expectTruncationsThrow(r.bytes, decodeWriteResponse);
    expectBadStructureSizeThrows(r.bytes, decodeWriteResponse);
  });
});
