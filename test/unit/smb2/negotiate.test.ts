import {describe, expect, it} from 'vitest';
import {MalformedPacket} from '../../../src/wire/errors.js';
import {formatGuid} from '../../../src/wire/guid.js';
import {Writer} from '../../../src/wire/writer.js';
import {Command, Cipher, Dialect, HashAlgorithm, NegotiateContextType, SigningAlgorithm} from '../../../src/smb2/constants.js';
import {contextsOf, type NegotiateContext} from '../../../src/smb2/contexts/negotiate-contexts.js';
import {encodeHeader, makeHeader} from '../../../src/smb2/header.js';
import {
  decodeNegotiateRequest,
  decodeNegotiateResponse,
  encodeNegotiateRequest,
  encodeNegotiateResponse,
  type NegotiateRequest,
  type NegotiateResponse,
} from '../../../src/smb2/messages/negotiate.js';
import {vectorsOfKind} from '../../vectors/load.js';
import {body, hex, message, roundTrip} from './helpers.js';

const captures = vectorsOfKind('preauth_integrity').map((v) => (v.inputs.messages as string[]).map(hex));

function reencode<T>(msg: Buffer, dec: (r: import('../../../src/wire/reader.js').Reader) => T, enc: (w: Writer, v: T) => void): Buffer {
  const {header, value} = body(msg, dec);
  const w = new Writer();
  encodeHeader(w, header);
  enc(w, value);
  return w.finishCopy();
}

describe('NEGOTIATE request (2.2.3) from captured Windows sessions', () => {
  it('has the four captures', () => expect(captures.length).toBe(4));

  it('decodes the fields of the first capture', () => {
    const {header, value} = body(captures[0]![0]!, decodeNegotiateRequest);
    expect(header.command).toBe(Command.NEGOTIATE);
    expect(header.messageId).toBe(1n); // after an SMB1 multi-protocol negotiate (MessageId 0)
    expect(value.dialects).toEqual([0x0202, 0x0210, 0x0300, 0x0302, 0x0311]);
    expect(value.securityMode).toBe(0);
    expect(value.capabilities).toBe(0x3f);
    expect(formatGuid(value.clientGuid)).toBe('326fd8ec-7662-4f02-9f77-52b89bb33f3a');
    expect(value.negotiateContexts.map((c) => c.kind)).toEqual(['preauth', 'encryption']);
    const [pre] = contextsOf(value.negotiateContexts, 'preauth');
    expect(pre!.hashAlgorithms).toEqual([HashAlgorithm.SHA_512]);
    expect(pre!.salt.toString('hex')).toBe('fa49e6578f1f3a9f4cd3e9cc14a67aa884b3d05844e0e5a118225c15887f32ff');
    expect(contextsOf(value.negotiateContexts, 'encryption')[0]!.ciphers).toEqual([Cipher.AES_128_GCM, Cipher.AES_128_CCM]);
  });

  it('re-encodes every captured request byte for byte', () => {
    for (const msgs of captures) expect(reencode(msgs[0]!, decodeNegotiateRequest, encodeNegotiateRequest).equals(msgs[0]!)).toBe(true);
  });

  it('keeps the CCM-first cipher order of the enc311-ccm capture', () => {
    const v = body(captures[3]![0]!, decodeNegotiateRequest).value;
    expect(contextsOf(v.negotiateContexts, 'encryption')[0]!.ciphers).toEqual([Cipher.AES_128_CCM, Cipher.AES_128_GCM]);
  });
});

