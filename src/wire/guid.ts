/**
 * GUID (MS-DTYP 2.3.4): 16 bytes on the wire as Data1 (u32 LE), Data2 (u16 LE), Data3 (u16 LE), Data4 (8 bytes),
 * shown as xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx with the first three groups in their numeric (big-endian) form.
 */
import {MalformedPacket} from './errors.js';

export const GUID_SIZE = 16;
export const ZERO_GUID: Buffer = Buffer.alloc(GUID_SIZE);

/** Format 16 wire bytes as the canonical string (lowercase). */
export function formatGuid(b: Uint8Array): string {
  if (b.length !== GUID_SIZE) throw new MalformedPacket(`GUID must be 16 bytes, got ${b.length}`);
  const h = (i: number) => b[i]!.toString(16).padStart(2, '0');
  return (
    h(3) + h(2) + h(1) + h(0) + '-' +
    h(5) + h(4) + '-' +
    h(7) + h(6) + '-' +
    h(8) + h(9) + '-' +
    h(10) + h(11) + h(12) + h(13) + h(14) + h(15)
  );
}

const GUID_RE = /^\{?([0-9a-f]{8})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{4})-([0-9a-f]{12})\}?$/i;

/** Parse the canonical string (braces optional) into 16 wire bytes. */
export function parseGuid(s: string): Buffer {
  const m = GUID_RE.exec(s);
  if (!m) throw new RangeError(`not a GUID: ${JSON.stringify(s)}`);
  const out = Buffer.alloc(GUID_SIZE);
  out.writeUInt32LE(parseInt(m[1]!, 16), 0);
  out.writeUInt16LE(parseInt(m[2]!, 16), 4);
  out.writeUInt16LE(parseInt(m[3]!, 16), 6);
  Buffer.from(m[4]! + m[5]!, 'hex').copy(out, 8);
  return out;
}

export function isZeroGuid(b: Uint8Array): boolean {
  for (let i = 0; i < b.length; i++) if (b[i] !== 0) return false;
  return true;
}
