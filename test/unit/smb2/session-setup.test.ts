import {describe, expect, it} from 'vitest';
import {Command, SessionFlags} from '../../../src/smb2/constants.js';
import {
  decodeSessionSetupRequest,
  decodeSessionSetupResponse,
  encodeSessionSetupRequest,
  encodeSessionSetupResponse,
} from '../../../src/smb2/messages/session-setup.js';
import {Writer} from '../../../src/wire/writer.js';
import {encodeHeader} from '../../../src/smb2/header.js';
import {vectorsOfKind} from '../../vectors/load.js';
import {body, expectBadStructureSizeThrows, expectTruncationsThrow, hex, patched, roundTrip} from './helpers.js';

const sessions = vectorsOfKind('preauth_integrity').map((v) => (v.inputs.messages as string[]).map(hex));

function reencode<T>(msg: Buffer, dec: (r: import('../../../src/wire/reader.js').Reader) => T, enc: (w: Writer, v: T) => void): Buffer {
  const {header, value} = body(msg, dec);
  const w = new Writer();
  encodeHeader(w, header);
  enc(w, value);
  return w.finishCopy();
}

describe('SESSION_SETUP from captured Windows sessions (2.2.5, 2.2.6)', () => {
  it('request 1 carries an SPNEGO NegTokenInit with an NTLM NEGOTIATE', () => {
    const {header, value} = body(sessions[0]![2]!, decodeSessionSetupRequest);
    expect(header.command).toBe(Command.SESSION_SETUP);
    expect(value.flags).toBe(0);
    expect(value.securityMode).toBe(1);
    expect(value.capabilities).toBe(1);
    expect(value.channel).toBe(0);
    expect(value.previousSessionId).toBe(0n);
    expect(value.securityBuffer.length).toBe(0x4a);
    expect(value.securityBuffer[0]).toBe(0x60);
    expect(value.securityBuffer.includes(Buffer.from('NTLMSSP\0', 'latin1'))).toBe(true);
    // a view into the message, not a copy
    expect(value.securityBuffer.buffer).toBe(sessions[0]![2]!.buffer);
  });

  it('response 1 carries the NTLM CHALLENGE', () => {
    const {value} = body(sessions[0]![3]!, decodeSessionSetupResponse);
    expect(value.sessionFlags).toBe(0);
    expect(value.securityBuffer.length).toBe(0xb3);
    expect(value.securityBuffer.subarray(0, 2).toString('hex')).toBe('a181');
  });

  it('request 2 carries the NTLM AUTHENTICATE', () => {
    const {value} = body(sessions[0]![4]!, decodeSessionSetupRequest);
    expect(value.securityBuffer.length).toBe(0x1cf);
    expect(value.securityBuffer.includes(Buffer.from('NTLMSSP\0', 'latin1'))).toBe(true);
  });

  it('the second-channel capture is a binding request', () => {
    const {header, value} = body(sessions[1]![2]!, decodeSessionSetupRequest);
    expect(value.flags).toBe(1);
    expect(header.sessionId).toBe(0x0000100000000019n);
  });

  it('re-encodes every captured SESSION_SETUP byte for byte', () => {
    for (const s of sessions) {
      for (const i of [2, 4]) expect(reencode(s[i]!, decodeSessionSetupRequest, encodeSessionSetupRequest).equals(s[i]!)).toBe(true);
      expect(reencode(s[3]!, decodeSessionSetupResponse, encodeSessionSetupResponse).equals(s[3]!)).toBe(true);
    }
  });

  it('decodes the final SUCCESS response from the signing vectors', () => {
    const v = vectorsOfKind('smb2_sign_aes_cmac').find((x) => x.name.includes('anatomy-311-ch1'))!;
    const {header, value} = body(hex(v.inputs.message as string), decodeSessionSetupResponse);
    expect(header.status).toBe(0);
    expect(value.sessionFlags).toBe(0);
    expect(value.securityBuffer.length).toBe(0x1d);
  });
});

describe('SESSION_SETUP round trips and malformed input', () => {
  it('round-trips request and response', () => {
    const req = {flags: 1, securityMode: 2, capabilities: 1, channel: 0, previousSessionId: 77n, securityBuffer: Buffer.from('token')};
    expect(roundTrip(1, encodeSessionSetupRequest, decodeSessionSetupRequest, req).value).toEqual(req);
    const resp = {sessionFlags: SessionFlags.IS_GUEST, securityBuffer: Buffer.alloc(0)};
    const {bytes, value} = roundTrip(1, encodeSessionSetupResponse, decodeSessionSetupResponse, resp);
    expect(value).toEqual(resp);
    expect(bytes.length).toBe(64 + 9);
  });

  const good = sessions[0]![2]!;
  it('rejects truncations', () => expectTruncationsThrow(good, decodeSessionSetupRequest));
  it('rejects a wrong StructureSize', () => expectBadStructureSizeThrows(good, decodeSessionSetupRequest));
  it('rejects a buffer past the end', () => expect(() => body(patched(good, 14, 0x200), decodeSessionSetupRequest)).toThrow(/past the message end/));
  it('rejects an offset into the fixed part', () => expect(() => body(patched(good, 12, 0x50), decodeSessionSetupRequest)).toThrow(/fixed part/));
  it('rejects a response offset into the header', () => expect(() => body(patched(sessions[0]![3]!, 4, 0x10), decodeSessionSetupResponse)).toThrow(/fixed part/));
});
