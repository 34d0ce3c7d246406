import {describe, expect, it} from 'vitest';
import {Command, FileInfoClass, InfoType, SecurityInformation} from '../../../src/smb2/constants.js';
import {decodeQueryInfoRequest, decodeQueryInfoResponse, encodeQueryInfoRequest, encodeQueryInfoResponse} from '../../../src/smb2/messages/query-info.js';
import {FID, body, expectBadStructureSizeThrows, expectTruncationsThrow, patched, roundTrip} from './helpers.js';

describe('QUERY_INFO (2.2.37, 2.2.38)', () => {
  const req = {
    infoType: InfoType.SECURITY,
    fileInfoClass: 0,
    outputBufferLength: 4096,
    inputBuffer: Buffer.alloc(0),
    additionalInformation: SecurityInformation.OWNER | SecurityInformation.DACL,
    flags: 0,
    fileId: FID,
  };
  it('request without and with input', () => {
    const a = roundTrip(Command.QUERY_INFO, encodeQueryInfoRequest, decodeQueryInfoRequest, req);
    expect(a.value).toEqual(req);
    expect(a.bytes.length).toBe(64 + 41);
    const v = {...req, infoType: InfoType.FILE, fileInfoClass: FileInfoClass.FileFullEaInformation, inputBuffer: Buffer.from('eaname')};
    const b = roundTrip(Command.QUERY_INFO, encodeQueryInfoRequest, decodeQueryInfoRequest, v);
    expect(b.value).toEqual(v);
    expectTruncationsThrow(b.bytes, decodeQueryInfoRequest);
    expectBadStructureSizeThrows(b.bytes, decodeQueryInfoRequest);
    expect(() => body(patched(b.bytes, 12, 7, 4), decodeQueryInfoRequest)).toThrow(/past the message end/);
  });
  it('response', () => {
    const {bytes, value} = roundTrip(Command.QUERY_INFO, encodeQueryInfoResponse, decodeQueryInfoResponse, Buffer.from('info'));
    expect(value.toString()).toBe('info');
    expect(() => body(patched(bytes, 4, 5, 4), decodeQueryInfoResponse)).toThrow(/past the message end/);
  });
});
