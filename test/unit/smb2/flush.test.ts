import {describe, expect, it} from 'vitest';
import {Command} from '../../../src/smb2/constants.js';
import {decodeFlushRequest, decodeFlushResponse, encodeFlushRequest, encodeFlushResponse} from '../../../src/smb2/messages/flush.js';
import {FID, expectBadStructureSizeThrows, expectTruncationsThrow, roundTrip} from './helpers.js';
import {checkFourByteBody} from './simple.js';

describe('FLUSH (2.2.17, 2.2.18)', () => {
  it('request', () => {
    const {bytes, value} = roundTrip(Command.FLUSH, encodeFlushRequest, decodeFlushRequest, {fileId: FID});
    expect(value).toEqual({fileId: FID});
    expectTruncationsThrow(bytes, decodeFlushRequest);
    expectBadStructureSizeThrows(bytes, decodeFlushRequest);
  });
  it('response', () => checkFourByteBody(Command.FLUSH, encodeFlushResponse, decodeFlushResponse));
});
