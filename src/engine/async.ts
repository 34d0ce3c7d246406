/**
 * Asynchronous requests (MS-SMB2 3.3.4.2, 3.3.5.16): a request that may wait (CHANGE_NOTIFY, a blocking
 * LOCK, a CREATE waiting for an oplock break) gets an interim STATUS_PENDING response carrying an AsyncId
 * and the credits, and its final response later. CANCEL (which has no response of its own) finds the
 * request by AsyncId, or by MessageId while it is still known only by that, and asks it to finish with
 * STATUS_CANCELLED.
 */
import {NtStatus} from '../smb2/ntstatus.js';
import {errorReply, type PendingReply, type Reply} from './context.js';

export interface PendingOp {
  asyncId: bigint;
  messageId: bigint;
  sessionId: bigint;
  command: number;
  cancel: () => void;
}

/** One per connection: the requests waiting for their final response. */
export class AsyncTable {
  readonly #byAsyncId = new Map<bigint, PendingOp>();
  readonly #byMessageId = new Map<bigint, PendingOp>();
  #next = 1n;

  get size(): number {
    return this.#byAsyncId.size;
  }

  add(messageId: bigint, sessionId: bigint, command: number, cancel: () => void): PendingOp {
    const op: PendingOp = {asyncId: this.#next++, messageId, sessionId, command, cancel};
    this.#byAsyncId.set(op.asyncId, op);
    this.#byMessageId.set(messageId, op);
    return op;
  }

  remove(op: PendingOp): void {
    this.#byAsyncId.delete(op.asyncId);
    if (this.#byMessageId.get(op.messageId) === op) this.#byMessageId.delete(op.messageId);
  }

  /**
   * 3.3.5.16: with SMB2_FLAGS_ASYNC_COMMAND the target is found by AsyncId, else by MessageId; the
   * SessionId must match. Returns whether a request was asked to cancel.
   */
  cancel(isAsync: boolean, id: bigint, sessionId: bigint): boolean {
    const op = isAsync ? this.#byAsyncId.get(id) : this.#byMessageId.get(id);
    if (!op || op.sessionId !== sessionId) return false;
    op.cancel();
    return true;
  }

  /** Cancel everything (connection teardown); the final responses go nowhere. */
  cancelAll(): void {
    for (const op of [...this.#byAsyncId.values()]) op.cancel();
    this.#byAsyncId.clear();
    this.#byMessageId.clear();
  }
}

/**
 * A cancellable wait, the building block of PendingReply: `settle(reply)` finishes it with a result,
 * cancel() finishes it with STATUS_CANCELLED; whichever comes first wins.
 */
export class Waiter {
  #settle: ((r: Reply) => void) | undefined;
  readonly promise: Promise<Reply>;
  #done = false;

  constructor(private readonly onCancel?: () => void) {
    this.promise = new Promise<Reply>((resolve) => (this.#settle = resolve));
  }

  get done(): boolean {
    return this.#done;
  }

  settle(r: Reply): void {
    if (this.#done) return;
    this.#done = true;
    this.#settle!(r);
  }

  readonly cancel = (): void => {
    if (this.#done) return;
    this.onCancel?.();
    this.settle(errorReply(NtStatus.CANCELLED));
  };

  pending(): PendingReply {
    return {kind: 'pending', final: this.promise, cancel: this.cancel};
  }
}
