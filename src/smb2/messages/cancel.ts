/**
 * SMB2 CANCEL request (MS-SMB2 2.2.30). There is no CANCEL response: the cancelled request answers
 * (usually with STATUS_CANCELLED). The request to cancel is named by the header (MessageId, or AsyncId).
 */
import type {Reader} from '../../wire/reader.js';
import type {Writer} from '../../wire/writer.js';
import {beginBody, headerStart} from './common.js';

export const CANCEL_SIZE = 4;

export function decodeCancelRequest(r: Reader): void {
  beginBody(r, CANCEL_SIZE, 'CANCEL request');
  r.skip(2); // Reserved
}

export function encodeCancelRequest(w: Writer): void {
  headerStart(w);
  w.u16(CANCEL_SIZE).u16(0);
}