describe('NEGOTIATE response (2.2.4) from captured Windows sessions', () => {
  it('decodes the fields of the first capture', () => {
    const {header, value} = body(captures[0]![1]!, decodeNegotiateResponse);
    expect(header.flags & 1).toBe(1);
    expect(value.dialectRevision).toBe(Dialect.SMB3_1_1);
    expect(value.securityMode).toBe(1);
    expect(value.capabilities).toBe(0x2f);
    expect(value.maxTransactSize).toBe(0x800000);
    expect(value.maxReadSize).toBe(0x800000);
    expect(value.maxWriteSize).toBe(0x800000);
    expect(value.securityBuffer.length).toBe(0x140);
    expect(value.securityBuffer[0]).toBe(0x60); // GSS-API InitialContextToken
    expect(value.negotiateContexts).toHaveLength(2);
    const [pre] = contextsOf(value.negotiateContexts, 'preauth');
    expect(pre!.hashAlgorithms).toEqual([1]);
    expect(pre!.salt).toHaveLength(32);
    expect(contextsOf(value.negotiateContexts, 'encryption')[0]!.ciphers).toEqual([Cipher.AES_128_GCM]);
  });

  it('re-encodes every captured response byte for byte', () => {
    for (const msgs of captures) expect(reencode(msgs[1]!, decodeNegotiateResponse, encodeNegotiateResponse).equals(msgs[1]!)).toBe(true);
  });
});

const allContexts: NegotiateContext[] = [
  {kind: 'preauth', hashAlgorithms: [1], salt: Buffer.alloc(32, 7)},
  {kind: 'encryption', ciphers: [Cipher.AES_256_GCM, Cipher.AES_128_GCM]},
  {kind: 'compression', flags: 1, algorithms: [1, 2, 3]},
  {kind: 'netname', netName: 'server.example'},
  {kind: 'transport', flags: 1},
  {kind: 'rdma', transformIds: [1, 2]},
  {kind: 'signing', signingAlgorithms: [SigningAlgorithm.AES_GMAC, SigningAlgorithm.AES_CMAC]},
  {kind: 'posix', data: hex('93ad25509cb411e7b42383de968bcd7c')},
  {kind: 'unknown', type: 0x0777, data: hex('010203')},
];

describe('NEGOTIATE round trips', () => {
  const req: NegotiateRequest = {
    securityMode: 2,
    capabilities: 0x7f,
    clientGuid: Buffer.alloc(16, 0xab),
    dialects: [0x0202, 0x0311],
    negotiateContexts: allContexts,
    clientStartTime: 0n,
  };

  it('request with every context kind', () => {
    const {bytes, value} = roundTrip(Command.NEGOTIATE, encodeNegotiateRequest, decodeNegotiateRequest, req);
    expect(value).toEqual(req);
    // first context 8-aligned from the header
    expect(bytes.readUInt32LE(64 + 28) % 8).toBe(0);
  });

  it('pre-3.1.1 request keeps ClientStartTime and has no contexts', () => {
    const old = {...req, dialects: [0x0202, 0x0210], negotiateContexts: [], clientStartTime: 0x1122334455n};
    expect(roundTrip(Command.NEGOTIATE, encodeNegotiateRequest, decodeNegotiateRequest, old).value).toEqual(old);
  });

  const resp: NegotiateResponse = {
    securityMode: 1,
    dialectRevision: 0x0311,
    serverGuid: Buffer.alloc(16, 3),
    capabilities: 0x2f,
    maxTransactSize: 1 << 20,
    maxReadSize: 1 << 20,
    maxWriteSize: 1 << 20,
    systemTime: 133000000000000000n,
    serverStartTime: 0n,
    securityBuffer: Buffer.alloc(13, 0x60),
    negotiateContexts: allContexts.slice(0, 3),
  };

  it('response: blob of odd length, then padding to 8, then contexts', () => {
    const {bytes, value} = roundTrip(Command.NEGOTIATE, encodeNegotiateResponse, decodeNegotiateResponse, resp);
    expect(value).toEqual(resp);
    const ctxOff = bytes.readUInt32LE(64 + 60);
    expect(ctxOff % 8).toBe(0);
    expect(ctxOff).toBe(128 + 16);
  });

  it('response for 2.1 carries no contexts', () => {
    const v = {...resp, dialectRevision: 0x0210, negotiateContexts: []};
    const {bytes, value} = roundTrip(Command.NEGOTIATE, encodeNegotiateResponse, decodeNegotiateResponse, v);
    expect(value).toEqual(v);
    expect(bytes.length).toBe(128 + 13);
  });

  it('the wildcard response to an SMB1 negotiate has no blob', () => {
    const v = {...resp, dialectRevision: Dialect.WILDCARD, negotiateContexts: [], securityBuffer: Buffer.alloc(0)};
    expect(roundTrip(Command.NEGOTIATE, encodeNegotiateResponse, decodeNegotiateResponse, v).value).toEqual(v);
  });
});

