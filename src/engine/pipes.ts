/**
 * Shared by the named pipe handlers (src/engine/handlers/pipe/): FileId resolution for pipe opens, reads in
 * message and byte mode, and READs that wait for data.
 *
 * The services side answers synchronously, so data appears on a pipe only when the client writes to it
 * (WRITE or FSCTL_PIPE_TRANSCEIVE on the same open): a READ that finds nothing waits as Windows makes it
 * wait (an interim STATUS_PENDING, MS-SMB2 3.3.4.2) until that write, a CANCEL, or the open's end — a
 * client is never left without an answer it can end. A non-blocking open (FilePipeInformation
 * CompletionMode = FILE_PIPE_COMPLETE_OPERATION) gets STATUS_PIPE_EMPTY at once instead.
 */
import type {FileId} from '../smb2/messages/common.js';
import {NtStatus, NtStatusError} from '../smb2/ntstatus.js';
import type {PipeOpen, PipeWaiter} from '../state/pipe-open.js';
import type {IpcServices} from '../ipc/types.js';
import {Waiter} from './async.js';
import {chainFileId, rememberFileId} from './compound.js';
import {errorReply, type HandlerResult, type Reply, type RequestContext} from './context.js';

/** MS-FSCC 2.4.37 ReadMode / CompletionMode values. */
export const PipeMode = Object.freeze({BYTE_STREAM: 0, MESSAGE: 1, QUEUE_OPERATION: 0, COMPLETE_OPERATION: 1});

/** The pipe open a request names; a related request's 0xFFFF... FileId is the one the previous request used. */
export function resolvePipe(ctx: RequestContext, id: FileId): PipeOpen {
  const {volatile, persistent} = chainFileId(ctx.chain, ctx.related, id);
  const p = ctx.server.registry.pipe(volatile);
  // 3.3.5.12 and the other file commands: no open, or a Persistent part that differs, is STATUS_FILE_CLOSED.
  if (!p || !p.alive || p.tree !== ctx.tree || p.wireId !== persistent) throw new NtStatusError(NtStatus.FILE_CLOSED, 'unknown pipe FileId');
  rememberFileId(ctx.chain, volatile, persistent);
  return p;
}

export interface PipeData {
  data: Buffer;
  /** The message goes on past `data` (message mode): STATUS_BUFFER_OVERFLOW. */
  more: boolean;
}

/**
 * Up to maxLength octets. Message mode returns at most one message (the rest of a long one comes with the
 * next read, MS-FSCC 2.4.37); byte mode fills the buffer across message boundaries and never overflows.
 */
export function readPipe(services: IpcServices, p: PipeOpen, maxLength: number): PipeData {
  const first = services.pipeRead(p.handle, maxLength);
  if (first.status !== 'ok') throw new NtStatusError(NtStatus.PIPE_BROKEN, 'pipe gone on the services side');
  if (p.readMode === PipeMode.MESSAGE || first.data.length === 0) return {data: first.data, more: first.more};
  const parts = [first.data];
  let total = first.data.length;
  while (total < maxLength) {
    const r = services.pipeRead(p.handle, maxLength - total);
    if (r.status !== 'ok' || r.data.length === 0) break;
    parts.push(r.data);
    total += r.data.length;
  }
  return {data: parts.length === 1 ? first.data : Buffer.concat(parts, total), more: false};
}

/** Builds the final reply of a read that waited (READ or TRANSCEIVE response). */
export type PipeFinish = (d: PipeData) => Reply;

class WaitingRead implements PipeWaiter {
  readonly waiter: Waiter;

  constructor(
    readonly pipe: PipeOpen,
    readonly maxLength: number,
    readonly finish: PipeFinish,
  ) {
    this.waiter = new Waiter(() => {
      const i = pipe.waiters.indexOf(this);
      if (i >= 0) pipe.waiters.splice(i, 1);
    });
  }

  cancel(): void {
    this.waiter.cancel();
  }
}

/** Park a read until data comes (see the file comment); returns the PendingReply the connection sends as STATUS_PENDING. */
export function waitForData(p: PipeOpen, maxLength: number, finish: PipeFinish): HandlerResult {
  const w = new WaitingRead(p, maxLength, finish);
  p.waiters.push(w);
  return w.waiter.pending();
}

/** After a write: hand the answers to the reads waiting on this open, oldest first. */
export function serveWaiters(services: IpcServices, p: PipeOpen): void {
  while (p.waiters.length > 0 && p.alive) {
    const peek = services.pipePeek(p.handle);
    if (peek.status !== 'ok' || peek.available === 0) return;
    const w = p.waiters.shift() as WaitingRead;
    let rep: Reply;
    try {
      rep = w.finish(readPipe(services, p, w.maxLength));
    } catch (e) {
      if (!(e instanceof NtStatusError)) throw e;
      rep = errorReply(e.status);
    }
    w.waiter.settle(rep);
  }
}
