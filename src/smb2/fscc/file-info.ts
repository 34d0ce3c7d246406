/**
 * File information classes for QUERY_INFO (MS-FSCC 2.4). Each writer appends the structure to `w`; the
 * handler compares the result with OutputBufferLength (fixed-size classes: STATUS_INFO_LENGTH_MISMATCH when
 * the buffer is too small; variable ones: truncated with STATUS_BUFFER_OVERFLOW, MS-SMB2 3.3.5.20.1).
 */
import {FileInfoClass} from '../constants.js';
import type {VfsStat} from '../../vfs/types.js';
import type {Writer} from '../../wire/writer.js';
import {allocationSize, endOfFile, fileIndexNumber, fileTimes} from './attrs.js';

/** What the writers need about an open besides its stat. */
export interface OpenFacts {
  stat: VfsStat;
  attributes: number;
  grantedAccess: number;
  position: bigint;
  /** FileModeInformation (2.4.26): the FILE_SYNCHRONOUS_IO_* / WRITE_THROUGH / ... create options kept. */
  mode: number;
  /** Path as FileNameInformation shows it (`\dir\file`). */
  displayName: string;
  /** Last component ('' for the share root). */
  name: string;
  deletePending: boolean;
  /** VolumeSerialNumber for FileIdInformation. */
  volumeSerial: number;
  /** FileStreamInformation: the named streams besides `::$DATA` (names without the `:` and `:$DATA`). */
  streams?: readonly {name: string; size: bigint}[];
  /** FileStreamInformation: the size of the unnamed stream when `stat` is a named stream's. */
  baseStat?: VfsStat;
}

/** Size of the fixed part (the minimum OutputBufferLength) per class; variable classes add a name or list. */
export const FILE_INFO_MIN: Record<number, number> = {
  [FileInfoClass.FileBasicInformation]: 40,
  [FileInfoClass.FileStandardInformation]: 24,
  [FileInfoClass.FileInternalInformation]: 8,
  [FileInfoClass.FileEaInformation]: 4,
  [FileInfoClass.FileAccessInformation]: 4,
  [FileInfoClass.FilePositionInformation]: 8,
  [FileInfoClass.FileModeInformation]: 4,
  [FileInfoClass.FileAlignmentInformation]: 4,
  [FileInfoClass.FileAllInformation]: 100,
  [FileInfoClass.FileNetworkOpenInformation]: 56,
  [FileInfoClass.FileAttributeTagInformation]: 8,
  [FileInfoClass.FileStreamInformation]: 0,
  [FileInfoClass.FileNameInformation]: 4,
  [FileInfoClass.FileAlternateNameInformation]: 4,
  [FileInfoClass.FileFullEaInformation]: 4,
  [FileInfoClass.FileCompressionInformation]: 16,
  [FileInfoClass.FileIdInformation]: 24,
  [FileInfoClass.FileNormalizedNameInformation]: 4,
};

/** Classes whose data may be cut short with STATUS_BUFFER_OVERFLOW. */
export const FILE_INFO_VARIABLE = new Set<number>([
  FileInfoClass.FileAllInformation,
  FileInfoClass.FileStreamInformation,
  FileInfoClass.FileNameInformation,
  FileInfoClass.FileAlternateNameInformation,
  FileInfoClass.FileNormalizedNameInformation,
]);

function basic(w: Writer, f: OpenFacts): void {
  const t = fileTimes(f.stat);
  w.u64(t.creation).u64(t.lastAccess).u64(t.lastWrite).u64(t.change).u32(f.attributes).u32(0);
}

function standard(w: Writer, f: OpenFacts): void {
  w.u64(allocationSize(f.stat)).u64(endOfFile(f.stat)).u32(f.stat.nlink);
  w.u8(f.deletePending ? 1 : 0).u8(f.stat.isDirectory ? 1 : 0).u16(0);
}

/**
 * 2.4.44 FILE_STREAM_INFORMATION: directories have no unnamed data stream; files list `::$DATA` first,
 * then each named stream as `:name:$DATA`. Entries start on 8-byte boundaries, the last one's
 * NextEntryOffset is 0.
 */
