/**
 * Directory entries for QUERY_DIRECTORY (MS-FSCC 2.4): FileDirectoryInformation (2.4.10),
 * FileFullDirectoryInformation (2.4.14), FileBothDirectoryInformation (2.4.8), FileIdBothDirectoryInformation
 * (2.4.17), FileIdFullDirectoryInformation (2.4.18), FileIdExtdDirectoryInformation (2.4.19) and
 * FileNamesInformation (2.4.28). Entries are chained by
 * NextEntryOffset, each 8-byte aligned ("the offset ... MUST be 8-byte aligned"), the last one's is 0.
 *
 * A listing writes thousands of entries per request: putDirEntry writes one straight into the response buffer
 * from a stat row (src/vfs/types.ts STAT, the addon's numbers), with FILETIMEs and 64-bit fields computed in
 * exact double arithmetic, no object, string or bigint per entry (a bigint only for values no file system
 * gives: times past the year 36,000, sizes of 2^64 and more).
 */
import {FileInfoClass} from '../constants.js';
import {STAT, STAT_FIELDS, STATX_BTIME, type VfsStat} from '../../vfs/types.js';
import {filetimeFromUnixNs} from '../../wire/filetime.js';

/** Fixed part of each supported class (the name follows it). */
const FIXED: Record<number, number> = {
  [FileInfoClass.FileDirectoryInformation]: 64,
  [FileInfoClass.FileFullDirectoryInformation]: 68,
  [FileInfoClass.FileBothDirectoryInformation]: 94,
  [FileInfoClass.FileIdBothDirectoryInformation]: 104,
  [FileInfoClass.FileIdFullDirectoryInformation]: 80,
  [FileInfoClass.FileNamesInformation]: 12,
  [FileInfoClass.FileIdExtdDirectoryInformation]: 88,
};

export function isDirectoryInfoClass(cls: number): boolean {
  return FIXED[cls] !== undefined;
}

/** Bytes of an entry of `cls` before its name. */
export function dirEntryFixedSize(cls: number): number {
  return FIXED[cls]!;
}

/** Bytes one entry takes (without trailing alignment). */
export function dirEntrySize(cls: number, name: string): number {
  return FIXED[cls]! + name.length * 2;
}

const TWO16 = 65536;
const TWO32 = 4294967296;
const TWO40 = 1099511627776;
const TWO64 = 18446744073709551616;
/** Seconds from 1601-01-01 to 1970-01-01. */
const EPOCH_SEC = 11_644_473_600;
/** FILETIME of 1970-01-01 (116444736000000000) as two u32 halves. */
const EPOCH_HI = 0x019db1de;
const EPOCH_LO = 0xd53e8000;

function put32(b: Uint8Array, at: number, v: number): void {
  b[at] = v;
  b[at + 1] = v >>> 8;
  b[at + 2] = v >>> 16;
  b[at + 3] = v >>> 24;
}

/** A u64 from a non-negative integer number (every one below 2^64 is exact). */
function putU64(b: Buffer, at: number, v: number): void {
  if (v < TWO64) {
    const lo = v % TWO32;
    put32(b, at, lo);
    put32(b, at + 4, (v - lo) / TWO32);
  } else {
    b.writeBigUInt64LE(BigInt.asUintN(64, BigInt(v)), at);
  }
}

/**
 * The FILETIME of a Unix time (sec, nsec with 0 <= nsec < 10^9), as filetimeFromUnixNs gives it: 100 ns ticks
 * rounded down (towards the earlier tick before 1970), 0 before 1601. (s + EPOCH) * 10^7 + nsec / 100 is
 * computed from 16-bit pieces of the seconds so that every intermediate stays an exact integer below 2^53.
 */
