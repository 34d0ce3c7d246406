// Which requests of one connection may run at once (DESIGN: the connection keeps order where SMB2 needs
// it). Sequence window, decryption, signature checks and lookups stay in arrival order in connection.ts;
// these rules only decide whether a handler may overlap with others already in flight.
import {Command, HeaderFlags} from '../smb2/constants.js';
import type {Connection} from './connection.js';

/** Requests of one connection whose handlers may run at once, and the payload bytes they may hold. */
export const MAX_INFLIGHT = 32;
export const MAX_INFLIGHT_BYTES = 64 * 1024 * 1024;

/** How a frame may run (requestKind). */
export const SERIAL = 0;
export const CONCURRENT = 1;
/** QUERY_DIRECTORY: concurrent with I/O, but one at a time (an open's enumeration cursor is not shared). */
export const CONCURRENT_DIR = 2;
/** WRITE offset 0xFFFFFFFFFFFFFFFF: append at the current end, which the handler reads first. */
const APPEND_OFFSET = 0xffffffffffffffffn;

/**
 * Whether a (decrypted) frame may run beside others: a lone request (no compound) of a command that does
 * not depend on order, on a valid session's disk tree. Anything unusual is SERIAL: it loses only overlap.
 */
export function requestKind(conn: Connection, buf: Buffer): number {
  if (buf.length < 64 || buf.readUInt32LE(20) !== 0) return SERIAL;
  const command = buf.readUInt16LE(12);
  let kind: number;
  switch (command) {
    case Command.WRITE:
      // An append reads the end of file before it writes: two at once would land at the same offset.
      if (buf.length < 64 + 32 || buf.readBigUInt64LE(64 + 8) === APPEND_OFFSET) return SERIAL;
      // A named stream is rewritten whole (read, change, store its xattr): two at once would lose one.
      if (conn.server.registry.open(buf.readBigUInt64LE(64 + 24))?.stream) return SERIAL;
      kind = CONCURRENT;
      break;
    case Command.READ:
    case Command.FLUSH:
    case Command.QUERY_INFO:
    case Command.IOCTL:
      kind = CONCURRENT;
      break;
    case Command.ECHO:
      return CONCURRENT;
    case Command.QUERY_DIRECTORY:
      kind = CONCURRENT_DIR;
      break;
    default:
      return SERIAL;
  }
  if ((buf.readUInt32LE(16) & HeaderFlags.ASYNC_COMMAND) !== 0) return SERIAL;
  // Named pipes keep their order (a transact's WRITE then READ); so do requests dispatch() would refuse.
  const s = conn.server.registry.session(buf.readBigUInt64LE(40));
  if (!s || s.owner !== conn || s.state !== 'valid') return SERIAL;
  const t = conn.server.registry.tree(s, buf.readUInt32LE(36));
  if (!t || t.share.ipc) return SERIAL;
  return kind;
}

/**
 * Payload bytes a concurrent request holds while in flight: its frame, or what a READ asks for. Capped
 * at the in-flight bound, so that any request can run once nothing else is in flight.
 */
export function requestBytes(buf: Buffer): number {
  let n = buf.length;
  if (buf.readUInt16LE(12) === Command.READ && buf.length >= 64 + 8) n = Math.max(n, buf.readUInt32LE(64 + 4));
  return n > MAX_INFLIGHT_BYTES ? MAX_INFLIGHT_BYTES : n;
}
