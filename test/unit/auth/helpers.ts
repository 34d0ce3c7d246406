// Test helpers: pull the security buffer out of the SESSION_SETUP packets in the vectors
// (MS-SMB2 2.2.5 request: SecurityBufferOffset/Length at body+12; 2.2.6 response: at body+4).
import type {Vector} from '../../vectors/load.js';

export const hex = (s: string): Buffer => Buffer.from(s, 'hex');

export function securityBuffer(packet: Buffer, isRequest: boolean): Buffer {
  const at = 64 + (isRequest ? 12 : 4);
  const off = packet.readUInt16LE(at);
  const len = packet.readUInt16LE(at + 2);
  return packet.subarray(off, off + len);
}

export function inputHex(v: Vector, key: string): Buffer {
  return hex(v.inputs[key] as string);
}

/** The four SPNEGO tokens of a Windows SESSION_SETUP exchange. */
export function sessionTokens(v: Vector): {req1: Buffer; resp1: Buffer; req2: Buffer; resp2: Buffer} {
  return {
    req1: securityBuffer(inputHex(v, 'session_setup_request_1'), true),
    resp1: securityBuffer(inputHex(v, 'session_setup_response_1'), false),
    req2: securityBuffer(inputHex(v, 'session_setup_request_2'), true),
    resp2: securityBuffer(inputHex(v, 'session_setup_response_2'), false),
  };
}