describe('NEGOTIATE malformed input', () => {
  const good = captures[0]![0]!;
  const bad = (mut: (b: Buffer) => void) => {
    const b = Buffer.from(good);
    mut(b);
    return () => body(b, decodeNegotiateRequest);
  };

  it('rejects every truncation', () => {
    for (let n = 64; n < good.length; n++) {
      expect(() => body(good.subarray(0, n), decodeNegotiateRequest), `length ${n}`).toThrow(MalformedPacket);
    }
  });
  it('rejects a wrong StructureSize', () => expect(bad((b) => b.writeUInt16LE(37, 64))).toThrow(/StructureSize/));
  it('rejects DialectCount 0', () => expect(bad((b) => b.writeUInt16LE(0, 66))).toThrow(/DialectCount/));
  it('rejects more dialects than fit', () => expect(bad((b) => b.writeUInt16LE(500, 66))).toThrow(MalformedPacket));
  it('rejects an unaligned context offset', () => expect(bad((b) => b.writeUInt32LE(0x71, 64 + 28))).toThrow(/aligned/));
  it('rejects a context offset past the end', () => expect(bad((b) => b.writeUInt32LE(0x1000, 64 + 28))).toThrow(MalformedPacket));
  it('rejects a context offset into the dialects', () => expect(bad((b) => b.writeUInt32LE(0x60, 64 + 28))).toThrow(/overlaps/));
  it('rejects a context count larger than the list', () => expect(bad((b) => b.writeUInt16LE(3, 64 + 32))).toThrow(MalformedPacket));
  it('rejects HashAlgorithmCount 0', () => expect(bad((b) => b.writeUInt16LE(0, 0x70 + 8))).toThrow(/HashAlgorithmCount/));
  it('rejects a DataLength past the end', () => expect(bad((b) => b.writeUInt16LE(0xfff0, 0x70 + 2))).toThrow(MalformedPacket));

  it('rejects a response whose SecurityBuffer runs past the end', () => {
    const b = Buffer.from(captures[0]![1]!);
    b.writeUInt16LE(0x2000, 64 + 58);
    expect(() => body(b, decodeNegotiateResponse)).toThrow(/SecurityBuffer/);
  });
  it('rejects a response SecurityBufferOffset into the fixed part', () => {
    const b = Buffer.from(captures[0]![1]!);
    b.writeUInt16LE(0x40, 64 + 56);
    expect(() => body(b, decodeNegotiateResponse)).toThrow(/fixed part/);
  });
  it('ignores an unknown context type but keeps it', () => {
    const m = message(Command.NEGOTIATE, encodeNegotiateRequest, {
      securityMode: 1, capabilities: 0, clientGuid: Buffer.alloc(16), dialects: [0x311], clientStartTime: 0n,
      negotiateContexts: [{kind: 'unknown', type: 0x4242, data: Buffer.from('xyz')}],
    });
    const v = body(m, decodeNegotiateRequest).value;
    expect(v.negotiateContexts).toEqual([{kind: 'unknown', type: 0x4242, data: Buffer.from('xyz')}]);
    expect(NegotiateContextType.POSIX_EXTENSIONS).toBe(0x100);
  });
});
