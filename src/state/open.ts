/**
 * Open (MS-SMB2 3.3.1.10): what a CREATE made, found again by FileId. It holds the descriptor the identity
 * layer handed out (regular files and directories alike; O_PATH when the access asked for needs no data),
 * the access granted and the sharing it allows, and points at the FileEntry every open of the same file
 * shares (share modes, delete pending, byte-range locks). Directory opens carry the enumeration state
 * QUERY_DIRECTORY pages through.
 */
import type {ShareFs} from '../vfs/share-fs.js';
import type {VfsStat} from '../vfs/types.js';
import type {NamePattern} from '../vfs/wildcard.js';
import type {FileEntry} from './file-table.js';
import type {Tree} from './tree.js';

/** A directory listing in progress: the entries captured at the first query (or restart) and a cursor. */
export interface DirEnumeration {
  pattern: NamePattern;
  /** `.` and `..` first, then the directory's entries in readdir order. */
  names: string[];
  /**
   * The lstat of names[i] for i >= 2 as the addon gave it: row i - 2 (src/vfs/types.ts STAT, STAT_FIELDS
   * numbers each); a negative STAT.MASK: the entry could not be stat'ed.
   */
  stats: Float64Array;
  next: number;
  /** At least one entry has been returned since the listing (re)started. */
  returnedAny: boolean;
  /** The stats of `.` and `..` (the directory and its parent; the root's parent is the root). */
  dots: [VfsStat, VfsStat];
}

/** An open of a named data stream (src/vfs/streams.ts): the descriptor is the base object's. */
export interface OpenStream {
  /** The stream name as stored. */
  name: string;
  /** The xattr holding it. */
  xattr: string;
}

export interface NewOpen {
  fs: ShareFs;
  rel: string;
  isDirectory: boolean;
  grantedAccess: number;
  shareAccess: number;
  createOptions: number;
  fd: number;
  stat: VfsStat;
  entry: FileEntry;
  stream?: OpenStream;
}

export class Open {
  alive = true;
  /** FilePositionInformation.CurrentByteOffset (READ/WRITE carry their own offsets). */
  position = 0n;
  enumeration: DirEnumeration | undefined;
  /** FILE_DELETE_ON_CLOSE (create option or FileDispositionInformation on this handle's behalf). */
  deleteOnClose = false;
  /** FileBasicInformation -1: times this handle keeps from changing through its own writes. */
  frozenWriteTime: {sec: number; nsec: number} | undefined;
  /** FileModeInformation bits set by SET_INFO (FILE_WRITE_THROUGH, FILE_SEQUENTIAL_ONLY ...). */
  mode: number;
  readonly fs: ShareFs;
  /** Path of the object beneath the share root as it is on disk ('' for the root); follows renames. */
  rel: string;
  readonly isDirectory: boolean;
  readonly grantedAccess: number;
  readonly shareAccess: number;
  readonly createOptions: number;
  /** The descriptor (plain fd, possibly O_PATH); -1 once closed. */
  fd: number;
  lastStat: VfsStat;
  readonly entry: FileEntry;
  /** Set for an open of a named stream: `fd` is then the base file's (or directory's) descriptor. */
  readonly stream: OpenStream | undefined;

  constructor(
    /** FileId.Volatile (and Persistent: no durable handles yet), generation-tagged. */
    readonly id: number,
    readonly tree: Tree,
    o: NewOpen,
  ) {
    this.fs = o.fs;
    this.rel = o.rel;
    this.isDirectory = o.isDirectory;
    this.grantedAccess = o.grantedAccess;
    this.shareAccess = o.shareAccess;
    this.createOptions = o.createOptions;
    this.mode = o.createOptions & 0x0000003e; // WRITE_THROUGH, SEQUENTIAL_ONLY, NO_INTERMEDIATE_BUFFERING, SYNCHRONOUS_IO_*
    this.fd = o.fd;
    this.lastStat = o.stat;
    this.entry = o.entry;
    this.stream = o.stream;
  }

  /** Last component ('' for the share root). */
  get name(): string {
    return this.rel.slice(this.rel.lastIndexOf('/') + 1);
  }

  /** The path as FileNameInformation shows it: `\dir\file`. */
  get displayName(): string {
    return '\\' + this.rel.replace(/\//g, '\\') + (this.stream ? `:${this.stream.name}` : '');
  }
}
