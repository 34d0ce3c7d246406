/**
 * Per-file state shared by every open of one file (MS-FSA 2.1.1.3 Stream / 2.1.1.5 Link, reduced to what
 * we keep): the opens (for share-mode checks, MS-FSA 2.1.5.1.2), delete pending, and byte-range locks
 * (MS-FSA 2.1.5.8), oplocks (src/oplock). Files are keyed by device and inode, so two names of one file are one entry.
 */
import {FileOplocks} from '../oplock/file-oplocks.js';
import {Access, ShareAccess} from '../smb2/constants.js';
import type {ShareFs} from '../vfs/share-fs.js';
import type {Open} from './open.js';

export interface ByteLock {
  open: Open;
  offset: bigint;
  length: bigint;
  exclusive: boolean;
}

export class FileEntry {
  readonly opens = new Set<Open>();
  /** Delete pending: the name goes when the last open closes; new opens get STATUS_DELETE_PENDING. */
  deletePending = false;
  /** Where and as whom to delete (the open that made it pending). */
  deleteBy: {fs: ShareFs; rel: string; directory: boolean; stream?: string} | undefined;
  locks: ByteLock[] = [];
  /** Blocking LOCK requests waiting for a range: each is asked to retry when locks go away. */
  readonly lockWaiters = new Set<() => void>();
  /** The oplocks the opens of this file hold, and breaks in progress (src/oplock). */
  readonly oplocks = new FileOplocks<Open>();

  constructor(readonly key: string) {}

  /** Locks went away: every waiting LOCK request tries again. */
  locksReleased(): void {
    for (const w of [...this.lockWaiters]) w();
  }
}

const DATA_READ = Access.FILE_READ_DATA | Access.FILE_EXECUTE;
const DATA_WRITE = Access.FILE_WRITE_DATA | Access.FILE_APPEND_DATA;
/** Opens asking for none of these take part in no sharing check (MS-FSA 2.1.5.1.2). */
export const SHARING_ACCESS = DATA_READ | DATA_WRITE | Access.DELETE;

/** MS-FSA 2.1.5.1.2.1: does a new open (access, share) conflict with an existing one? */
export function sharingConflict(access: number, share: number, other: Open): boolean {
  if (!(access & SHARING_ACCESS) || !(other.grantedAccess & SHARING_ACCESS)) return false;
  if ((other.grantedAccess & DATA_READ) && !(share & ShareAccess.READ)) return true;
  if ((other.grantedAccess & DATA_WRITE) && !(share & ShareAccess.WRITE)) return true;
  if ((other.grantedAccess & Access.DELETE) && !(share & ShareAccess.DELETE)) return true;
  if ((access & DATA_READ) && !(other.shareAccess & ShareAccess.READ)) return true;
  if ((access & DATA_WRITE) && !(other.shareAccess & ShareAccess.WRITE)) return true;
  if ((access & Access.DELETE) && !(other.shareAccess & ShareAccess.DELETE)) return true;
  return false;
}

function overlaps(aOff: bigint, aLen: bigint, bOff: bigint, bLen: bigint): boolean {
  // Zero-length ranges conflict with nothing (MS-FSA 2.1.5.8).
  if (aLen === 0n || bLen === 0n) return false;
  return aOff < bOff + bLen && bOff < aOff + aLen;
}

/** Would a new lock conflict with an existing one? */
export function lockConflict(e: FileEntry, open: Open, offset: bigint, length: bigint, exclusive: boolean): boolean {
  for (const l of e.locks) {
    if (!overlaps(offset, length, l.offset, l.length)) continue;
    if (exclusive || l.exclusive) {
      // A shared lock may overlap the same open's exclusive lock? Windows refuses that too.
      if (!exclusive && l.open === open && !l.exclusive) continue;
      return true;
    }
  }
  return false;
}

/** MS-FSA 2.1.4.10: does a read (write) of the range collide with another open's locks? */
export function ioConflict(e: FileEntry, open: Open, offset: bigint, length: bigint, write: boolean): boolean {
  if (e.locks.length === 0 || length === 0n) return false;
  for (const l of e.locks) {
    if (!overlaps(offset, length, l.offset, l.length)) continue;
    if (l.exclusive && l.open !== open) return true;
    if (!l.exclusive && write) return true;
  }
  return false;
}

export class FileTable {
  readonly #entries = new Map<string, FileEntry>();

  static keyOf(dev: bigint, ino: bigint): string {
    return `${dev}:${ino}`;
  }

  /** A named stream is its own file for share modes, locks and delete pending (MS-FSA 2.1.1.3 Stream). */
  static streamKeyOf(dev: bigint, ino: bigint, stream: string): string {
    return `${dev}:${ino}:${stream.toUpperCase()}`;
  }

  get(key: string): FileEntry | undefined {
    return this.#entries.get(key);
  }

  /** The entry for a file, made on first use; it goes when its last open does (release). */
  acquire(key: string): FileEntry {
    let e = this.#entries.get(key);
    if (!e) {
      e = new FileEntry(key);
      this.#entries.set(key, e);
    }
    return e;
  }

  /** Every open of every file (rename of a directory looks for opens below it). */
  *opens(): IterableIterator<Open> {
    for (const e of this.#entries.values()) yield* e.opens;
  }

  /** Drop the entry if nothing uses it any more. */
  release(e: FileEntry): void {
    if (e.opens.size === 0 && this.#entries.get(e.key) === e) this.#entries.delete(e.key);
  }
}
