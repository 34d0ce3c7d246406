// What the raw-frame client (test/helpers/raw-client.ts) reports back: field offsets for hooks, a received
// message, and an Outcome that names a closed connection or silence as plainly as an NTSTATUS.
import {ntStatusName} from '../../src/smb2/ntstatus.js';
import type {Smb2Header} from '../../src/smb2/header.js';
import {Reader} from '../../src/wire/reader.js';
import {ConnectionClosedError, RecvTimeoutError} from './raw-transport.js';

/** Byte offsets of the SMB2 header fields (2.2.1), for hooks that poke at a message. */
export const HDR = Object.freeze({
  protocolId: 0,
  structureSize: 4,
  creditCharge: 6,
  status: 8,
  command: 12,
  credits: 14,
  flags: 16,
  nextCommand: 20,
  messageId: 24,
  processId: 32,
  asyncId: 32,
  treeId: 36,
  sessionId: 40,
  signature: 48,
  body: 64,
});

/** Byte offsets of the TRANSFORM_HEADER fields (2.2.41). */
export const TF = Object.freeze({
  protocolId: 0,
  signature: 4,
  nonce: 20,
  originalMessageSize: 36,
  reserved: 40,
  flags: 42,
  sessionId: 44,
  payload: 52,
});

export interface Smb2Message {
  /** This message alone (header, body and any compound padding). */
  raw: Buffer;
  header: Smb2Header;
  status: number;
  encrypted: boolean;
  /** Set when the message was signed and a session key could check it. */
  signatureOk?: boolean;
}

/** A Reader standing on the body of `m`, windowed to the message, for the src/smb2 decoders. */
export function bodyReader(m: Smb2Message): Reader {
  return new Reader(m.raw).seek(HDR.body);
}

/** The server answered with something that is not an SMB2 message (an SMB1 reply, a NetBIOS session packet). */
export class UnexpectedFrameError extends Error {
  constructor(
    readonly protocol: string,
    readonly frame: Buffer,
  ) {
    super(`answer is not SMB2 (${protocol}, ${frame.length} bytes)`);
    this.name = 'UnexpectedFrameError';
  }
}

export type Outcome =
  | {kind: 'status'; status: number; msg: Smb2Message}
  | {kind: 'closed'; detail: string}
  | {kind: 'timeout'}
  | {kind: 'frame'; protocol: string; frame: Buffer};

/** 'closed', 'timeout', 'frame:smb1' or the NTSTATUS name ('STATUS_INVALID_PARAMETER'), for readable assertions. */
export function outcomeName(o: Outcome): string {
  if (o.kind === 'status') return ntStatusName(o.status);
  if (o.kind === 'frame') return `frame:${o.protocol}`;
  return o.kind;
}

export async function outcomeOf(p: Promise<Smb2Message>): Promise<Outcome> {
  try {
    const msg = await p;
    return {kind: 'status', status: msg.status, msg};
  } catch (e) {
    if (e instanceof ConnectionClosedError) return {kind: 'closed', detail: e.detail};
    if (e instanceof RecvTimeoutError) return {kind: 'timeout'};
    if (e instanceof UnexpectedFrameError) return {kind: 'frame', protocol: e.protocol, frame: e.frame};
    throw e;
  }
}

/** CreditCharge for a payload (3.1.5.2): one credit per 64 KiB, at least one. */
export function creditsFor(bytes: number): number {
  return bytes <= 0 ? 1 : Math.floor((bytes - 1) / 65536) + 1;
}
