/**
 * File system information classes for QUERY_INFO (MS-FSCC 2.5): volume, size, device, attribute, full size,
 * sector size, object id. Sizes come from statfs of the share root.
 */
import {FsInfoClass} from '../constants.js';
import type {VfsStatFs} from '../../vfs/types.js';
import type {Writer} from '../../wire/writer.js';

export interface VolumeFacts {
  statfs: VfsStatFs;
  /** The share name stands as the volume label. */
  label: string;
  serial: number;
  creationTime: bigint;
  /** FileSystemAttributes (2.5.1). */
  fsAttributes: number;
}

export const FS_INFO_MIN: Record<number, number> = {
  [FsInfoClass.FileFsVolumeInformation]: 18,
  [FsInfoClass.FileFsSizeInformation]: 24,
  [FsInfoClass.FileFsDeviceInformation]: 8,
  [FsInfoClass.FileFsAttributeInformation]: 12,
  [FsInfoClass.FileFsFullSizeInformation]: 32,
  [FsInfoClass.FileFsSectorSizeInformation]: 28,
  [FsInfoClass.FileFsObjectIdInformation]: 64,
};

export const FS_INFO_VARIABLE = new Set<number>([FsInfoClass.FileFsVolumeInformation, FsInfoClass.FileFsAttributeInformation]);

/** FileSystemAttributes we can honestly claim for a POSIX file system. */
export const FS_ATTRIBUTES =
  0x00000001 | // FILE_CASE_SENSITIVE_SEARCH
  0x00000002 | // FILE_CASE_PRESERVED_NAMES
  0x00000004 | // FILE_UNICODE_ON_DISK
  0x00000040; // FILE_SUPPORTS_SPARSE_FILES
const FILE_DEVICE_DISK = 0x00000007;
/** Allocation units are reported as one 4 KiB "cluster" of 8 sectors of 512 bytes, whatever the block size. */
const BYTES_PER_SECTOR = 512;

function units(sf: VfsStatFs): {total: bigint; avail: bigint; free: bigint; sectorsPerUnit: number} {
  const bsize = sf.bsize > 0 ? sf.bsize : 4096;
  const sectorsPerUnit = Math.max(1, Math.floor(bsize / BYTES_PER_SECTOR));
  return {total: BigInt(sf.blocks), avail: BigInt(sf.bavail), free: BigInt(sf.bfree), sectorsPerUnit};
}

export function writeFsInfo(w: Writer, cls: number, v: VolumeFacts): boolean {
  switch (cls) {
    case FsInfoClass.FileFsVolumeInformation: {
      const label = Buffer.from(v.label, 'utf16le');
      w.u64(v.creationTime).u32(v.serial).u32(label.length).u8(0).u8(0).bytes(label);
      return true;
    }
    case FsInfoClass.FileFsSizeInformation: {
      const u = units(v.statfs);
      w.u64(u.total).u64(u.avail).u32(u.sectorsPerUnit).u32(BYTES_PER_SECTOR);
      return true;
    }
    case FsInfoClass.FileFsFullSizeInformation: {
      const u = units(v.statfs);
      w.u64(u.total).u64(u.avail).u64(u.free).u32(u.sectorsPerUnit).u32(BYTES_PER_SECTOR);
      return true;
    }
    case FsInfoClass.FileFsDeviceInformation:
      w.u32(FILE_DEVICE_DISK).u32(0);
      return true;
    case FsInfoClass.FileFsAttributeInformation: {
      const n = Buffer.from('NTFS', 'utf16le'); // what Samba and ksmbd report; clients key features off it
      w.u32(v.fsAttributes).u32(255).u32(n.length).bytes(n);
      return true;
    }
    case FsInfoClass.FileFsSectorSizeInformation:
      // 2.5.8: logical, physical (atomicity), physical (performance), effective physical, flags, offsets.
      w.u32(BYTES_PER_SECTOR).u32(BYTES_PER_SECTOR).u32(BYTES_PER_SECTOR).u32(BYTES_PER_SECTOR);
      w.u32(0x00000003).u32(0).u32(0); // ALIGNED_DEVICE | PARTITION_ALIGNED_ON_DEVICE
      return true;
    case FsInfoClass.FileFsObjectIdInformation:
      w.zeros(64); // no object ids: a zero ObjectId and ExtendedInfo
      return true;
    default:
      return false;
  }
}
