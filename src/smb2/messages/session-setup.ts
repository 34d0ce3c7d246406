/**
 * SMB2 SESSION_SETUP request (MS-SMB2 2.2.5) and response (2.2.6). The security buffer is a view.
 */
import type {Reader} from '../../wire/reader.js';
import type {Writer} from '../../wire/writer.js';
import {SMB2_HEADER_SIZE} from '../constants.js';
import {beginBody, bufferAt, headerStart, requireFixed} from './common.js';

export const SESSION_SETUP_REQUEST_SIZE = 25;
export const SESSION_SETUP_RESPONSE_SIZE = 9;

export interface SessionSetupRequest {
  /** SessionSetupFlags.BINDING (3.x). */
  flags: number;
  securityMode: number;
  capabilities: number;
  /** Reserved; MUST be 0 (2.2.5). */
  channel: number;
  previousSessionId: bigint;
  securityBuffer: Buffer;
}

export function decodeSessionSetupRequest(r: Reader): SessionSetupRequest {
  const hdr = beginBody(r, SESSION_SETUP_REQUEST_SIZE, 'SESSION_SETUP request');
  requireFixed(r, hdr, SESSION_SETUP_REQUEST_SIZE, 'SESSION_SETUP request');
  const flags = r.u8();
  const securityMode = r.u8();
  const capabilities = r.u32();
  const channel = r.u32();
  const off = r.u16();
  const len = r.u16();
  const previousSessionId = r.u64();
  const securityBuffer = bufferAt(r, hdr, off, len, SESSION_SETUP_REQUEST_SIZE - 1, 'SESSION_SETUP SecurityBuffer');
  r.seek(r.end);
  return {flags, securityMode, capabilities, channel, previousSessionId, securityBuffer};
}

export function encodeSessionSetupRequest(w: Writer, m: SessionSetupRequest): void {
  headerStart(w);
  const off = SMB2_HEADER_SIZE + SESSION_SETUP_REQUEST_SIZE - 1;
  w.u16(SESSION_SETUP_REQUEST_SIZE).u8(m.flags).u8(m.securityMode).u32(m.capabilities).u32(m.channel);
  w.u16(off).u16(m.securityBuffer.length).u64(m.previousSessionId);
  if (m.securityBuffer.length > 0) w.bytes(m.securityBuffer);
  else w.u8(0);
}

export interface SessionSetupResponse {
  sessionFlags: number;
  securityBuffer: Buffer;
}

export function decodeSessionSetupResponse(r: Reader): SessionSetupResponse {
  const hdr = beginBody(r, SESSION_SETUP_RESPONSE_SIZE, 'SESSION_SETUP response');
  requireFixed(r, hdr, SESSION_SETUP_RESPONSE_SIZE, 'SESSION_SETUP response');
  const sessionFlags = r.u16();
  const off = r.u16();
  const len = r.u16();
  const securityBuffer = bufferAt(r, hdr, off, len, SESSION_SETUP_RESPONSE_SIZE - 1, 'SESSION_SETUP SecurityBuffer');
  r.seek(r.end);
  return {sessionFlags, securityBuffer};
}

export function encodeSessionSetupResponse(w: Writer, m: SessionSetupResponse): void {
  headerStart(w);
  const off = SMB2_HEADER_SIZE + SESSION_SETUP_RESPONSE_SIZE - 1;
  w.u16(SESSION_SETUP_RESPONSE_SIZE).u16(m.sessionFlags).u16(off).u16(m.securityBuffer.length);
  if (m.securityBuffer.length > 0) w.bytes(m.securityBuffer);
  else w.u8(0);
}
