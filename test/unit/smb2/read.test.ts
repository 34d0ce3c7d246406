import {describe, expect, it} from 'vitest';
import {Writer} from '../../../src/wire/writer.js';
import {Command} from '../../../src/smb2/constants.js';
import {encodeHeader} from '../../../src/smb2/header.js';
import {
  decodeReadRequest,
  decodeReadResponse,
  encodeReadRequest,
  encodeReadResponse,
  encodeReadResponseHead,
} from '../../../src/smb2/messages/read.js';
import {vectorsOfKind} from '../../vectors/load.js';
import {FID, body, expectBadStructureSizeThrows, expectTruncationsThrow, hex, patched, roundTrip} from './helpers.js';

const plain = (name: string) => {
  const v = [...vectorsOfKind('smb3_encrypt'), ...vectorsOfKind('smb3_decrypt')].find((x) => x.name === name)!;
  return hex((v.inputs.plaintext ?? v.expected.plaintext) as string);
};

describe('READ (2.2.19, 2.2.20) from captured messages', () => {
  it('decodes the 3.1.1 READ request', () => {
    const m = plain('smb311-gcm-encrypt-read-request');
    const {header, value} = body(m, decodeReadRequest);
    expect(header.command).toBe(Command.READ);
    expect(value.length).toBe(0x17);
    expect(value.offset).toBe(0n);
    expect(value.fileId).toEqual({persistent: 0x0000000400000006n, volatile: 0x0000000400000001n});
    expect(value.readChannelInfo.length).toBe(0);
    const w = new Writer();
    encodeHeader(w, header);
    encodeReadRequest(w, value);
    expect(w.finish().equals(m)).toBe(true);
  });

  it('decodes the 3.0 READ response and its data as a view', () => {
    const m = plain('smb30-ccm-decrypt-read-response');
    const {header, value} = body(m, decodeReadResponse);
    expect(value.data.toString()).toBe('Smb3 encryption testing');
    expect(value.data.buffer).toBe(m.buffer);
    const w = new Writer();
    encodeHeader(w, header);
    encodeReadResponse(w, value);
    expect(w.finish().equals(m)).toBe(true);
  });
});

describe('READ round trips and malformed input', () => {
  const req = {padding: 0x50, flags: 0, length: 65536, offset: 1n << 40n, fileId: FID, minimumCount: 1, channel: 0, remainingBytes: 0, readChannelInfo: Buffer.alloc(0)};
  it('request', () => {
    const {bytes, value} = roundTrip(Command.READ, encodeReadRequest, decodeReadRequest, req);
    expect(value).toEqual(req);
    expect(bytes.length).toBe(64 + 49);
    expectTruncationsThrow(bytes, decodeReadRequest, 64 + 48);
    expectBadStructureSizeThrows(bytes, decodeReadRequest);
    expect(() => body(patched(bytes, 44, 112), decodeReadRequest)).not.toThrow();
    expect(() => body(patched(patched(bytes, 44, 112), 46, 16), decodeReadRequest)).toThrow(/past the message end/);
  });
  it('response head lets data go out separately', () => {
    const w = new Writer();
    encodeHeader(w, {...body(roundTrip(Command.READ, encodeReadRequest, decodeReadRequest, req).bytes, decodeReadRequest).header});
    encodeReadResponseHead(w, 5);
    expect(w.length).toBe(80);
    w.bytes(Buffer.from('hello'));
    expect(body(w.finishCopy(), decodeReadResponse).value.data.toString()).toBe('hello');
  });
  it('response rejects data past the end', () => {
    const {bytes} = roundTrip(Command.READ, encodeReadResponse, decodeReadResponse, {dataRemaining: 0, flags: 0, data: Buffer.from('abc')});
    expect(() => body(patched(bytes, 4, 4, 4), decodeReadResponse)).toThrow(MalformedPacketMatch);
    expect(() => body(patched(bytes, 2, 10, 1), decodeReadResponse)).toThrow(/fixed part/);
  });
});
const MalformedPacketMatch = /past the message end/;
