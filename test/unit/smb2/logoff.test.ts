import {describe, it} from 'vitest';
import {Command} from '../../../src/smb2/constants.js';
import {
  decodeLogoffRequest,
  decodeLogoffResponse,
  encodeLogoffRequest,
  encodeLogoffResponse,
} from '../../../src/smb2/messages/logoff.js';
import {checkFourByteBody} from './simple.js';

describe('LOGOFF', () => {
  it('request: 4-byte body, StructureSize and truncation checked', () =>
    checkFourByteBody(Command.LOGOFF, encodeLogoffRequest, decodeLogoffRequest));
  it('response: 4-byte body, StructureSize and truncation checked', () =>
    checkFourByteBody(Command.LOGOFF, encodeLogoffResponse, decodeLogoffResponse));
});
