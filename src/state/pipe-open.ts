/**
 * A named pipe open on IPC$ (MS-SMB2 3.3.1.10 Open, for a pipe): what CREATE made, found again by FileId.
 * It holds the handle the services side gave (IpcServices.pipeOpen) and the client end's pipe state
 * (MS-FSCC 2.4.37 FilePipeInformation). READs that found nothing to read wait here, in order, until a
 * WRITE or TRANSCEIVE on the same open produces an answer, the client cancels them, or the open goes.
 */
import type {Tree} from './tree.js';

/** FileId.Volatile of pipe opens carries this bit, so a pipe FileId never names a disk open and vice versa. */
export const PIPE_FILE_ID_TAG = 1n << 60n;

/** A READ (or a TRANSCEIVE that got no answer yet) waiting for data; the engine owns the rest of it. */
export interface PipeWaiter {
  /** Octets the request may take. */
  readonly maxLength: number;
  /** Finish it with STATUS_CANCELLED (CANCEL, or the open going away). */
  cancel(): void;
}

export class PipeOpen {
  alive = true;
  /** FilePipeInformation.ReadMode: FILE_PIPE_MESSAGE_MODE (1) or FILE_PIPE_BYTE_STREAM_MODE (0). */
  readMode = 1;
  /** FilePipeInformation.CompletionMode: FILE_PIPE_QUEUE_OPERATION (0, blocking) or FILE_PIPE_COMPLETE_OPERATION (1). */
  completionMode = 0;
  readonly waiters: PipeWaiter[] = [];

  constructor(
    /** The registry id; the wire FileId is `wireId`. */
    readonly id: number,
    readonly tree: Tree,
    /** The services side's pipe handle (IpcServices.pipe*). */
    readonly handle: number,
    /** The pipe name as the client sent it (logs). */
    readonly name: string,
    readonly grantedAccess: number,
  ) {}

  /** FileId.Volatile and FileId.Persistent on the wire (no durable handles for pipes). */
  get wireId(): bigint {
    return PIPE_FILE_ID_TAG | BigInt(this.id);
  }
}
