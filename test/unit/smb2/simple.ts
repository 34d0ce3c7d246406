// Shared checks for the StructureSize-4 messages (LOGOFF, TREE_DISCONNECT, ECHO, CANCEL, FLUSH/LOCK responses).
import {expect} from 'vitest';
import {MalformedPacket} from '../../../src/wire/errors.js';
import type {Reader} from '../../../src/wire/reader.js';
import type {Writer} from '../../../src/wire/writer.js';
import {body, message} from './helpers.js';

export function checkFourByteBody(command: number, enc: (w: Writer) => void, dec: (r: Reader) => void): void {
  const m = message(command, (w: Writer) => enc(w), undefined);
  expect(m.length).toBe(68);
  expect(m.subarray(64).toString('hex')).toBe('04000000');
  expect(() => body(m, dec)).not.toThrow();
  const bad = Buffer.from(m);
  bad.writeUInt16LE(5, 64);
  expect(() => body(bad, dec)).toThrow(/StructureSize/);
  expect(() => body(m.subarray(0, 67), dec)).toThrow(MalformedPacket);
  expect(() => body(m.subarray(0, 65), dec)).toThrow(MalformedPacket);
}
