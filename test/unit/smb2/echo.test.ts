import {describe, it} from 'vitest';
import {Command} from '../../../src/smb2/constants.js';
import {
  decodeEchoRequest,
  decodeEchoResponse,
  encodeEchoRequest,
  encodeEchoResponse,
} from '../../../src/smb2/messages/echo.js';
import {checkFourByteBody} from './simple.js';

describe('ECHO', () => {
  it('request: 4-byte body, StructureSize and truncation checked', () =>
    checkFourByteBody(Command.ECHO, encodeEchoRequest, decodeEchoRequest));
  it('response: 4-byte body, StructureSize and truncation checked', () =>
    checkFourByteBody(Command.ECHO, encodeEchoResponse, decodeEchoResponse));
});
