/**
 * QUERY_DIRECTORY (MS-SMB2 3.3.5.18): list a directory open in pages. The entries (with their lstat, one
 * request for the whole directory under the tree's identity) are captured when a listing starts (first
 * query, RESTART_SCANS or REOPEN) with `.` and `..` first; each query returns as many matching entries as
 * fit OutputBufferLength (one with RETURN_SINGLE_ENTRY), then STATUS_NO_MORE_FILES (STATUS_NO_SUCH_FILE
 * when nothing ever matched). DOS attributes are read per page for the entries returned, in one request
 * for the page (symlinks and `.`/`..` one by one).
 *
 * A page of a big directory holds hundreds of entries: they are written straight into the response buffer
 * from the addon's stat rows and user.DOSATTRIB answer (dir-info.ts putDirEntry), with no object per entry.
 */
import {Access, QueryDirectoryFlags} from '../../smb2/constants.js';
import {dirEntryFixedSize, isDirectoryInfoClass, putDirEntry, statRow} from '../../smb2/fscc/dir-info.js';
import {decodeQueryDirectoryRequest, encodeQueryDirectoryResponse} from '../../smb2/messages/query-directory.js';
import {NtStatus, NtStatusError} from '../../smb2/ntstatus.js';
import type {DirEnumeration, Open} from '../../state/open.js';
import type {DosInfoNumbers} from '../../vfs/dos-attrib.js';
import {fsError} from '../../vfs/errors.js';
import {Statx, type DirXattrsAnswer} from '../../vfs/identity-ops.js';
import {dirDosBlobAt, dirDosBlobs, finishAttributesOf, type FileMeta} from '../../vfs/meta.js';
import {parentOf, toVfsStat} from '../../vfs/share-fs.js';
import {STAT, STAT_FIELDS} from '../../vfs/types.js';
import {NamePattern} from '../../vfs/wildcard.js';
import type {Reader} from '../../wire/reader.js';
import {reply, type HandlerResult, type RequestContext} from '../context.js';
import {checkAlive, resolveOpen} from './files.js';

/** At most this many entries' attributes are read in one request (a page takes one batch or a few). */
const META_BATCH = 1024;

const align8 = (n: number) => (n + 7) & ~7;

function childRel(o: Open, name: string): string {
  return o.rel === '' ? name : `${o.rel}/${name}`;
}

async function startListing(o: Open, pattern: string): Promise<void> {
  const fs = o.fs;
  let listing, self, parent;
  try {
    [listing, self, parent] = await Promise.all([
      fs.listing(o.rel),
      fs.lstat(o.rel),
      // `..` of the share root is the root itself: nothing above the share is ever shown.
      fs.lstat(o.rel === '' ? '' : parentOf(o.rel)).catch(() => undefined),
    ]);
  } catch (e) {
    throw fsError(e);
  }
  checkAlive(o);
  const names = ['.', '..'];
  for (const n of listing.names) names.push(n);
  const pat = new NamePattern(pattern === '' ? '*' : pattern);
  o.enumeration = {pattern: pat, names, stats: listing.stats, next: 0, returnedAny: false, dots: [self, parent ?? self]};
}

/** The attributes of one entry read on its own; undefined to leave it out (vanished, or a symlink the share does not follow). */
async function entryMeta(o: Open, en: DirEnumeration, i: number): Promise<FileMeta | undefined> {
  const fs = o.fs;
  const name = en.names[i]!;
  if (i < 2) return fs.meta(en.dots[i]!, name, {rel: i === 0 ? o.rel : parentOf(o.rel)});
  const row = (i - 2) * STAT_FIELDS;
  if (en.stats[row + STAT.MASK]! < 0) return undefined;
  let st = toVfsStat(Statx.from(en.stats, row));
  const rel = childRel(o, name);
  if (st.isSymlink) {
    if (!fs.options.followSymlinks) return undefined;
    try {
      st = await fs.stat(rel); // beneath the root: a link leaving the share fails and is not shown
    } catch {
      return undefined;
    }
  }
  return fs.meta(st, name, {rel});
}

/** How the k-th entry of a batch is shown. */
const SKIP = 0; // left out: vanished, its stat failed, a symlink not followed
const ROW = 1; // its stat row in the enumeration, with blobAnswer's value (if any) for its attributes
const META = 2; // metas[k], read on its own

interface BatchMetas {
  kind: Uint8Array;
  /** The user.DOSATTRIB answer for the ROW entries (blobIndex[k] is entry k's place in it); undefined: none read. */
  blobs: DirXattrsAnswer | undefined;
  blobIndex: Int32Array;
  metas: (FileMeta | undefined)[];
}

/** What is needed to show the entries at `idx`: plain entries' attributes in one request, the others one by one. */
async function batchMetas(o: Open, en: DirEnumeration, idx: readonly number[]): Promise<BatchMetas> {
  const n = idx.length;
  const r: BatchMetas = {kind: new Uint8Array(n), blobs: undefined, blobIndex: new Int32Array(n), metas: []};
  const each: Promise<void>[] = [];
  const one = (k: number) => {
    r.kind[k] = META;
    each.push(entryMeta(o, en, idx[k]!).then((m) => {
      r.metas[k] = m;
      if (!m) r.kind[k] = SKIP;
    }, () => void (r.kind[k] = SKIP)));
  };
  const plain: number[] = [];
  const plainNames: string[] = [];
  for (let k = 0; k < n; k++) {
    const i = idx[k]!;
    if (i < 2) {
      one(k);
      continue;
    }
    const row = (i - 2) * STAT_FIELDS;
    if (en.stats[row + STAT.MASK]! < 0) continue; // SKIP
    if ((en.stats[row + STAT.MODE]! & 0o170000) === 0o120000) {
      one(k);
      continue;
    }
    r.kind[k] = ROW;
    r.blobIndex[k] = plain.length;
    plain.push(k);
    plainNames.push(en.names[i]!);
  }
  if (plain.length > 0) {
    try {
      r.blobs = await dirDosBlobs(o.fs, o.rel, plainNames);
    } catch {
      // The directory could not be reached as a whole: entry by entry, as they each would fare.
      for (const k of plain) one(k);
    }
  }
  await Promise.all(each);
  return r;
}

