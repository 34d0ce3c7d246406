/**
 * SMB2 packet header, sync and async forms (MS-SMB2 2.2.1.1, 2.2.1.2), the TRANSFORM_HEADER (2.2.41), and
 * detection of the COMPRESSION_TRANSFORM_HEADER (2.2.42) and of SMB1 so the connection can route or refuse.
 *
 * Error convention for the whole src/smb2 layer (details in src/smb2/messages/README.md):
 *   every decoder throws MalformedPacket (src/wire/errors.ts) and never returns a partial result.
 *   - thrown by decodeHeader / decodeTransformHeader: the framing is broken; the connection drops the
 *     connection (ConnectionError), as MS-SMB2 3.3.5.2 asks for an invalid header or protocol id.
 *   - thrown by a message body decoder (src/smb2/messages/*): the engine fails that request with
 *     STATUS_INVALID_PARAMETER (MS-SMB2 3.3.5.2.x: "the server MUST fail the request with
 *     STATUS_INVALID_PARAMETER" for bad StructureSize / offsets), keeping the connection.
 */
import {MalformedPacket} from '../wire/errors.js';
import type {Reader} from '../wire/reader.js';
import type {Writer} from '../wire/writer.js';
import {
  HeaderFlags,
  PROTOCOL_ID_COMPRESSION,
  PROTOCOL_ID_SMB1,
  PROTOCOL_ID_SMB2,
  PROTOCOL_ID_TRANSFORM,
  SMB2_HEADER_SIZE,
  TransformFlags,
} from './constants.js';

export {SMB2_HEADER_SIZE};
/** Offset of the 16-byte Signature inside the header. */
export const SIGNATURE_OFFSET = 48;
export const SIGNATURE_SIZE = 16;

export interface Smb2Header {
  creditCharge: number;
  /**
   * Responses: the NTSTATUS. Requests: 3.x puts ChannelSequence in the low 16 bits (upper 16 Reserved);
   * 2.0.2/2.1 clients set 0. Kept raw so a request re-encodes bit for bit.
   */
  status: number;
  command: number;
  /** CreditRequest in a request, CreditResponse in a response. */
  credits: number;
  flags: number;
  /** Offset from this header to the next header in a compound, 0 for the last. */
  nextCommand: number;
  messageId: bigint;
  /** Async form (flags & ASYNC_COMMAND): AsyncId; 0n in the sync form. */
  asyncId: bigint;
  /** Sync form: Reserved (historically ProcessId); 0 in the async form. */
  processId: number;
  /** Sync form: TreeId; 0 in the async form. */
  treeId: number;
  sessionId: bigint;
  /** 16 bytes (a copy). */
  signature: Buffer;
}

export function isAsync(h: Pick<Smb2Header, 'flags'>): boolean {
  return (h.flags & HeaderFlags.ASYNC_COMMAND) !== 0;
}

export function isResponse(h: Pick<Smb2Header, 'flags'>): boolean {
  return (h.flags & HeaderFlags.SERVER_TO_REDIR) !== 0;
}

/** 3.x ChannelSequence carried in the Status field of a request. */
export function channelSequence(h: Pick<Smb2Header, 'status'>): number {
  return h.status & 0xffff;
}

/** A header with every field zero except those given. */
export function makeHeader(fields: Partial<Smb2Header> & {command: number}): Smb2Header {
  return {
    creditCharge: 0,
    status: 0,
    credits: 0,
    flags: 0,
    nextCommand: 0,
    messageId: 0n,
    asyncId: 0n,
    processId: 0,
    treeId: 0,
    sessionId: 0n,
    signature: Buffer.alloc(SIGNATURE_SIZE),
    ...fields,
  };
}

/**
 * Decode the 64-byte header at the reader's position and leave the reader at the body.
 * The reader's window should end at the end of this message (for a compound, at NextCommand).
 */
export function decodeHeader(r: Reader): Smb2Header {
  const at = r.offset;
  if (r.remaining < SMB2_HEADER_SIZE) {
    throw new MalformedPacket(`SMB2 header needs 64 bytes, ${r.remaining} left`, at);
  }
  const protocolId = r.u32();
  // 2.2.1: "ProtocolId (4 bytes): The protocol identifier. The value MUST be (in network order) 0xFE, 'S', 'M', and 'B'."
  if (protocolId !== PROTOCOL_ID_SMB2) {
    throw new MalformedPacket(`ProtocolId 0x${protocolId.toString(16)} is not 0xFE 'SMB'`, at);
  }
  const structureSize = r.u16();
  // 2.2.1: "StructureSize (2 bytes): MUST be set to 64, which is the size, in bytes, of the SMB2 header structure."
  if (structureSize !== SMB2_HEADER_SIZE) {
    throw new MalformedPacket(`header StructureSize ${structureSize}, MUST be 64`, at + 4);
  }
  const creditCharge = r.u16();
  const status = r.u32();
  const command = r.u16();
  const credits = r.u16();
  const flags = r.u32();
  const nextCommand = r.u32();
  const messageId = r.u64();
  let asyncId = 0n;
  let processId = 0;
  let treeId = 0;
  if ((flags & HeaderFlags.ASYNC_COMMAND) !== 0) {
    asyncId = r.u64();
  } else {
    processId = r.u32();
    treeId = r.u32();
  }
  const sessionId = r.u64();
  const signature = r.copy(SIGNATURE_SIZE);
  return {
    creditCharge,
    status,
    command,
    credits,
    flags,
    nextCommand,
    messageId,
    asyncId,
    processId,
    treeId,
    sessionId,
    signature,
  };
}

