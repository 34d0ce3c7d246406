import {describe, expect, it} from 'vitest';
import {MalformedPacket} from '../../../src/wire/errors.js';
import {Reader} from '../../../src/wire/reader.js';
import {Writer} from '../../../src/wire/writer.js';
import {Command, HeaderFlags} from '../../../src/smb2/constants.js';
import {
  channelSequence,
  decodeHeader,
  decodeTransformHeader,
  encodeHeader,
  encodeTransformHeader,
  isAsync,
  isCompressionTransform,
  isResponse,
  makeHeader,
  sniffProtocol,
} from '../../../src/smb2/header.js';
import {NtStatus} from '../../../src/smb2/ntstatus.js';
import {vectorsOfKind} from '../../vectors/load.js';
import {hex} from './helpers.js';

const reencode = (msg: Buffer): Buffer => {
  const w = new Writer();
  encodeHeader(w, decodeHeader(new Reader(msg)));
  return w.finishCopy();
};

describe('SMB2 header (2.2.1)', () => {
  it('decodes a signed IOCTL error response (SMBLibrary signing vector)', () => {
    const [v] = vectorsOfKind('smb2_sign_hmac_sha256');
    const msg = hex(v!.inputs.message as string);
    const h = decodeHeader(new Reader(msg));
    expect(h.command).toBe(Command.IOCTL);
    expect(h.status).toBe(NtStatus.FILE_CLOSED);
    expect(h.creditCharge).toBe(1);
    expect(isResponse(h)).toBe(true);
    expect(h.flags & HeaderFlags.SIGNED).toBe(HeaderFlags.SIGNED);
    expect(h.messageId).toBe(4n);
    expect(h.treeId).toBe(1);
    expect(h.signature.toString('hex')).toBe(v!.expected.signature);
    expect(reencode(msg).equals(msg.subarray(0, 64))).toBe(true);
  });

  it('round-trips every header in the captured sessions', () => {
    for (const v of vectorsOfKind('preauth_integrity')) {
      for (const m of (v.inputs.messages as string[]).map(hex)) {
        expect(reencode(m).equals(m.subarray(0, 64))).toBe(true);
      }
    }
  });

  it('decodes the SESSION_SETUP response 1 header: MORE_PROCESSING_REQUIRED and a SessionId', () => {
    const m = hex((vectorsOfKind('preauth_integrity')[0]!.inputs.messages as string[])[3]!);
    const h = decodeHeader(new Reader(m));
    expect(h.status).toBe(NtStatus.MORE_PROCESSING_REQUIRED);
    expect(h.command).toBe(Command.SESSION_SETUP);
    expect(h.sessionId).toBe(0x0000100000000019n);
    expect(h.processId).toBe(0xfeff);
  });

  it('async form carries AsyncId instead of ProcessId/TreeId', () => {
    const h = makeHeader({command: Command.CHANGE_NOTIFY, flags: HeaderFlags.ASYNC_COMMAND | 1, asyncId: 0x42n, status: NtStatus.PENDING});
    const w = new Writer();
    encodeHeader(w, h);
    const back = decodeHeader(new Reader(w.finish()));
    expect(isAsync(back)).toBe(true);
    expect(back.asyncId).toBe(0x42n);
    expect(back.treeId).toBe(0);
    expect(w.finish().readBigUInt64LE(32)).toBe(0x42n);
  });

  it('reads ChannelSequence from a request Status field', () => {
    expect(channelSequence(makeHeader({command: 0, status: 0xabcd0007}))).toBe(7);
  });

  it('rejects a short header, a wrong protocol id and a wrong StructureSize', () => {
    const w = new Writer();
    encodeHeader(w, makeHeader({command: Command.ECHO}));
    const good = w.finishCopy();
    expect(() => decodeHeader(new Reader(good.subarray(0, 63)))).toThrow(MalformedPacket);
    const badId = Buffer.from(good);
    badId[0] = 0xfd;
    expect(() => decodeHeader(new Reader(badId))).toThrow(/ProtocolId/);
    const badSize = Buffer.from(good);
    badSize.writeUInt16LE(65, 4);
    expect(() => decodeHeader(new Reader(badSize))).toThrow(/StructureSize/);
  });

  it('sniffs the protocol id', () => {
    expect(sniffProtocol(hex('fe534d42'))).toBe('smb2');
    expect(sniffProtocol(hex('fd534d42'))).toBe('transform');
    expect(sniffProtocol(hex('fc534d42'))).toBe('compression');
    expect(sniffProtocol(hex('ff534d42'))).toBe('smb1');
    expect(sniffProtocol(hex('00534d42'))).toBe('unknown');
    expect(sniffProtocol(hex('fe53'))).toBe('unknown');
    expect(isCompressionTransform(hex('00fc534d42'), 1)).toBe(true);
  });
});

describe('TRANSFORM_HEADER (2.2.41)', () => {
  const cases = [...vectorsOfKind('smb3_encrypt'), ...vectorsOfKind('smb3_decrypt')];

  it('has the captured transform messages', () => expect(cases.length).toBe(14));

  for (const v of cases) {
    it(`decodes and re-encodes ${v.name}`, () => {
      const msg = hex((v.expected.transform_message ?? v.inputs.transform_message) as string);
      const {header, aad, payload} = decodeTransformHeader(new Reader(msg));
      expect(header.flags).toBe(1);
      expect(header.originalMessageSize).toBe(payload.length);
      expect(aad.equals(msg.subarray(20, 52))).toBe(true);
      if (v.inputs.session_id !== undefined) expect(header.sessionId).toBe(BigInt(v.inputs.session_id as string));
      if (v.inputs.nonce_field !== undefined) expect(header.nonce.toString('hex')).toBe(v.inputs.nonce_field);
      if (v.expected.signature !== undefined) expect(header.signature.toString('hex')).toBe(v.expected.signature);
      const w = new Writer();
      encodeTransformHeader(w, header);
      expect(w.finish().equals(msg.subarray(0, 52))).toBe(true);
    });
  }

  it('rejects a wrong protocol id, bad Flags, and no payload', () => {
    const msg = hex((cases[0]!.expected.transform_message) as string);
    const a = Buffer.from(msg);
    a[0] = 0xfe;
    expect(() => decodeTransformHeader(new Reader(a))).toThrow(/ProtocolId/);
    const b = Buffer.from(msg);
    b.writeUInt16LE(2, 42);
    expect(() => decodeTransformHeader(new Reader(b))).toThrow(/Flags/);
    expect(() => decodeTransformHeader(new Reader(msg.subarray(0, 52)))).toThrow(MalformedPacket);
    expect(() => decodeTransformHeader(new Reader(msg.subarray(0, 40)))).toThrow(MalformedPacket);
  });
});
