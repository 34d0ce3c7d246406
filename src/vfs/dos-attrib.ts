/**
 * The `user.DOSATTRIB` extended attribute as Samba and ksmbd keep it, so that DOS attributes and the
 * creation time survive a move of the share between Samba, ksmbd and us.
 *
 * Layout (Samba's librpc/idl/xattr.idl `xattr_DOSATTRIB`, NDR little-endian; facts only, our own code):
 *   attrib_hex   NUL-terminated ASCII ("0x20" in old writers, "" since version 4), then align 2
 *   version      u16
 *   level        u16 (the union discriminant, equal to version), then align 4
 *   info         version 1: attrib u32, ea_size u32, size u64, alloc_size u64, create_time u64, change_time u64
 *                version 2: flags u32, attrib u32, ea_size u32, size u64, alloc_size u64, create_time u64, ...
 *                version 3: valid_flags u32, attrib u32, ea_size u32, size u64, alloc_size u64, create_time u64, change_time u64
 *                version 4: valid_flags u32, attrib u32, itime u64, create_time u64
 *                version 5: valid_flags u32, attrib u32, create_time u64
 * 64-bit fields (udlong, NTTIME) are aligned to 4 only, so they follow each other without padding.
 * Times are FILETIME. A blob with only the hex string (very old Samba) carries the attributes alone.
 * We write version 4 (what ksmbd writes; Samba 4.17 reads it).
 */

export const DOSATTRIB_XATTR = 'user.DOSATTRIB';

const VALID_ATTRIB = 0x01;
const VALID_CREATE_TIME = 0x10;
const VALID_ITIME = 0x40;

export interface DosInfo {
  /** FILE_ATTRIBUTE_* bits; undefined when the blob does not carry them. */
  attributes: number | undefined;
  /** FILETIME; undefined when the blob does not carry one. */
  createTime: bigint | undefined;
}

function u32(b: Buffer, at: number): number | undefined {
  return at + 4 <= b.length ? b.readUInt32LE(at) : undefined;
}

function u64(b: Buffer, at: number): bigint | undefined {
  return at + 8 <= b.length ? b.readBigUInt64LE(at) : undefined;
}

/** Parse a blob; undefined when it is not one we understand (the caller falls back to the mode). */
export function decodeDosAttrib(b: Buffer): DosInfo | undefined {
  const nul = b.indexOf(0);
  if (nul < 0) return undefined;
  const hex = b.toString('latin1', 0, nul);
  const fromHex = /^0x[0-9a-fA-F]{1,8}$/.test(hex) ? parseInt(hex.slice(2), 16) : undefined;
  let at = (nul + 2) & ~1;
  if (at + 4 > b.length) return fromHex === undefined ? undefined : {attributes: fromHex, createTime: undefined};
  const version = b.readUInt16LE(at);
  const level = b.readUInt16LE(at + 2);
  if (level !== version) return undefined;
  at = (at + 4 + 3) & ~3;
  let valid: number | undefined;
  let attributes: number | undefined;
  let createTime: bigint | undefined;
  switch (version) {
    case 1:
      attributes = u32(b, at);
      createTime = u64(b, at + 24);
      break;
    case 2:
      attributes = u32(b, at + 4);
      createTime = u64(b, at + 28);
      break;
    case 3:
      valid = u32(b, at);
      attributes = u32(b, at + 4);
      createTime = u64(b, at + 28);
      break;
    case 4:
      valid = u32(b, at);
      attributes = u32(b, at + 4);
      createTime = u64(b, at + 16);
      break;
    case 5:
      valid = u32(b, at);
      attributes = u32(b, at + 4);
      createTime = u64(b, at + 8);
      break;
    default:
      return fromHex === undefined ? undefined : {attributes: fromHex, createTime: undefined};
  }
  if (valid !== undefined) {
    if (!(valid & VALID_ATTRIB)) attributes = undefined;
    if (!(valid & VALID_CREATE_TIME)) createTime = undefined;
  }
  if (createTime === 0n) createTime = undefined;
  return {attributes: attributes ?? fromHex, createTime};
}

/** What decodeDosAttribAt found, in numbers: -1 for what decodeDosAttrib leaves undefined. */
export interface DosInfoNumbers {
  /** FILE_ATTRIBUTE_* bits (0 to 2^32 - 1), or -1. */
  attributes: number;
  /** The creation time FILETIME as two u32 halves; createHi -1: none. */
  createHi: number;
  createLo: number;
}

