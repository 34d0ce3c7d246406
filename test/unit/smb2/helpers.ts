import {expect} from 'vitest';
import {MalformedPacket} from '../../../src/wire/errors.js';
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

/** Every truncation of `msg` to a length in [64, upTo) must throw MalformedPacket. */
export function expectTruncationsThrow(msg: Buffer, dec: (r: Reader) => unknown, upTo = msg.length): void {
  for (let n = 64; n < upTo; n++) {
    expect(() => body(msg.subarray(0, n), dec), `truncated to ${n}`).toThrow(MalformedPacket);
  }
}

/** A copy of `msg` with a u16/u32 patched at a body-relative offset. */
export function patched(msg: Buffer, bodyOffset: number, value: number, size: 1 | 2 | 4 = 2): Buffer {
  const b = Buffer.from(msg);
  const at = 64 + bodyOffset;
  if (size === 1) b.writeUInt8(value, at);
  else if (size === 2) b.writeUInt16LE(value, at);
  else b.writeUInt32LE(value >>> 0, at);
  return b;
}

/** StructureSize off by one must throw. */
export function expectBadStructureSizeThrows(msg: Buffer, dec: (r: Reader) => unknown): void {
  const size = msg.readUInt16LE(64);
  expect(() => body(patched(msg, 0, size + 1), dec)).toThrow(/StructureSize/);
  expect(() => body(patched(msg, 0, size - 1), dec)).toThrow(/StructureSize/);
}

export const FID = {persistent: 0x1122334455667788n, volatile: 0x99aabbccddeeff00n};
