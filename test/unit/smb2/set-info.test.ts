import {describe, expect, it} from 'vitest';
import {Command, FileInfoClass, InfoType} from '../../../src/smb2/constants.js';
import {decodeSetInfoRequest, decodeSetInfoResponse, encodeSetInfoRequest, encodeSetInfoResponse} from '../../../src/smb2/messages/set-info.js';
import {FID, body, expectBadStructureSizeThrows, expectTruncationsThrow, message, patched, roundTrip} from './helpers.js';

describe('SET_INFO (2.2.39, 2.2.40)', () => {
  const req = {infoType: InfoType.FILE, fileInfoClass: FileInfoClass.FileEndOfFileInformation, buffer: Buffer.from('0010000000000000', 'hex'), additionalInformation: 0, fileId: FID};
  it('request', () => {
    const {bytes, value} = roundTrip(Command.SET_INFO, encodeSetInfoRequest, decodeSetInfoRequest, req);
    expect(value).toEqual(req);
    expect(bytes.readUInt16LE(64 + 8)).toBe(96);
    expectTruncationsThrow(bytes, decodeSetInfoRequest);
    expectBadStructureSizeThrows(bytes, decodeSetInfoRequest);
    expect(() => body(patched(bytes, 4, 9, 4), decodeSetInfoRequest)).toThrow(/past the message end/);
  });
  it('response is StructureSize 2 only', () => {
    const m = message(Command.SET_INFO, (w) => encodeSetInfoResponse(w), undefined);
    expect(m.subarray(64).toString('hex')).toBe('0200');
    expect(() => body(m, decodeSetInfoResponse)).not.toThrow();
    expect(() => body(patched(m, 0, 4), decodeSetInfoResponse)).toThrow(/StructureSize/);
  });
});
