/**
 * Open (MS-SMB2 3.3.1.10): what a CREATE made, found again by FileId. Directory opens carry the
 * enumeration state QUERY_DIRECTORY pages through.
 */
import type {VfsFile, VfsStat} from '../vfs/types.js';
import type {NamePattern} from '../vfs/wildcard.js';
import type {Tree} from './tree.js';

/** A directory listing in progress: the names captured at the first query (or restart) and a cursor. */
export interface DirEnumeration {
  pattern: NamePattern;
  /** `.` and `..` first, then the directory's names in readdir order. */
  names: string[];
  next: number;
  /** At least one entry has been returned since the listing (re)started. */
  returnedAny: boolean;
}

export class Open {
  alive = true;
  /** FilePositionInformation.CurrentByteOffset (kept for QUERY_INFO; READ/WRITE carry their own offsets). */
  position = 0n;
  enumeration: DirEnumeration | undefined;
  /** FILE_DELETE_ON_CLOSE was asked for: the object goes when the last handle closes. */
  deleteOnClose = false;

  constructor(
    /** FileId.Volatile (and Persistent: no durable handles yet), generation-tagged. */
    readonly id: number,
    readonly tree: Tree,
    /** Host path of the object. */
    readonly path: string,
    /** Components relative to the share root ([] for the root). */
    readonly components: string[],
    readonly isDirectory: boolean,
    /** Access granted (GENERIC_* mapped, MAXIMUM_ALLOWED resolved). */
    readonly grantedAccess: number,
    /** CreateOptions that FileModeInformation reports. */
    readonly createOptions: number,
    /** Regular files keep a descriptor; directories are used by path. */
    readonly file: VfsFile | undefined,
    /** Attributes at open time (kept for the enumeration of `.`). */
    public lastStat: VfsStat,
  ) {}
}
