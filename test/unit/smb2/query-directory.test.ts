import {describe, expect, it} from 'vitest';
import {Command, FileInfoClass, QueryDirectoryFlags} from '../../../src/smb2/constants.js';
import {
  decodeQueryDirectoryRequest,
  decodeQueryDirectoryResponse,
  encodeQueryDirectoryRequest,
  encodeQueryDirectoryResponse,
} from '../../../src/smb2/messages/query-directory.js';
import {FID, body, expectBadStructureSizeThrows, expectTruncationsThrow, patched, roundTrip} from './helpers.js';

describe('QUERY_DIRECTORY (2.2.33, 2.2.34)', () => {
  const req = {
    fileInformationClass: FileInfoClass.FileIdBothDirectoryInformation,
    flags: QueryDirectoryFlags.RESTART_SCANS,
    fileIndex: 0,
    fileId: FID,
    fileName: '*',
    outputBufferLength: 65536,
  };
  it('request', () => {
    const {bytes, value} = roundTrip(Command.QUERY_DIRECTORY, encodeQueryDirectoryRequest, decodeQueryDirectoryRequest, req);
    expect(value).toEqual(req);
    expect(bytes.readUInt16LE(64 + 24)).toBe(96);
    expectTruncationsThrow(bytes, decodeQueryDirectoryRequest);
    expectBadStructureSizeThrows(bytes, decodeQueryDirectoryRequest);
    expect(() => body(patched(bytes, 26, 3), decodeQueryDirectoryRequest)).toThrow(/past the message end|odd/);
    expect(() => body(patched(bytes, 24, 90), decodeQueryDirectoryRequest)).toThrow(/fixed part/);
  });
  it('empty pattern', () => {
    const v = {...req, fileName: ''};
    expect(roundTrip(Command.QUERY_DIRECTORY, encodeQueryDirectoryRequest, decodeQueryDirectoryRequest, v).value).toEqual(v);
  });
  it('response', () => {
    const entries = Buffer.alloc(104, 1);
    const {bytes, value} = roundTrip(Command.QUERY_DIRECTORY, encodeQueryDirectoryResponse, decodeQueryDirectoryResponse, entries);
    expect(value.equals(entries)).toBe(true);
    expect(bytes.readUInt16LE(64 + 2)).toBe(72);
    expectTruncationsThrow(bytes, decodeQueryDirectoryResponse);
    expectBadStructureSizeThrows(bytes, decodeQueryDirectoryResponse);
  });
});