function streamList(w: Writer, f: OpenFacts): void {
  const base = f.baseStat ?? f.stat;
  const entries: {name: string; size: bigint; alloc: bigint}[] = [];
  if (!base.isDirectory) entries.push({name: '::$DATA', size: endOfFile(base), alloc: allocationSize(base)});
  for (const s of f.streams ?? []) entries.push({name: `:${s.name}:$DATA`, size: s.size, alloc: (s.size + 4095n) & ~4095n});
  entries.forEach((e, i) => {
    const n = Buffer.from(e.name, 'utf16le');
    const len = 24 + n.length;
    const next = i === entries.length - 1 ? 0 : (len + 7) & ~7;
    w.u32(next).u32(n.length).u64(e.size).u64(e.alloc).bytes(n);
    if (next) w.zeros(next - len);
  });
}

function name(w: Writer, f: OpenFacts): void {
  const b = Buffer.from(f.displayName, 'utf16le');
  w.u32(b.length).bytes(b);
}

/** Writes the class; returns false for a class this server does not answer. */
export function writeFileInfo(w: Writer, cls: number, f: OpenFacts): boolean {
  switch (cls) {
    case FileInfoClass.FileBasicInformation:
      basic(w, f);
      return true;
    case FileInfoClass.FileStandardInformation:
      standard(w, f);
      return true;
    case FileInfoClass.FileInternalInformation:
      w.u64(fileIndexNumber(f.stat));
      return true;
    case FileInfoClass.FileEaInformation:
      w.u32(0); // no extended attributes are exposed yet
      return true;
    case FileInfoClass.FileAccessInformation:
      w.u32(f.grantedAccess);
      return true;
    case FileInfoClass.FilePositionInformation:
      w.u64(f.position);
      return true;
    case FileInfoClass.FileModeInformation:
      w.u32(f.mode);
      return true;
    case FileInfoClass.FileAlignmentInformation:
      w.u32(0); // FILE_BYTE_ALIGNMENT
      return true;
    case FileInfoClass.FileNameInformation:
      name(w, f);
      return true;
    case FileInfoClass.FileNormalizedNameInformation: {
      // 2.4.30: the path without the leading backslash ('' for the root).
      const b = Buffer.from(f.displayName.slice(1), 'utf16le');
      w.u32(b.length).bytes(b);
      return true;
    }
    case FileInfoClass.FileCompressionInformation:
      // 2.4.9: not compressed (COMPRESSION_FORMAT_NONE); CompressedFileSize is the size.
      w.u64(endOfFile(f.stat)).u16(0).u8(0).u8(0).u8(0).zeros(3);
      return true;
    case FileInfoClass.FileIdInformation:
      // 2.4.20: VolumeSerialNumber, then the 128-bit FileId (the inode number, zero-extended).
      w.u64(BigInt(f.volumeSerial >>> 0)).u64(fileIndexNumber(f.stat)).u64(0n);
      return true;
    case FileInfoClass.FileAlternateNameInformation: {
      // 2.4.5: no 8.3 names are generated, so the short name is the name itself (as Samba answers for a
      // name that needs no mangling).
      const b = Buffer.from(f.name, 'utf16le');
      w.u32(b.length).bytes(b);
      return true;
    }
    case FileInfoClass.FileAllInformation:
      // 2.4.2: Basic, Standard, Internal, EA, Access, Position, Mode, Alignment, Name.
      basic(w, f);
      standard(w, f);
      w.u64(fileIndexNumber(f.stat)).u32(0).u32(f.grantedAccess).u64(f.position).u32(f.mode).u32(0);
      name(w, f);
      return true;
    case FileInfoClass.FileNetworkOpenInformation: {
      const t = fileTimes(f.stat);
      w.u64(t.creation).u64(t.lastAccess).u64(t.lastWrite).u64(t.change);
      w.u64(allocationSize(f.stat)).u64(endOfFile(f.stat)).u32(f.attributes).u32(0);
      return true;
    }
    case FileInfoClass.FileAttributeTagInformation:
      w.u32(f.attributes).u32(0); // ReparseTag: no reparse points
      return true;
    case FileInfoClass.FileStreamInformation:
      streamList(w, f);
      return true;
    default:
      return false;
  }
}