/** Write the 64-byte header; the async or sync form follows flags & ASYNC_COMMAND. */
export function encodeHeader(w: Writer, h: Smb2Header): void {
  w.u32(PROTOCOL_ID_SMB2);
  w.u16(SMB2_HEADER_SIZE);
  w.u16(h.creditCharge);
  w.u32(h.status);
  w.u16(h.command);
  w.u16(h.credits);
  w.u32(h.flags);
  w.u32(h.nextCommand);
  w.u64(h.messageId);
  if ((h.flags & HeaderFlags.ASYNC_COMMAND) !== 0) {
    w.u64(h.asyncId);
  } else {
    w.u32(h.processId);
    w.u32(h.treeId);
  }
  w.u64(h.sessionId);
  w.fixed(h.signature, SIGNATURE_SIZE);
}

export type WireProtocol = 'smb2' | 'transform' | 'compression' | 'smb1' | 'unknown';

/** Which protocol a message starts with (its first 4 bytes). */
export function sniffProtocol(buf: Uint8Array, offset = 0): WireProtocol {
  if (offset + 4 > buf.length) return 'unknown';
  const id = (buf[offset]! | (buf[offset + 1]! << 8) | (buf[offset + 2]! << 16) | (buf[offset + 3]! << 24)) >>> 0;
  switch (id) {
    case PROTOCOL_ID_SMB2:
      return 'smb2';
    case PROTOCOL_ID_TRANSFORM:
      return 'transform';
    case PROTOCOL_ID_COMPRESSION:
      return 'compression';
    case PROTOCOL_ID_SMB1:
      return 'smb1';
    default:
      return 'unknown';
  }
}

/** A COMPRESSION_TRANSFORM_HEADER (0xFC 'SMB', 2.2.42): a server that did not negotiate compression refuses it. */
export function isCompressionTransform(buf: Uint8Array, offset = 0): boolean {
  return sniffProtocol(buf, offset) === 'compression';
}

// ---------------------------------------------------------------------------------------------------------
// 2.2.41 SMB2 TRANSFORM_HEADER

export const TRANSFORM_HEADER_SIZE = 52;
/** The AEAD additional data is the header from Nonce to its end (3.1.4.3): offset 20, 32 bytes. */
export const TRANSFORM_AAD_OFFSET = 20;
export const TRANSFORM_AAD_SIZE = 32;

export interface TransformHeader {
  /** 16-byte AEAD tag (a copy). */
  signature: Buffer;
  /** 16 bytes: 11 used for CCM, 12 for GCM, rest zero (a copy). */
  nonce: Buffer;
  originalMessageSize: number;
  /** Flags (3.1.1) / EncryptionAlgorithm (3.0, 3.0.2); 0x0001 either way. */
  flags: number;
  sessionId: bigint;
}

export interface DecodedTransform {
  header: TransformHeader;
  /** The 32 bytes authenticated as AAD (a view). */
  aad: Buffer;
  /** The encrypted message (a view): everything after the header up to the reader's end. */
  payload: Buffer;
}

/** Decode a transform header at the reader's position; the rest of the window is the encrypted payload. */
export function decodeTransformHeader(r: Reader): DecodedTransform {
  const at = r.offset;
  if (r.remaining < TRANSFORM_HEADER_SIZE) {
    throw new MalformedPacket(`TRANSFORM_HEADER needs 52 bytes, ${r.remaining} left`, at);
  }
  const protocolId = r.u32();
  // 2.2.41: "ProtocolId (4 bytes): The protocol identifier. The value MUST be (in network order) 0xFD, 'S', 'M', and 'B'."
  if (protocolId !== PROTOCOL_ID_TRANSFORM) {
    throw new MalformedPacket(`ProtocolId 0x${protocolId.toString(16)} is not 0xFD 'SMB'`, at);
  }
  const signature = r.copy(16);
  const nonce = r.copy(16);
  const originalMessageSize = r.u32();
  r.skip(2); // Reserved
  const flags = r.u16();
  const sessionId = r.u64();
  // 3.3.5.2.1.1: "If the Flags/EncryptionAlgorithm in the SMB2 TRANSFORM_HEADER is not 0x0001, the server
  // MUST disconnect the connection."
  if (flags !== TransformFlags.ENCRYPTED) {
    throw new MalformedPacket(`TRANSFORM_HEADER Flags 0x${flags.toString(16)}, MUST be 0x0001`, at + 42);
  }
  const payload = r.bytes(r.remaining);
  // 3.3.5.2.1.1: a message no larger than the TRANSFORM_HEADER MUST make the server disconnect.
  if (payload.length === 0) throw new MalformedPacket('TRANSFORM_HEADER with no encrypted message', at);
  return {
    header: {signature, nonce, originalMessageSize, flags, sessionId},
    aad: r.slice(at + TRANSFORM_AAD_OFFSET, TRANSFORM_AAD_SIZE),
    payload,
  };
}

/** Write a transform header; its Signature is usually zero here and patched after encryption. */
export function encodeTransformHeader(w: Writer, h: TransformHeader): number {
  const start = w.length;
  w.u32(PROTOCOL_ID_TRANSFORM);
  w.fixed(h.signature, 16);
  w.fixed(h.nonce, 16);
  w.u32(h.originalMessageSize);
  w.u16(0);
  w.u16(h.flags);
  w.u64(h.sessionId);
  return start;
}
