/**
 * SMB2 TREE_DISCONNECT request and response (MS-SMB2 2.2.11 / 2.2.12): StructureSize 4 and a Reserved u16, nothing else.
 */
import type {Reader} from '../../wire/reader.js';
import type {Writer} from '../../wire/writer.js';
import {beginBody, headerStart} from './common.js';

export const TREE_DISCONNECT_SIZE = 4;

/** Validates StructureSize; the Reserved field "MUST be ignored" on receipt. */
export function decodeTreeDisconnectRequest(r: Reader): void {
  beginBody(r, TREE_DISCONNECT_SIZE, 'TREE_DISCONNECT request');
  r.skip(2);
}

export function encodeTreeDisconnectRequest(w: Writer): void {
  headerStart(w);
  w.u16(TREE_DISCONNECT_SIZE).u16(0);
}

export function decodeTreeDisconnectResponse(r: Reader): void {
  beginBody(r, TREE_DISCONNECT_SIZE, 'TREE_DISCONNECT response');
  r.skip(2);
}

export function encodeTreeDisconnectResponse(w: Writer): void {
  headerStart(w);
  w.u16(TREE_DISCONNECT_SIZE).u16(0);
}
