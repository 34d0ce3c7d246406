import {describe, it} from 'vitest';
import {Command} from '../../../src/smb2/constants.js';
import {
  decodeTreeDisconnectRequest,
  decodeTreeDisconnectResponse,
  encodeTreeDisconnectRequest,
  encodeTreeDisconnectResponse,
} from '../../../src/smb2/messages/tree-disconnect.js';
import {checkFourByteBody} from './simple.js';

describe('TREE_DISCONNECT', () => {
  it('request: 4-byte body, StructureSize and truncation checked', () =>
    checkFourByteBody(Command.TREE_DISCONNECT, encodeTreeDisconnectRequest, decodeTreeDisconnectRequest));
  it('response: 4-byte body, StructureSize and truncation checked', () =>
    checkFourByteBody(Command.TREE_DISCONNECT, encodeTreeDisconnectResponse, decodeTreeDisconnectResponse));
});
