import {describe, expect, it} from 'vitest';
import {MalformedPacket} from '../../../src/wire/errors.js';
import {Command, ErrorId} from '../../../src/smb2/constants.js';
import {
  bufferTooSmallData,
  decodeErrorResponse,
  encodeErrorResponse,
  errorResponse,
} from '../../../src/smb2/messages/error.js';
import {NtStatus} from '../../../src/smb2/ntstatus.js';
import {vectorsOfKind} from '../../vectors/load.js';
import {body, expectBadStructureSizeThrows, hex, message, patched, roundTrip} from './helpers.js';

describe('ERROR response (2.2.2)', () => {
  it('decodes a captured error response (STATUS_FILE_CLOSED, ByteCount 0 plus its one byte)', () => {
    const v = vectorsOfKind('smb2_sign_hmac_sha256')[0]!;
    const {header, value} = body(hex(v.inputs.message as string), decodeErrorResponse);
    expect(header.status).toBe(NtStatus.FILE_CLOSED);
    expect(value.errorData.length).toBe(0);
    expect(value.contexts).toEqual([]);
  });

  it('ByteCount 0 still carries one zero byte', () => {
    const m = message(Command.CREATE, encodeErrorResponse, errorResponse());
    expect(m.subarray(64).toString('hex')).toBe('090000000000000000');
    expect(m.length).toBe(64 + 9);
  });

  it('round-trips ErrorData', () => {
    const v = errorResponse(bufferTooSmallData(0x1234));
    const {bytes, value} = roundTrip(Command.QUERY_INFO, encodeErrorResponse, decodeErrorResponse, v);
    expect(value).toEqual(v);
    expect(bytes.readUInt32LE(64 + 4)).toBe(4);
    expect(bytes.length).toBe(64 + 8 + 4);
  });

  it('round-trips 3.1.1 error contexts, 8-byte aligned', () => {
    const contexts = [
      {errorId: ErrorId.DEFAULT, data: Buffer.from('abc')},
      {errorId: ErrorId.SHARE_REDIRECT, data: Buffer.from('0123456789')},
    ];
    const {bytes, value} = roundTrip(Command.TREE_CONNECT, encodeErrorResponse, decodeErrorResponse, {errorData: Buffer.alloc(0), contexts});
    expect(value.contexts).toEqual(contexts);
    expect(bytes[64 + 2]).toBe(2);
    // first context at body+8, second at body+24 (8 + 8 + 3 -> 19 -> aligned 24)
    expect(bytes.readUInt32LE(64 + 24 + 4)).toBe(ErrorId.SHARE_REDIRECT);
    expect(bytes.readUInt32LE(64 + 4)).toBe(16 + 8 + 10);
  });

  it('rejects malformed input', () => {
    const m = message(Command.READ, encodeErrorResponse, errorResponse(Buffer.from('abcd')));
    expectBadStructureSizeThrows(m, decodeErrorResponse);
    expect(() => body(patched(m, 4, 5, 4), decodeErrorResponse)).toThrow(MalformedPacket);
    expect(() => body(m.subarray(0, 70), decodeErrorResponse)).toThrow(MalformedPacket);
    // a context count the data cannot hold
    expect(() => body(patched(m, 2, 1, 1), decodeErrorResponse)).toThrow(MalformedPacket);
  });
});