const le16 = (b: Uint8Array, i: number) => b[i]! | (b[i + 1]! << 8);

/** The u32 at blob offset `at` (the blob is b[start, start + len)), or -1 past its end. */
function at32(b: Uint8Array, start: number, len: number, at: number): number {
  if (at + 4 > len) return -1;
  const i = start + at;
  return (b[i]! | (b[i + 1]! << 8) | (b[i + 2]! << 16)) + b[i + 3]! * 0x1000000;
}

function hexDigit(c: number): number {
  if (c >= 0x30 && c <= 0x39) return c - 0x30;
  if (c >= 0x61 && c <= 0x66) return c - 0x57;
  if (c >= 0x41 && c <= 0x46) return c - 0x37;
  return -1;
}

/**
 * decodeDosAttrib of the blob b[start, end), without making a Buffer, a string or a bigint (a listing
 * decodes one per entry): false where decodeDosAttrib gives undefined, else true with `out` filled in.
 */
export function decodeDosAttribAt(b: Uint8Array, start: number, end: number, out: DosInfoNumbers): boolean {
  const len = end - start;
  let nul = -1;
  for (let i = start; i < end; i++) {
    if (b[i] === 0) {
      nul = i - start;
      break;
    }
  }
  if (nul < 0) return false;
  // attrib_hex: "0x" and 1 to 8 hex digits, or not a number at all.
  let fromHex = -1;
  if (nul >= 3 && nul <= 10 && b[start] === 0x30 && b[start + 1] === 0x78) {
    let v = 0;
    for (let i = start + 2; i < start + nul; i++) {
      const d = hexDigit(b[i]!);
      if (d < 0) {
        v = -1;
        break;
      }
      v = v * 16 + d;
    }
    fromHex = v;
  }
  out.createHi = -1;
  out.createLo = 0;
  let at = (nul + 2) & ~1;
  if (at + 4 > len) {
    if (fromHex < 0) return false;
    out.attributes = fromHex;
    return true;
  }
  const version = le16(b, start + at);
  if (le16(b, start + at + 2) !== version) return false;
  at = (at + 4 + 3) & ~3;
  let valid = -1;
  let attributes = -1;
  let ct = -1; // offset of the creation time, -1: none
  switch (version) {
    case 1:
      attributes = at32(b, start, len, at);
      ct = at + 24;
      break;
    case 2:
      attributes = at32(b, start, len, at + 4);
      ct = at + 28;
      break;
    case 3:
      valid = at32(b, start, len, at);
      attributes = at32(b, start, len, at + 4);
      ct = at + 28;
      break;
    case 4:
      valid = at32(b, start, len, at);
      attributes = at32(b, start, len, at + 4);
      ct = at + 16;
      break;
    case 5:
      valid = at32(b, start, len, at);
      attributes = at32(b, start, len, at + 4);
      ct = at + 8;
      break;
    default:
      if (fromHex < 0) return false;
      out.attributes = fromHex;
      return true;
  }
  if (ct + 8 > len) ct = -1;
  if (valid >= 0) {
    if (!(valid & VALID_ATTRIB)) attributes = -1;
    if (!(valid & VALID_CREATE_TIME)) ct = -1;
  }
  if (ct >= 0) {
    const lo = at32(b, start, len, ct);
    const hi = at32(b, start, len, ct + 4);
    if (lo !== 0 || hi !== 0) {
      out.createHi = hi;
      out.createLo = lo;
    }
  }
  out.attributes = attributes >= 0 ? attributes : fromHex;
  return true;
}

/** A version 4 blob (32 bytes) with the attributes and, when known, the creation time. */
export function encodeDosAttrib(attributes: number, createTime: bigint | undefined): Buffer {
  const b = Buffer.alloc(32);
  // [0] '' NUL, [1] pad, [2] version, [4] level, [6] pad
  b.writeUInt16LE(4, 2);
  b.writeUInt16LE(4, 4);
  const valid = VALID_ATTRIB | (createTime !== undefined ? VALID_CREATE_TIME | VALID_ITIME : 0);
  b.writeUInt32LE(valid, 8);
  b.writeUInt32LE(attributes >>> 0, 12);
  if (createTime !== undefined) {
    b.writeBigUInt64LE(createTime, 16); // itime: when the file came into being, kept as the create time
    b.writeBigUInt64LE(createTime, 24);
  }
  return b;
}
