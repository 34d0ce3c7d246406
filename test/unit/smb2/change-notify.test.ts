import {describe, expect, it} from 'vitest';
import {ChangeNotifyFlags, Command, CompletionFilter} from '../../../src/smb2/constants.js';
import {decodeChangeNotifyRequest, decodeChangeNotifyResponse, encodeChangeNotifyRequest, encodeChangeNotifyResponse} from '../../../src/smb2/messages/change-notify.js';
import {FID, expectBadStructureSizeThrows, expectTruncationsThrow, roundTrip} from './helpers.js';

describe('CHANGE_NOTIFY (2.2.35, 2.2.36)', () => {
  it('request', () => {
    const v = {flags: ChangeNotifyFlags.WATCH_TREE, outputBufferLength: 4096, fileId: FID, completionFilter: CompletionFilter.FILE_NAME | CompletionFilter.DIR_NAME};
    const {bytes, value} = roundTrip(Command.CHANGE_NOTIFY, encodeChangeNotifyRequest, decodeChangeNotifyRequest, v);
    expect(value).toEqual(v);
    expect(bytes.length).toBe(96);
    expectTruncationsThrow(bytes, decodeChangeNotifyRequest);
    expectBadStructureSizeThrows(bytes, decodeChangeNotifyRequest);
  });
  it('response, including the empty one of STATUS_NOTIFY_ENUM_DIR', () => {
    const a = roundTrip(Command.CHANGE_NOTIFY, encodeChangeNotifyResponse, decodeChangeNotifyResponse, Buffer.from('notify'));
    expect(a.value.toString()).toBe('notify');
    const b = roundTrip(Command.CHANGE_NOTIFY, encodeChangeNotifyResponse, decodeChangeNotifyResponse, Buffer.alloc(0));
    expect(b.value.length).toBe(0);
    expect(b.bytes.length).toBe(64 + 9);
  });
});