export function putFiletime(b: Buffer, at: number, sec: number, nsec: number): void {
  const s = sec + EPOCH_SEC;
  if (s < 0) {
    put32(b, at, 0);
    put32(b, at + 4, 0);
    return;
  }
  if (s >= TWO40 || !Number.isInteger(s)) {
    b.writeBigUInt64LE(BigInt.asUintN(64, filetimeFromUnixNs(BigInt(sec) * 1_000_000_000n + BigInt(nsec))), at);
    return;
  }
  const l = s % TWO16;
  const h = (s - l) / TWO16; // < 2^24
  const hTicks = h * 10_000_000; // < 2^48
  const lTicks = l * 10_000_000 + Math.floor(nsec / 100); // < 2^40
  // ticks = hTicks * 2^16 + lTicks = hi * 2^32 + lo
  const hl = hTicks % TWO16;
  const m = hl * TWO16 + lTicks; // < 2^41
  const lo = m % TWO32;
  put32(b, at, lo);
  put32(b, at + 4, (hTicks - hl) / TWO16 + (m - lo) / TWO32);
}

/**
 * CreationTime: the stored creation time when there is one after 1970 (createHi -1: none stored), else the
 * birth time when the file system has one after 1970, else the older of mtime and ctime (what fileTimes and
 * metaFromBlob make of a stat).
 */
function putCreation(b: Buffer, at: number, st: Float64Array, o: number, createHi: number, createLo: number): void {
  if (createHi >= 0) {
    if (createHi > EPOCH_HI || (createHi === EPOCH_HI && createLo > EPOCH_LO)) {
      put32(b, at, createLo);
      put32(b, at + 4, createHi);
      return;
    }
  } else if ((st[o + STAT.MASK]! & STATX_BTIME) !== 0) {
    const bs = st[o + STAT.BTIME_SEC]!;
    const bn = st[o + STAT.BTIME_NSEC]!;
    if (bs > 0 || (bs === 0 && bn > 0)) {
      putFiletime(b, at, bs, bn);
      return;
    }
  }
  const ms = st[o + STAT.MTIME_SEC]!;
  const mn = st[o + STAT.MTIME_NSEC]!;
  const cs = st[o + STAT.CTIME_SEC]!;
  const cn = st[o + STAT.CTIME_NSEC]!;
  if (ms < cs || (ms === cs && mn < cn)) putFiletime(b, at, ms, mn);
  else putFiletime(b, at, cs, cn);
}

/** The name in UTF-16LE (code units as they are, as Buffer's utf16le encoding writes them). */
function putName(b: Buffer, at: number, name: string): void {
  const n = name.length;
  if (n > 32) {
    b.write(name, at, 'utf16le');
    return;
  }
  for (let i = 0; i < n; i++) {
    const c = name.charCodeAt(i);
    b[at + 2 * i] = c;
    b[at + 2 * i + 1] = c >>> 8;
  }
}

function zero(b: Uint8Array, from: number, to: number): void {
  for (let i = from; i < to; i++) b[i] = 0;
}

/**
 * Write one entry of `cls` at `at` (room for dirEntrySize bytes must be there) for the stat row at
 * st[o .. o + STAT_FIELDS): NextEntryOffset 0 (the caller chains entries), the attribute word as given, the
 * creation time stored in user.DOSATTRIB as two u32 halves (createHi -1: none). Returns where the entry ends.
 */
