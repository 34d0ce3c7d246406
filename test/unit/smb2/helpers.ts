import {Reader} from '../../../src/wire/reader.js';
import {Writer} from '../../../src/wire/writer.js';
import {decodeHeader, encodeHeader, makeHeader, type Smb2Header} from '../../../src/smb2/header.js';

/** Encode header + body with `enc`, returning the whole message. */
export function message<T>(command: number, enc: (w: Writer, v: T) => void, v: T, h: Partial<Smb2Header> = {}): Buffer {
  const w = new Writer(32);
  encodeHeader(w, makeHeader({command, ...h}));
  enc(w, v);
  return w.finishCopy();
}

/** Decode a whole message's header, then its body with `dec`. */
export function body<T>(msg: Buffer, dec: (r: Reader) => T): {header: Smb2Header; value: T} {
  const r = new Reader(msg);
  const header = decodeHeader(r);
  return {header, value: dec(r)};
}

/** Round-trip through bytes and back. */
export function roundTrip<T>(command: number, enc: (w: Writer, v: T) => void, dec: (r: Reader) => T, v: T): {bytes: Buffer; value: T} {
  const bytes = message(command, enc, v);
  return {bytes, value: body(bytes, dec).value};
}

export const hex = (s: string): Buffer => Buffer.from(s, 'hex');

/** Every strict prefix of a message that still holds the header must fail to decode. */
export function truncations(msg: Buffer, from = 64): Buffer[] {
  const out: Buffer[] = [];
  for (let n = from; n < msg.length; n++) out.push(msg.subarray(0, n));
  return out;
}
