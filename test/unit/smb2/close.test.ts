import {describe, expect, it} from 'vitest';
import {Command, CloseFlags} from '../../../src/smb2/constants.js';
import {EMPTY_CLOSE_RESPONSE, decodeCloseRequest, decodeCloseResponse, encodeCloseRequest, encodeCloseResponse} from '../../../src/smb2/messages/close.js';
import {FID, expectBadStructureSizeThrows, expectTruncationsThrow, roundTrip} from './helpers.js';

describe('CLOSE (2.2.15, 2.2.16)', () => {
  it('request', () => {
    const v = {flags: CloseFlags.POSTQUERY_ATTRIB, fileId: FID};
    const {bytes, value} = roundTrip(Command.CLOSE, encodeCloseRequest, decodeCloseRequest, v);
    expect(value).toEqual(v);
    expect(bytes.length).toBe(88);
    expectTruncationsThrow(bytes, decodeCloseRequest);
    expectBadStructureSizeThrows(bytes, decodeCloseRequest);
  });
  it('response', () => {
    const v = {...EMPTY_CLOSE_RESPONSE, flags: 1, endOfFile: 5n, fileAttributes: 0x20};
    const {bytes, value} = roundTrip(Command.CLOSE, encodeCloseResponse, decodeCloseResponse, v);
    expect(value).toEqual(v);
    expect(bytes.length).toBe(124);
    expectTruncationsThrow(bytes, decodeCloseResponse);
    expectBadStructureSizeThrows(bytes, decodeCloseResponse);
  });
});
