/**
 * QUERY_DIRECTORY (MS-SMB2 3.3.5.18): list a directory open in pages. The entries (with their lstat, one
 * request for the whole directory under the tree's identity) are captured when a listing starts (first
 * query, RESTART_SCANS or REOPEN) with `.` and `..` first; each query returns as many matching entries as
 * fit OutputBufferLength (one with RETURN_SINGLE_ENTRY), then STATUS_NO_MORE_FILES (STATUS_NO_SUCH_FILE
 * when nothing ever matched). DOS attributes are read per page for the entries returned, in one request
 * for the page (symlinks and `.`/`..` one by one).
 */
import {Access, QueryDirectoryFlags} from '../../smb2/constants.js';
import {dirEntrySize, isDirectoryInfoClass, writeDirEntry} from '../../smb2/fscc/dir-info.js';
import {decodeQueryDirectoryRequest, encodeQueryDirectoryResponse} from '../../smb2/messages/query-directory.js';
import {NtStatus, NtStatusError} from '../../smb2/ntstatus.js';
import type {Open} from '../../state/open.js';
import {fsError} from '../../vfs/errors.js';
import {DT, type DirEntry} from '../../vfs/identity-ops.js';
import {dirEntryMetas, type FileMeta} from '../../vfs/meta.js';
import {parentOf, toVfsStat} from '../../vfs/share-fs.js';
import {NamePattern} from '../../vfs/wildcard.js';
import type {Reader} from '../../wire/reader.js';
import {Writer} from '../../wire/writer.js';
import {reply, type HandlerResult, type RequestContext} from '../context.js';
import {checkAlive, resolveOpen} from './files.js';

/** At most this many entries' attributes are read in one request (a page takes one batch or a few). */
const META_BATCH = 1024;

const align8 = (n: number) => n + ((8 - (n % 8)) % 8);

function childRel(o: Open, name: string): string {
  return o.rel === '' ? name : `${o.rel}/${name}`;
}

async function startListing(o: Open, pattern: string): Promise<void> {
  const fs = o.fs;
  let entries: DirEntry[];
  let self, parent;
  try {
    [entries, self, parent] = await Promise.all([
      fs.readdir(o.rel),
      fs.lstat(o.rel),
      // `..` of the share root is the root itself: nothing above the share is ever shown.
      fs.lstat(o.rel === '' ? '' : parentOf(o.rel)).catch(() => undefined),
    ]);
  } catch (e) {
    throw fsError(e);
  }
  checkAlive(o);
  const dots: DirEntry[] = [{name: '.', type: DT.DIR}, {name: '..', type: DT.DIR}];
  const pat = new NamePattern(pattern === '' ? '*' : pattern);
  o.enumeration = {pattern: pat, entries: [...dots, ...entries], next: 0, returnedAny: false, dots: [self, parent ?? self]};
}

/** The attributes of one entry; undefined to leave it out (vanished, or a symlink the share does not follow). */
async function entryMeta(o: Open, e: DirEntry, index: number): Promise<FileMeta | undefined> {
  const fs = o.fs;
  if (index < 2) {
    const st = o.enumeration!.dots[index]!;
    return fs.meta(st, e.name, {rel: index === 0 ? o.rel : parentOf(o.rel)});
  }
  if (!e.stat) return undefined;
  let st = toVfsStat(e.stat);
  const rel = childRel(o, e.name);
  if (st.isSymlink) {
    if (!fs.options.followSymlinks) return undefined;
    try {
      st = await fs.stat(rel); // beneath the root: a link leaving the share fails and is not shown
    } catch {
      return undefined;
    }
  }
  return fs.meta(st, e.name, {rel});
}

/** The attributes of the entries at `idx` (as entryMeta): plain entries in one request, the others one by one. */
async function pageMetas(o: Open, entries: readonly DirEntry[], idx: readonly number[]): Promise<(FileMeta | undefined)[]> {
  const out: (FileMeta | undefined)[] = new Array(idx.length);
  const each: Promise<void>[] = [];
  const batch: number[] = [];
  for (let k = 0; k < idx.length; k++) {
    const i = idx[k]!;
    const st = entries[i]!.stat;
    if (i < 2 || !st || st.isSymbolicLink()) each.push(entryMeta(o, entries[i]!, i).then((m) => void (out[k] = m), () => undefined));
    else batch.push(k);
  }
  if (batch.length > 0) {
    const plain = batch.map((k) => ({name: entries[idx[k]!]!.name, stat: toVfsStat(entries[idx[k]!]!.stat!)}));
    const metas = await dirEntryMetas(o.fs, o.rel, plain).catch(() => undefined);
    if (metas) batch.forEach((k, j) => (out[k] = metas[j]));
    // The directory could not be reached as a whole: entry by entry, as they each would fare.
    else for (const k of batch) each.push(entryMeta(o, entries[idx[k]!]!, idx[k]!).then((m) => void (out[k] = m), () => undefined));
  }
  await Promise.all(each);
  return out;
}

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
  const single = (req.flags & QueryDirectoryFlags.RETURN_SINGLE_ENTRY) !== 0;
  const limit = req.outputBufferLength;
  const cls = req.fileInformationClass;
  const w = new Writer(Math.min(limit, 65536));
  let prevStart = -1;
  let full = false;
  while (!full && en.next < en.entries.length) {
    // The next batch of matching entries (their indexes), their attributes read together: as many as the
    // room left in the page could take, and one more (it ends the page when everything before it is shown).
    // At least one: with a limit that is not a multiple of 8 the room left can be below zero while the page
    // is not known to be full yet, and a batch without entries would never move the cursor.
    const idx: number[] = [];
    let scan = en.next;
    let room = limit - (prevStart < 0 ? 0 : align8(w.length));
    while (scan < en.entries.length && idx.length < (single ? 1 : META_BATCH) && (room >= 0 || idx.length === 0)) {
      const name = en.entries[scan]!.name;
      if (en.pattern.matches(name)) {
        idx.push(scan);
        room -= align8(dirEntrySize(cls, name));
      }
      scan++;
    }
    const metas = await pageMetas(o, en.entries, idx);
    checkAlive(o);
    if (o.enumeration !== en) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'listing restarted concurrently');
    let stopAt = scan;
    for (let i = 0; i < idx.length; i++) {
      const m = metas[i];
      if (!m) continue;
      const name = en.entries[idx[i]!]!.name;
      const at = prevStart < 0 ? 0 : w.length + ((8 - (w.length % 8)) % 8);
      if (at + dirEntrySize(cls, name) > limit) {
        // Does not fit: it is the first entry of the next page.
        full = true;
        stopAt = idx[i]!;
        break;
      }
      if (prevStart >= 0) {
        w.align(8);
        w.patchU32(prevStart, w.length - prevStart);
      }
      prevStart = w.length;
      writeDirEntry(w, cls, {name, stat: m.stat, attributes: m.attributes});
      en.returnedAny = true;
      if (single) {
        full = true;
        stopAt = idx[i]! + 1;
        break;
      }
    }
    en.next = stopAt;
  }
  if (prevStart < 0) {
    if (en.next < en.entries.length) throw new NtStatusError(NtStatus.INFO_LENGTH_MISMATCH, 'buffer too small for one entry');
    throw new NtStatusError(en.returnedAny ? NtStatus.NO_MORE_FILES : NtStatus.NO_SUCH_FILE);
  }
  return reply(encodeQueryDirectoryResponse, w.finish());
}
