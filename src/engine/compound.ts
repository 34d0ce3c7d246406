/**
 * Compounded requests and responses (MS-SMB2 3.2.4.1.4, 3.3.5.2.7).
 *
 * A chain is SMB2 messages back to back, each header's NextCommand giving the offset to the next one
 * (8-byte aligned), 0 in the last. Splitting is pure and checks only what framing needs; a NextCommand that
 * cannot be followed is a ConnectionError. Related requests (SMB2_FLAGS_RELATED_OPERATIONS) take their
 * SessionId, TreeId and the 0xFFFF... FileId from the chain state the previous request left (3.3.5.2.7.2).
 */
import {SMB2_HEADER_SIZE} from '../smb2/constants.js';
import {isRelatedFileId, type FileId} from '../smb2/messages/common.js';
import {NtStatus, NtStatusError} from '../smb2/ntstatus.js';
import {Writer} from '../wire/writer.js';
import {ConnectionError} from './errors.js';

const NEXT_COMMAND_OFFSET = 20;
/** A chain longer than this is abuse, not a client: ours never send more than a handful. */
export const MAX_COMPOUND = 128;

/** One request of a chain: [start, end) of the message in the frame, padding included. */
export interface ChainPart {
  start: number;
  end: number;
}

/** Cut a frame (or a decrypted payload) into its messages. */
export function splitCompound(buf: Buffer, start = 0, end = buf.length): ChainPart[] {
  const parts: ChainPart[] = [];
  let at = start;
  for (;;) {
    if (end - at < SMB2_HEADER_SIZE) throw new ConnectionError(`compound: message at ${at - start} shorter than an SMB2 header`);
    const next = buf.readUInt32LE(at + NEXT_COMMAND_OFFSET);
    if (next === 0) {
      parts.push({start: at, end});
      return parts;
    }
    // 3.3.5.2.7: each subsequent request "MUST start on an 8-byte aligned boundary"; it must also leave room
    // for this message's header and lie inside the frame.
    if (next % 8 !== 0 || next < SMB2_HEADER_SIZE || at + next >= end) {
      throw new ConnectionError(`compound: NextCommand ${next} is unaligned, too small or past the frame`);
    }
    parts.push({start: at, end: at + next});
    if (parts.length >= MAX_COMPOUND) throw new ConnectionError(`compound: more than ${MAX_COMPOUND} messages in one frame`);
    at += next;
  }
}

/** What a related request inherits (3.3.5.2.7.2). */
export interface ChainState {
  sessionId: bigint;
  treeId: number;
  /** FileId the previous request opened or used; undefined when none. */
  fileVolatile: bigint | undefined;
  filePersistent: bigint | undefined;
  /** Status of the previous request, propagated to a related one when it failed. */
  status: number;
  /** The last unrelated request named a session that exists (related ones inherit it). */
  sessionValid: boolean;
}

export function newChainState(): ChainState {
  return {sessionId: 0n, treeId: 0, fileVolatile: undefined, filePersistent: undefined, status: 0, sessionValid: true};
}

/** Anything that signs one message in place (MessageSigner). */
/**
 * The FileId a request means: its own, or for a related request's 0xFFFF... FileId the one the previous
 * request of the chain used (3.3.5.2.7.2). Without one to inherit: INVALID_PARAMETER in a related chain,
 * else FILE_CLOSED.
 */
export function chainFileId(chain: ChainState, related: boolean, id: FileId): {volatile: bigint; persistent: bigint} {
  if (!isRelatedFileId(id)) return {volatile: id.volatile, persistent: id.persistent};
  if (!related || chain.fileVolatile === undefined) throw new NtStatusError(related ? NtStatus.INVALID_PARAMETER : NtStatus.FILE_CLOSED, 'no FileId to inherit');
  return {volatile: chain.fileVolatile, persistent: chain.filePersistent!};
}

/** Later related requests of the chain inherit this FileId. */
export function rememberFileId(chain: ChainState, volatile: bigint, persistent: bigint): void {
  chain.fileVolatile = volatile;
  chain.filePersistent = persistent;
}

export interface InPlaceSigner {
  sign(message: Uint8Array, setSignedFlag?: boolean, tail?: Uint8Array): void;
}

/**
 * Builds the responses of one chain into one buffer: each response after the first starts 8-byte aligned
 * and the previous one's NextCommand points at it (3.3.4.1.3); signing happens last, over each response
 * with its padding, because the padding belongs to the message it follows (3.1.4.1).
 */
export class ResponseChain {
  readonly w: Writer;
  /** Payload of the last response, sent after the chain as its own buffer (see Reply.tail). */
  tail: Buffer | undefined;
  readonly #spans: {start: number; end: number; signer: InPlaceSigner | undefined}[] = [];

  constructor(initialCapacity = 512) {
    this.w = new Writer(initialCapacity);
  }

  get count(): number {
    return this.#spans.length;
  }

  /** Start the next response; the caller then writes its header and body into `w` and calls end(). */
  begin(): number {
    const prev = this.#spans[this.#spans.length - 1];
    if (prev) {
      this.w.align(8);
      this.w.patchU32(prev.start + NEXT_COMMAND_OFFSET, this.w.length - prev.start);
      prev.end = this.w.length;
    }
    return this.w.length;
  }

  end(start: number, signer: InPlaceSigner | undefined): void {
    this.#spans.push({start, end: this.w.length, signer});
  }

  /**
   * The finished chain (a view of the writer), every response that needs it signed. In a chain of more
   * than one response the last one is padded to 8 bytes as well, as Windows and Samba send it (smbtorture
   * smb2.compound.compound-padding); its payload then joins the chain instead of going out separately.
   */
  finish(): Buffer {
    const last = this.#spans[this.#spans.length - 1];
    if (last && this.#spans.length > 1 && (this.w.length + (this.tail?.length ?? 0)) % 8 !== 0) {
      if (this.tail) this.w.bytes(this.tail);
      this.tail = undefined;
      this.w.align(8);
      last.end = this.w.length;
    }
    const out = this.w.finish();
    for (const s of this.#spans) if (s.signer) s.signer.sign(out.subarray(s.start, s.end), true, s === last ? this.tail : undefined);
    return out;
  }
}
