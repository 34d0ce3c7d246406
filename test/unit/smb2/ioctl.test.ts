import {describe, expect, it} from 'vitest';
import {Command, Fsctl, IoctlFlags} from '../../../src/smb2/constants.js';
import {decodeIoctlRequest, decodeIoctlResponse, encodeIoctlRequest, encodeIoctlResponse} from '../../../src/smb2/messages/ioctl.js';
import {RELATED_FILE_ID, isRelatedFileId} from '../../../src/smb2/messages/common.js';
import {FID, body, expectBadStructureSizeThrows, expectTruncationsThrow, patched, roundTrip} from './helpers.js';

describe('IOCTL (2.2.31, 2.2.32)', () => {
  const req = {
    ctlCode: Fsctl.VALIDATE_NEGOTIATE_INFO,
    fileId: {...RELATED_FILE_ID},
    input: Buffer.alloc(24, 5),
    maxInputResponse: 0,
    output: Buffer.alloc(0),
    maxOutputResponse: 24,
    flags: IoctlFlags.IS_FSCTL,
  };
  it('request', () => {
    const {bytes, value} = roundTrip(Command.IOCTL, encodeIoctlRequest, decodeIoctlRequest, req);
    expect(value).toEqual(req);
    expect(isRelatedFileId(value.fileId)).toBe(true);
    expect(bytes.readUInt32LE(64 + 24)).toBe(120);
    expectTruncationsThrow(bytes, decodeIoctlRequest);
    expectBadStructureSizeThrows(bytes, decodeIoctlRequest);
    expect(() => body(patched(bytes, 28, 25, 4), decodeIoctlRequest)).toThrow(/past the message end/);
    expect(() => body(patched(bytes, 24, 64, 4), decodeIoctlRequest)).toThrow(/fixed part/);
  });
  it('request with input and output', () => {
    const v = {...req, output: Buffer.from('out')};
    expect(roundTrip(Command.IOCTL, encodeIoctlRequest, decodeIoctlRequest, v).value).toEqual(v);
  });
  it('response, output 8-aligned after input', () => {
    const v = {ctlCode: Fsctl.PIPE_TRANSCEIVE, fileId: FID, input: Buffer.from('abc'), output: Buffer.from('reply'), flags: 0};
    const {bytes, value} = roundTrip(Command.IOCTL, encodeIoctlResponse, decodeIoctlResponse, v);
    expect(value).toEqual(v);
    expect(bytes.readUInt32LE(64 + 32)).toBe(120);
    expectTruncationsThrow(bytes, decodeIoctlResponse);
    expectBadStructureSizeThrows(bytes, decodeIoctlResponse);
    const empty = {...v, input: Buffer.alloc(0), output: Buffer.alloc(0)};
    expect(roundTrip(Command.IOCTL, encodeIoctlResponse, decodeIoctlResponse, empty).value).toEqual(empty);
  });
});