export function putDirEntry(b: Buffer, at: number, cls: number, name: string, st: Float64Array, o: number,
  attributes: number, createHi: number, createLo: number): number {
  const nameBytes = name.length * 2;
  put32(b, at, 0); // NextEntryOffset
  put32(b, at + 4, 0); // FileIndex: "MUST be ignored" by clients on file systems without ordered indexes
  if (cls === FileInfoClass.FileNamesInformation) {
    put32(b, at + 8, nameBytes);
    putName(b, at + 12, name);
    return at + 12 + nameBytes;
  }
  putCreation(b, at + 8, st, o, createHi, createLo);
  putFiletime(b, at + 16, st[o + STAT.ATIME_SEC]!, st[o + STAT.ATIME_NSEC]!);
  putFiletime(b, at + 24, st[o + STAT.MTIME_SEC]!, st[o + STAT.MTIME_NSEC]!);
  putFiletime(b, at + 32, st[o + STAT.CTIME_SEC]!, st[o + STAT.CTIME_NSEC]!);
  // EndOfFile and AllocationSize (512-byte blocks); directories report 0 for both, as Windows does.
  const dir = (st[o + STAT.MODE]! & 0o170000) === 0o040000;
  putU64(b, at + 40, dir ? 0 : st[o + STAT.SIZE]!);
  putU64(b, at + 48, dir ? 0 : st[o + STAT.BLOCKS]! * 512);
  put32(b, at + 56, attributes);
  put32(b, at + 60, nameBytes);
  let p = at + 64;
  switch (cls) {
    case FileInfoClass.FileDirectoryInformation:
      break;
    case FileInfoClass.FileFullDirectoryInformation:
      put32(b, p, 0); // EaSize
      p += 4;
      break;
    case FileInfoClass.FileIdFullDirectoryInformation:
      zero(b, p, p + 8); // EaSize, Reserved
      put32(b, p + 8, st[o + STAT.INO_LO]!); // FileId: the inode number
      put32(b, p + 12, st[o + STAT.INO_HI]!);
      p += 16;
      break;
    case FileInfoClass.FileBothDirectoryInformation:
      zero(b, p, p + 30); // EaSize, ShortNameLength, Reserved1, ShortName (no 8.3 names)
      p += 30;
      break;
    case FileInfoClass.FileIdBothDirectoryInformation:
      zero(b, p, p + 32); // ..., Reserved2
      put32(b, p + 32, st[o + STAT.INO_LO]!);
      put32(b, p + 36, st[o + STAT.INO_HI]!);
      p += 40;
      break;
    case FileInfoClass.FileIdExtdDirectoryInformation:
      // 2.4.19: EaSize, ReparsePointTag, a 128-bit FileId (the inode number, zero-extended).
      zero(b, p, p + 8);
      put32(b, p + 8, st[o + STAT.INO_LO]!);
      put32(b, p + 12, st[o + STAT.INO_HI]!);
      zero(b, p + 16, p + 24);
      p += 24;
      break;
  }
  putName(b, p, name);
  return p + nameBytes;
}

/**
 * The stat row of a VfsStat (for entries that were looked at one by one: `.`, `..`, followed symlinks), so
 * that putDirEntry writes what it would have written from the addon's row; the birth time is the stat's
 * (a stored creation time already in birthtimeNs, as fileMeta leaves it), present when above 0.
 */
export function statRow(st: VfsStat, row: Float64Array = new Float64Array(STAT_FIELDS), o = 0): Float64Array {
  const secNsec = (ns: bigint, at: number) => {
    let sec = ns / 1_000_000_000n;
    let nsec = ns % 1_000_000_000n;
    if (nsec < 0n) {
      nsec += 1_000_000_000n;
      sec -= 1n;
    }
    row[o + at] = Number(sec);
    row[o + at + 1] = Number(nsec);
  };
  row.fill(0, o, o + STAT_FIELDS);
  row[o + STAT.DEV] = Number(st.dev);
  const ino = BigInt.asUintN(64, st.ino);
  row[o + STAT.INO_HI] = Number(ino >> 32n);
  row[o + STAT.INO_LO] = Number(ino & 0xffffffffn);
  // The file type as isDirectory says (what the sizes depend on).
  let mode = st.mode;
  if (st.isDirectory !== ((mode & 0o170000) === 0o040000)) mode = (mode & ~0o170000) | (st.isDirectory ? 0o040000 : 0o100000);
  row[o + STAT.MODE] = mode;
  row[o + STAT.NLINK] = st.nlink;
  row[o + STAT.UID] = st.uid;
  row[o + STAT.GID] = st.gid;
  row[o + STAT.SIZE] = Number(st.size);
  row[o + STAT.BLOCKS] = Number(st.blocks);
  row[o + STAT.BLKSIZE] = st.blksize;
  secNsec(st.atimeNs, STAT.ATIME_SEC);
  secNsec(st.mtimeNs, STAT.MTIME_SEC);
  secNsec(st.ctimeNs, STAT.CTIME_SEC);
  if (st.birthtimeNs > 0n) {
    secNsec(st.birthtimeNs, STAT.BTIME_SEC);
    row[o + STAT.MASK] = STATX_BTIME;
  }
  return row;
}
