/**
 * SMB2 LOGOFF request and response (MS-SMB2 2.2.7 / 2.2.8): StructureSize 4 and a Reserved u16, nothing else.
 */
import type {Reader} from '../../wire/reader.js';
import type {Writer} from '../../wire/writer.js';
import {beginBody, headerStart} from './common.js';

export const LOGOFF_SIZE = 4;

/** Validates StructureSize; the Reserved field "MUST be ignored" on receipt. */
export function decodeLogoffRequest(r: Reader): void {
  beginBody(r, LOGOFF_SIZE, 'LOGOFF request');
  r.skip(2);
}

export function encodeLogoffRequest(w: Writer): void {
  headerStart(w);
  w.u16(LOGOFF_SIZE).u16(0);
}

export function decodeLogoffResponse(r: Reader): void {
  beginBody(r, LOGOFF_SIZE, 'LOGOFF response');
  r.skip(2);
}

export function encodeLogoffResponse(w: Writer): void {
  headerStart(w);
  w.u16(LOGOFF_SIZE).u16(0);
}
