// Compound chains (MS-SMB2 3.3.5.2.7, 3.3.4.1.3): splitting requests, building aligned, signed responses.
import {describe, expect, it} from 'vitest';
import {ResponseChain, splitCompound} from '../../../src/engine/compound.js';
import {ConnectionError} from '../../../src/engine/errors.js';
import {MessageSigner, SIGNING_HMAC_SHA256} from '../../../src/crypto/sign.js';
import {Command, HeaderFlags} from '../../../src/smb2/constants.js';
import {decodeHeader, encodeHeader, makeHeader} from '../../../src/smb2/header.js';
import {Reader} from '../../../src/wire/reader.js';
import {Writer} from '../../../src/wire/writer.js';

/** A chain of messages with the given body lengths, each padded to 8 and linked by NextCommand. */
function chain(bodies: number[]): Buffer {
  const w = new Writer();
  let prev = -1;
  bodies.forEach((len, i) => {
    if (prev >= 0) {
      w.align(8);
      w.patchU32(prev + 20, w.length - prev);
    }
    prev = w.length;
    encodeHeader(w, makeHeader({command: Command.ECHO, messageId: BigInt(i)}));
    w.zeros(len);
  });
  return w.finishCopy();
}

describe('splitCompound', () => {
  it('cuts a chain at each NextCommand, padding included', () => {
    const buf = chain([4, 9, 4]);
    const parts = splitCompound(buf);
    expect(parts).toEqual([
      {start: 0, end: 72},
      {start: 72, end: 152},
      {start: 152, end: buf.length},
    ]);
    expect(parts.map((p) => decodeHeader(new Reader(buf, p.start, p.end)).messageId)).toEqual([0n, 1n, 2n]);
  });

  it('a single message is one part', () => {
    const buf = chain([4]);
    expect(splitCompound(buf)).toEqual([{start: 0, end: buf.length}]);
  });

  it('refuses an unaligned, too small or out-of-frame NextCommand', () => {
    const base = chain([4, 4]);
    for (const next of [70, 60, 8, base.length, base.length + 8]) {
      const b = Buffer.from(base);
      b.writeUInt32LE(next, 20);
      expect(() => splitCompound(b), `NextCommand ${next}`).toThrow(ConnectionError);
    }
  });

  it('refuses a message shorter than a header', () => {
    expect(() => splitCompound(Buffer.alloc(63))).toThrow(ConnectionError);
  });

  it('caps the number of messages in a chain', () => {
    expect(() => splitCompound(chain(new Array(200).fill(0)))).toThrow(/more than/);
  });
});

describe('ResponseChain', () => {
  it('aligns each response to 8, links NextCommand and signs each over its padding', () => {
    const key = Buffer.alloc(16, 3);
    const signer = new MessageSigner(SIGNING_HMAC_SHA256, key);
    const out = new ResponseChain();
    for (const [i, body] of [5, 9, 3].entries()) {
      const start = out.begin();
      encodeHeader(out.w, makeHeader({command: Command.ECHO, messageId: BigInt(i), flags: HeaderFlags.SERVER_TO_REDIR}));
      out.w.zeros(body);
      out.end(start, i === 1 ? undefined : signer);
    }
    const buf = out.finish();
    const parts = splitCompound(buf);
    expect(parts.map((p) => p.start)).toEqual([0, 72, 152]);
    expect(parts.every((p) => p.start % 8 === 0)).toBe(true);
    // The first and last are signed (flag set, signature verifies over [start, next start)); the middle is not.
    const msg = (i: number) => buf.subarray(parts[i]!.start, parts[i]!.end);
    expect(signer.verify(msg(0))).toBe(true);
    expect(signer.verify(msg(2))).toBe(true);
    expect(decodeHeader(new Reader(msg(1))).flags & HeaderFlags.SIGNED).toBe(0);
    expect(decodeHeader(new Reader(msg(0))).flags & HeaderFlags.SIGNED).toBe(HeaderFlags.SIGNED);
    // The last response of a chain is padded too (Windows and Samba; smbtorture smb2.compound.compound-padding).
    expect(buf.length).toBe(152 + 64 + 8);
  });

  it('leaves a lone response unpadded and joins a chain\'s last payload before padding it', () => {
    const one = new ResponseChain();
    const s = one.begin();
    encodeHeader(one.w, makeHeader({command: Command.READ, messageId: 1n, flags: HeaderFlags.SERVER_TO_REDIR}));
    one.w.zeros(16);
    one.end(s, undefined);
    one.tail = Buffer.from('abc');
    expect(one.finish().length).toBe(64 + 16);
    expect(one.tail).toEqual(Buffer.from('abc'));

    const two = new ResponseChain();
    for (const i of [0, 1]) {
      const start = two.begin();
      encodeHeader(two.w, makeHeader({command: Command.READ, messageId: BigInt(i), flags: HeaderFlags.SERVER_TO_REDIR}));
      two.w.zeros(16);
      two.end(start, undefined);
    }
    two.tail = Buffer.from('abc');
    const buf = two.finish();
    expect(two.tail).toBeUndefined();
    expect(buf.length).toBe(80 + 80 + 8);
    expect(buf.subarray(160, 163).toString()).toBe('abc');
  });
});
