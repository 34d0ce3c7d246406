/**
 * SMB2 oplocks as handlers use them: the grant at CREATE (3.3.5.9), the break a conflicting CREATE starts
 * and waits for (STATUS_PENDING until the holder acknowledges, closes or times out), the break of LEVEL_II
 * holders by a WRITE or LOCK, and the notification itself (3.3.4.6). The per-file state machine is
 * FileOplocks (file-oplocks.ts), kept in the registry's FileEntry.
 */
import type {Connection} from '../engine/connection.js';
import {errorReply, type HandlerResult, type PendingReply, type Reply, type RequestContext} from '../engine/context.js';
import {Access, Command, HeaderFlags, OplockLevel} from '../smb2/constants.js';
import {encodeHeader, makeHeader} from '../smb2/header.js';
import {NtStatus, NtStatusError} from '../smb2/ntstatus.js';
import {encodeOplockBreak} from '../smb2/messages/oplock-break.js';
import type {FileEntry} from '../state/file-table.js';
import type {Open} from '../state/open.js';
import type {Session} from '../state/session.js';
import {Writer} from '../wire/writer.js';
import type {BreakSender, BreakWait} from './file-oplocks.js';

const UNSOLICITED = 0xffffffffffffffffn;

/**
 * 3.3.4.6: an Oplock Break Notification: MessageId 0xFFFFFFFFFFFFFFFF, SessionId and TreeId 0, no credits,
 * not signed; sealed when the open's session or tree requires encryption (the transform header names the
 * session).
 */
export function oplockBreakMessage(open: Pick<Open, 'id'>, level: number): Buffer {
  const w = new Writer(96);
  encodeHeader(w, makeHeader({command: Command.OPLOCK_BREAK, flags: HeaderFlags.SERVER_TO_REDIR, messageId: UNSOLICITED}));
  const id = BigInt(open.id);
  encodeOplockBreak(w, {oplockLevel: level, fileId: {persistent: id, volatile: id}});
  return w.finishCopy();
}

function senderFor(conn: Connection, session: Session, open: Open): BreakSender {
  return (level) => {
    if (!open.alive) return;
    const log = conn.server.log;
    if (log.isDebug('oplock')) log.debug('oplock', `break of fid ${open.id} (${open.rel}) to level ${level}`);
    conn.notify(oplockBreakMessage(open, level), session.encryptData || open.tree.encryptData ? session : undefined);
  };
}

/**
 * 3.3.5.9: the oplock the new open gets. None on a share with `oplocks = no`, for directories, or for a
 * lease request (leases are not granted: the response carries no lease context).
 */
export function grantOplock(ctx: RequestContext, open: Open, requested: number): number {
  if (!ctx.tree?.share.oplocks || open.isDirectory || !ctx.session) return OplockLevel.NONE;
  if (requested !== OplockLevel.II && requested !== OplockLevel.EXCLUSIVE && requested !== OplockLevel.BATCH) return OplockLevel.NONE;
  const o = open.entry.oplocks;
  return o.grant(open, requested, open.entry.opens.size - 1, senderFor(ctx.conn, ctx.session, open));
}

/** An open asking for no more than these is a "stat open": it breaks no oplock (Windows' object store rule). */
const STAT_ACCESS = Access.FILE_READ_ATTRIBUTES | Access.FILE_WRITE_ATTRIBUTES | Access.SYNCHRONIZE;

/**
 * When a CREATE opens a file others hold open: 'batch' before its sharing check breaks BATCH oplocks,
 * 'other' after it breaks EXCLUSIVE ones (and, when the CREATE overwrites, LEVEL_II ones). An open for
 * attributes only breaks nothing. Returns the wait when acknowledgments are due.
 */
export function breakForOpen(ctx: RequestContext, entry: FileEntry | undefined, phase: 'batch' | 'other', overwrite: boolean, access: number): BreakWait | undefined {
  if (!entry) return undefined;
  if (!overwrite && (access & ~STAT_ACCESS) === 0) return undefined;
  return entry.oplocks.breakForOpen(phase, overwrite, ctx.server.settings.oplockBreakTimeoutMs);
}

/** A WRITE, size change or LOCK through `open`: every LEVEL_II oplock of the file goes to NONE (no ack). */
export function breakLevelII(open: Open): void {
  open.entry.oplocks.breakLevelII();
}

function toReply(e: unknown): Reply {
  if (e instanceof NtStatusError) return errorReply(e.status);
  throw e;
}

/**
 * The CREATE waits while breaks are outstanding, then runs again from the start (the file may have been
 * closed, renamed or deleted meanwhile). Alone or last in its compound it goes async (CANCEL ends it with
 * STATUS_CANCELLED; the breaks go on). With requests after it in the chain (related ones need its FileId)
 * it waits in place: the connection serves the rest of the chain only after it.
 */
export function waitThenRetry(ctx: RequestContext, wait: BreakWait, retry: () => Promise<HandlerResult>): HandlerResult | Promise<HandlerResult> {
  if (ctx.header.nextCommand !== 0) return wait.done.then(retry);
  return goAsync(wait, retry);
}

function goAsync(wait: BreakWait, retry: () => Promise<HandlerResult>): PendingReply {
  let cancelled = false;
  let inner: PendingReply | undefined;
  let settle!: (r: Reply) => void;
  const run = async (): Promise<Reply> => {
    await wait.done;
    if (cancelled) return errorReply(NtStatus.CANCELLED);
    const r = await retry().catch(toReply);
    if (r.kind === 'reply') return r;
    inner = r;
    if (cancelled) r.cancel();
    return r.final;
  };
  // An unexpected failure rejects `final`: the connection logs it and answers STATUS_INTERNAL_ERROR.
  const final = new Promise<Reply>((resolve, reject) => {
    settle = resolve;
    run().then(resolve, reject);
  });
  return {
    kind: 'pending',
    final,
    cancel: () => {
      if (cancelled) return;
      cancelled = true;
      wait.abandon();
      if (inner) inner.cancel();
      else settle(errorReply(NtStatus.CANCELLED));
    },
  };
}
