/**
 * SMB2 ECHO request and response (MS-SMB2 2.2.28 / 2.2.29): StructureSize 4 and a Reserved u16, nothing else.
 */
import type {Reader} from '../../wire/reader.js';
import type {Writer} from '../../wire/writer.js';
import {beginBody, headerStart} from './common.js';

export const ECHO_SIZE = 4;

/** Validates StructureSize; the Reserved field "MUST be ignored" on receipt. */
export function decodeEchoRequest(r: Reader): void {
  beginBody(r, ECHO_SIZE, 'ECHO request');
  r.skip(2);
}

export function encodeEchoRequest(w: Writer): void {
  headerStart(w);
  w.u16(ECHO_SIZE).u16(0);
}

export function decodeEchoResponse(r: Reader): void {
  beginBody(r, ECHO_SIZE, 'ECHO response');
  r.skip(2);
}

export function encodeEchoResponse(w: Writer): void {
  headerStart(w);
  w.u16(ECHO_SIZE).u16(0);
}
