/**
 * Directory entries for QUERY_DIRECTORY (MS-FSCC 2.4): FileDirectoryInformation (2.4.10),
 * FileFullDirectoryInformation (2.4.14), FileBothDirectoryInformation (2.4.8), FileIdBothDirectoryInformation
 * (2.4.17), FileIdFullDirectoryInformation (2.4.18), FileIdExtdDirectoryInformation (2.4.19) and
 * FileNamesInformation (2.4.28). Entries are chained by
 * NextEntryOffset, each 8-byte aligned ("the offset ... MUST be 8-byte aligned"), the last one's is 0.
 */
import {FileInfoClass} from '../constants.js';
import type {VfsStat} from '../../vfs/types.js';
import type {Writer} from '../../wire/writer.js';
import {allocationSize, endOfFile, fileIndexNumber, fileTimes} from './attrs.js';

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

export interface DirEntryInfo {
  name: string;
  stat: VfsStat;
  attributes: number;
}

/** Bytes one entry takes (without trailing alignment). */
export function dirEntrySize(cls: number, name: string): number {
  return FIXED[cls]! + name.length * 2;
}

/** Write one entry at the writer's position; NextEntryOffset is written 0 and patched by the caller. */
export function writeDirEntry(w: Writer, cls: number, e: DirEntryInfo): void {
  const nameBytes = Buffer.from(e.name, 'utf16le');
  w.u32(0); // NextEntryOffset
  w.u32(0); // FileIndex: "MUST be ignored" by clients on file systems without ordered indexes
  if (cls === FileInfoClass.FileNamesInformation) {
    w.u32(nameBytes.length).bytes(nameBytes);
    return;
  }
  const t = fileTimes(e.stat);
  w.u64(t.creation).u64(t.lastAccess).u64(t.lastWrite).u64(t.change);
  w.u64(endOfFile(e.stat)).u64(allocationSize(e.stat));
  w.u32(e.attributes).u32(nameBytes.length);
  switch (cls) {
    case FileInfoClass.FileDirectoryInformation:
      break;
    case FileInfoClass.FileFullDirectoryInformation:
      w.u32(0); // EaSize
      break;
    case FileInfoClass.FileIdFullDirectoryInformation:
      w.u32(0).u32(0).u64(fileIndexNumber(e.stat)); // EaSize, Reserved, FileId
      break;
    case FileInfoClass.FileBothDirectoryInformation:
      w.u32(0).u8(0).u8(0).zeros(24); // EaSize, ShortNameLength, Reserved1, ShortName (no 8.3 names)
      break;
    case FileInfoClass.FileIdBothDirectoryInformation:
      w.u32(0).u8(0).u8(0).zeros(24).u16(0).u64(fileIndexNumber(e.stat)); // ..., Reserved2, FileId
      break;
    case FileInfoClass.FileIdExtdDirectoryInformation:
      // 2.4.19: EaSize, ReparsePointTag, a 128-bit FileId (the inode number, zero-extended).
      w.u32(0).u32(0).u64(fileIndexNumber(e.stat)).u64(0n);
      break;
  }
  w.bytes(nameBytes);
}
