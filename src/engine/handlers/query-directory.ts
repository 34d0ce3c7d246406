/**
 * QUERY_DIRECTORY (MS-SMB2 3.3.5.18): list a directory open in pages. The names are captured when a
 * listing starts (first query, RESTART_SCANS or REOPEN) with `.` and `..` first; each query returns as many
 * matching entries as fit OutputBufferLength (one with RETURN_SINGLE_ENTRY), then STATUS_NO_MORE_FILES
 * (STATUS_NO_SUCH_FILE when nothing ever matched).
 */
import {join} from 'node:path';
import {Access, QueryDirectoryFlags} from '../../smb2/constants.js';
import {decodeQueryDirectoryRequest, encodeQueryDirectoryResponse} from '../../smb2/messages/query-directory.js';
import {NtStatus, NtStatusError} from '../../smb2/ntstatus.js';
import type {Open} from '../../state/open.js';
import {fsError} from '../../vfs/errors.js';
import type {VfsStat} from '../../vfs/types.js';
import {NamePattern} from '../../vfs/wildcard.js';
import type {Reader} from '../../wire/reader.js';
import {Writer} from '../../wire/writer.js';
import {reply, type HandlerResult, type RequestContext} from '../context.js';
import {dosAttributes} from '../../smb2/fscc/attrs.js';
import {dirEntrySize, isDirectoryInfoClass, writeDirEntry} from '../../smb2/fscc/dir-info.js';
import {checkAlive, resolveOpen} from './files.js';

/** Entries stat'ed in parallel per batch: enough to fill a typical 64 KiB page in a few round trips. */
const STAT_BATCH = 64;

async function entryStat(ctx: RequestContext, o: Open, name: string): Promise<VfsStat | undefined> {
  const vfs = ctx.server.vfs;
  const id = o.tree.identity;
  // `..` of the share root is the root itself: nothing above the share is ever shown.
  const path = name === '.' ? o.path : name === '..' ? (o.components.length === 0 ? o.path : join(o.path, '..')) : join(o.path, name);
  try {
    return await vfs.stat(id, path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ELOOP') {
      // Gone since the listing started, or a dangling symlink: a dangling link still shows, as itself.
      return vfs.lstat(id, path).catch(() => undefined);
    }
    return undefined;
  }
}

async function startListing(ctx: RequestContext, o: Open, pattern: string): Promise<void> {
  let names: string[];
  try {
    names = await ctx.server.vfs.readdir(o.tree.identity, o.path);
  } catch (e) {
    throw fsError(e);
  }
  checkAlive(o);
  o.enumeration = {pattern: new NamePattern(pattern === '' ? '*' : pattern), names: ['.', '..', ...names], next: 0, returnedAny: false};
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
  if (!o.enumeration || restart) await startListing(ctx, o, req.fileName);
  const en = o.enumeration!;
  const single = (req.flags & QueryDirectoryFlags.RETURN_SINGLE_ENTRY) !== 0;
  const limit = req.outputBufferLength;
  const cls = req.fileInformationClass;
  const hide = o.tree.share.hideDotFiles;
  const w = new Writer(Math.min(limit, 65536));
  let prevStart = -1;
  let full = false;
  while (!full && en.next < en.names.length) {
    // The next batch of matching names (their indexes), stat'ed together.
    const idx: number[] = [];
    let scan = en.next;
    while (scan < en.names.length && idx.length < (single ? 1 : STAT_BATCH)) {
      if (en.pattern.matches(en.names[scan]!)) idx.push(scan);
      scan++;
    }
    const stats = await Promise.all(idx.map((i) => entryStat(ctx, o, en.names[i]!)));
    checkAlive(o);
    if (o.enumeration !== en) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'listing restarted concurrently');
    let stopAt = scan;
    for (let i = 0; i < idx.length; i++) {
      const st = stats[i];
      if (!st) continue;
      const name = en.names[idx[i]!]!;
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
      writeDirEntry(w, cls, {name, stat: st, attributes: dosAttributes(st, name, hide)});
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
    if (en.next < en.names.length) throw new NtStatusError(NtStatus.INFO_LENGTH_MISMATCH, 'buffer too small for one entry');
    throw new NtStatusError(en.returnedAny ? NtStatus.NO_MORE_FILES : NtStatus.NO_SUCH_FILE);
  }
  return reply(encodeQueryDirectoryResponse, w.finish());
}