const dos: DosInfoNumbers = {attributes: -1, createHi: -1, createLo: 0};
/** The stat row of an entry read on its own (`.`, `..`, a followed symlink). */
const oneRow = new Float64Array(STAT_FIELDS);

export async function handleQueryDirectory(ctx: RequestContext, body: Reader): Promise<HandlerResult> {
  const req = decodeQueryDirectoryRequest(body);
  const o = resolveOpen(ctx, req.fileId);
  if (!o.isDirectory) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'not a directory');
  if (!isDirectoryInfoClass(req.fileInformationClass)) throw new NtStatusError(NtStatus.INVALID_INFO_CLASS);
  // 3.3.5.18: "If OutputBufferLength is greater than Connection.MaxTransactSize, the server MUST fail the
  // request with STATUS_INVALID_PARAMETER"; a buffer too small for any entry gets the same.
  if (req.outputBufferLength > ctx.conn.maxTransactSize) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'OutputBufferLength');
  if (!(o.grantedAccess & Access.FILE_LIST_DIRECTORY)) throw new NtStatusError(NtStatus.ACCESS_DENIED);

  const restart = (req.flags & (QueryDirectoryFlags.RESTART_SCANS | QueryDirectoryFlags.REOPEN)) !== 0;
  if (!o.enumeration || restart) await startListing(o, req.fileName);
  const en = o.enumeration!;
  const names = en.names;
  const single = (req.flags & QueryDirectoryFlags.RETURN_SINGLE_ENTRY) !== 0;
  const limit = req.outputBufferLength;
  const cls = req.fileInformationClass;
  const fixed = dirEntryFixedSize(cls);
  const hide = o.fs.options.hideDotFiles;
  let out = Buffer.allocUnsafe(Math.min(limit, 65536));
  let end = 0; // bytes written
  let prevStart = -1;
  let full = false;
  while (!full && en.next < names.length) {
    // The next batch of matching entries (their indexes), their attributes read together: as many as the
    // room left in the page could take, and one more (it ends the page when everything before it is shown).
    // At least one: with a limit that is not a multiple of 8 the room left can be below zero while the page
    // is not known to be full yet, and a batch without entries would never move the cursor.
    const idx: number[] = [];
    let scan = en.next;
    let room = limit - (prevStart < 0 ? 0 : align8(end));
    while (scan < names.length && idx.length < (single ? 1 : META_BATCH) && (room >= 0 || idx.length === 0)) {
      const name = names[scan]!;
      if (en.pattern.matches(name)) {
        idx.push(scan);
        room -= align8(fixed + name.length * 2);
      }
      scan++;
    }
    const m = await batchMetas(o, en, idx);
    checkAlive(o);
    if (o.enumeration !== en) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'listing restarted concurrently');
    let stopAt = scan;
    for (let k = 0; k < idx.length; k++) {
      const kind = m.kind[k]!;
      if (kind === SKIP) continue;
      const i = idx[k]!;
      const name = names[i]!;
      let st: Float64Array;
      let row: number;
      let attributes: number;
      let createHi = -1;
      let createLo = 0;
      if (kind === ROW) {
        st = en.stats;
        row = (i - 2) * STAT_FIELDS;
        let stored = -1;
        if (m.blobs) {
          if (!dirDosBlobAt(o.fs, m.blobs, m.blobIndex[k]!, dos)) continue; // gone since it was listed
          stored = dos.attributes;
          createHi = dos.createHi;
          createLo = dos.createLo;
        }
        const mode = st[row + STAT.MODE]!;
        attributes = finishAttributesOf((mode & 0o170000) === 0o040000, mode, stored, name, hide);
      } else {
        const meta = m.metas[k]!;
        st = statRow(meta.stat, oneRow);
        row = 0;
        attributes = meta.attributes;
      }
      const size = fixed + name.length * 2;
      const at = prevStart < 0 ? 0 : align8(end);
      if (at + size > limit) {
        // Does not fit: it is the first entry of the next page.
        full = true;
        stopAt = i;
        break;
      }
      if (at + size > out.length) {
        let cap = Math.max(out.length * 2, 4096);
        while (cap < at + size) cap *= 2;
        const bigger = Buffer.allocUnsafe(Math.min(cap, limit));
        out.copy(bigger, 0, 0, end);
        out = bigger;
      }
      if (prevStart >= 0) {
        for (let p = end; p < at; p++) out[p] = 0; // alignment
        out.writeUInt32LE(at - prevStart, prevStart); // the previous entry's NextEntryOffset
      }
      prevStart = at;
      end = putDirEntry(out, at, cls, name, st, row, attributes, createHi, createLo);
      en.returnedAny = true;
      if (single) {
        full = true;
        stopAt = i + 1;
        break;
      }
    }
    en.next = stopAt;
  }
  if (prevStart < 0) {
    if (en.next < names.length) throw new NtStatusError(NtStatus.INFO_LENGTH_MISMATCH, 'buffer too small for one entry');
    throw new NtStatusError(en.returnedAny ? NtStatus.NO_MORE_FILES : NtStatus.NO_SUCH_FILE);
  }
  return reply(encodeQueryDirectoryResponse, out.subarray(0, end));
}
