import {describe, expect, it} from 'vitest';
import {Command, HeaderFlags} from '../../../src/smb2/constants.js';
import {decodeCancelRequest, encodeCancelRequest} from '../../../src/smb2/messages/cancel.js';
import {body, message} from './helpers.js';
import {checkFourByteBody} from './simple.js';

describe('CANCEL (2.2.30)', () => {
  it('request: 4-byte body, StructureSize and truncation checked', () =>
    checkFourByteBody(Command.CANCEL, encodeCancelRequest, decodeCancelRequest));
  it('names its target through an async header', () => {
    const m = message(Command.CANCEL, (w) => encodeCancelRequest(w), undefined, {flags: HeaderFlags.ASYNC_COMMAND, asyncId: 9n});
    expect(body(m, decodeCancelRequest).header.asyncId).toBe(9n);
  });
});
