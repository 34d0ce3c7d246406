/**
 * UTF-16LE, the string encoding of every SMB2 name (MS-SMB2 2.2 "All strings ... MUST be ... UTF-16LE").
 *
 * decode rejects an odd byte count and, unless `allowLoneSurrogates`, an unpaired surrogate: a name that
 * cannot round-trip through a JS string must not reach the file system by a lossy path.
 */
import {MalformedPacket} from './errors.js';

export interface Utf16Options {
  /** Accept unpaired surrogates (they survive as lone UTF-16 code units in the JS string). Default false. */
  allowLoneSurrogates?: boolean;
  /** Drop trailing NUL code units (some clients terminate names they need not). Default false. */
  stripTrailingNul?: boolean;
}

export function decodeUtf16(b: Uint8Array, opts: Utf16Options = {}): string {
  if ((b.length & 1) !== 0) throw new MalformedPacket(`UTF-16LE string of odd length ${b.length}`);
  let end = b.length;
  if (opts.stripTrailingNul) {
    while (end >= 2 && b[end - 2] === 0 && b[end - 1] === 0) end -= 2;
  }
  const buf = Buffer.isBuffer(b) ? b : Buffer.from(b.buffer, b.byteOffset, b.length);
  const s = buf.toString('utf16le', 0, end);
  if (!opts.allowLoneSurrogates && !isWellFormed(s)) {
    throw new MalformedPacket('UTF-16LE string has an unpaired surrogate');
  }
  return s;
}

export function encodeUtf16(s: string, opts: Utf16Options = {}): Buffer {
  if (!opts.allowLoneSurrogates && !isWellFormed(s)) {
    throw new RangeError('string has an unpaired surrogate');
  }
  return Buffer.from(s, 'utf16le');
}

/** Bytes `s` takes in UTF-16LE. */
export function utf16ByteLength(s: string): number {
  return s.length * 2;
}

function isWellFormed(s: string): boolean {
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0xd800 || c > 0xdfff) continue;
    if (c >= 0xdc00) return false;
    const d = s.charCodeAt(i + 1);
    if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
    i++;
  }
  return true;
}
