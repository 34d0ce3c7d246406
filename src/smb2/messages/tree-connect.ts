/**
 * SMB2 TREE_CONNECT request (MS-SMB2 2.2.9, with the 3.1.1 Request Extension 2.2.9.1 and contexts 2.2.9.2)
 * and response (2.2.10).
 *
 * The Flags field exists only in 3.1.1; earlier dialects call it Reserved, so the decoder needs the
 * connection's dialect: a 3.0.2 client's stray 0x0004 must not make us parse an extension.
 * With EXTENSION_PRESENT the Buffer starts with a 16-byte extension header; PathOffset/PathLength still
 * locate the path (from the SMB2 header, 2.2.9), which then sits inside the extension (PathName), and
 * TreeConnectContextOffset counts "from the start of the SMB2 TREE_CONNECT request" (2.2.9.1), i.e. from
 * the first byte after the SMB2 header.
 */
import {MalformedPacket} from '../../wire/errors.js';
import type {Reader} from '../../wire/reader.js';
import {padTo} from '../../wire/reader.js';
import {decodeUtf16, encodeUtf16} from '../../wire/utf16.js';
import type {Writer} from '../../wire/writer.js';
import {Dialect, SMB2_HEADER_SIZE, TreeConnectFlags} from '../constants.js';
import {beginBody, bufferAt, headerStart, requireFixed} from './common.js';

export const TREE_CONNECT_REQUEST_SIZE = 9;
export const TREE_CONNECT_RESPONSE_SIZE = 16;
/** TreeConnectContextOffset (4) + TreeConnectContextCount (2) + Reserved (10). */
export const TREE_CONNECT_EXTENSION_HEADER_SIZE = 16;

export interface TreeConnectContext {
  type: number;
  /** A view. */
  data: Buffer;
}

export interface TreeConnectRequest {
  /** Raw Flags/Reserved. */
  flags: number;
  /** "\\server\share" as sent. */
  path: string;
  /** True only for a 3.1.1 request with EXTENSION_PRESENT. */
  extensionPresent: boolean;
  contexts: TreeConnectContext[];
}

export function decodeTreeConnectRequest(r: Reader, dialect: number): TreeConnectRequest {
  const hdr = beginBody(r, TREE_CONNECT_REQUEST_SIZE, 'TREE_CONNECT request');
  requireFixed(r, hdr, TREE_CONNECT_REQUEST_SIZE, 'TREE_CONNECT request');
  const flags = r.u16();
  const pathOffset = r.u16();
  const pathLength = r.u16();
  // 2.2.9: Flags are interpreted "In the SMB 3.1.1 dialect"; "Otherwise, this field is interpreted as the
  // Reserved field" and "MUST be ignored" by the server.
  const extensionPresent = dialect === Dialect.SMB3_1_1 && (flags & TreeConnectFlags.EXTENSION_PRESENT) !== 0;
  const bodyStart = hdr + SMB2_HEADER_SIZE;
  let fixed = TREE_CONNECT_REQUEST_SIZE - 1;
  let contexts: TreeConnectContext[] = [];
  if (extensionPresent) {
    // 2.2.9.1: "the following structure MUST be added at the beginning of the Buffer field."
    const ext = r.sub(r.offset, TREE_CONNECT_EXTENSION_HEADER_SIZE);
    const ctxOffset = ext.u32();
    const ctxCount = ext.u16();
    fixed += TREE_CONNECT_EXTENSION_HEADER_SIZE;
    contexts = decodeTreeConnectContexts(r, bodyStart, ctxOffset, ctxCount, fixed);
  }
  const raw = bufferAt(r, hdr, pathOffset, pathLength, fixed, 'TREE_CONNECT path');
  const path = decodeUtf16(raw);
  r.seek(r.end);
  return {flags, path, extensionPresent, contexts};
}

function decodeTreeConnectContexts(
  r: Reader,
  bodyStart: number,
  offset: number,
  count: number,
  fixed: number,
): TreeConnectContext[] {
  if (count === 0) return [];
  if (offset < fixed) {
    throw new MalformedPacket(`TreeConnectContextOffset ${offset} points into the fixed part`, r.offset);
  }
  const out: TreeConnectContext[] = [];
  let pos = bodyStart + offset;
  for (let i = 0; i < count; i++) {
    if (i > 0) pos += padTo(pos - bodyStart, 8);
    const head = r.sub(pos, 8);
    const type = head.u16();
    const len = head.u16();
    out.push({type, data: r.slice(pos + 8, len)});
    pos += 8 + len;
  }
  return out;
}

export function encodeTreeConnectRequest(w: Writer, m: Omit<TreeConnectRequest, 'extensionPresent'> & {extensionPresent?: boolean}): void {
  const hdr = headerStart(w);
  const ext = m.extensionPresent === true || m.contexts.length > 0;
  const flags = ext ? m.flags | TreeConnectFlags.EXTENSION_PRESENT : m.flags;
  const path = encodeUtf16(m.path);
  const bufOff = SMB2_HEADER_SIZE + TREE_CONNECT_REQUEST_SIZE - 1;
  const pathOff = ext ? bufOff + TREE_CONNECT_EXTENSION_HEADER_SIZE : bufOff;
  w.u16(TREE_CONNECT_REQUEST_SIZE).u16(flags).u16(pathOff).u16(path.length);
  if (!ext) {
    if (path.length > 0) w.bytes(path);
    else w.u8(0);
    return;
  }
  const ctxOffAt = w.reserve(4);
  w.u16(m.contexts.length).zeros(10);
  w.bytes(path);
  if (m.contexts.length > 0) {
    const bodyStart = hdr + SMB2_HEADER_SIZE;
    w.align(8, bodyStart);
    w.patchU32(ctxOffAt, w.length - bodyStart);
    m.contexts.forEach((c, i) => {
      if (i > 0) w.align(8, bodyStart);
      w.u16(c.type).u16(c.data.length).u32(0).bytes(c.data);
    });
  }
}

export interface TreeConnectResponse {
  shareType: number;
  shareFlags: number;
  capabilities: number;
  maximalAccess: number;
}

export function decodeTreeConnectResponse(r: Reader): TreeConnectResponse {
  const hdr = beginBody(r, TREE_CONNECT_RESPONSE_SIZE, 'TREE_CONNECT response');
  requireFixed(r, hdr, TREE_CONNECT_RESPONSE_SIZE, 'TREE_CONNECT response');
  const shareType = r.u8();
  r.skip(1);
  return {shareType, shareFlags: r.u32(), capabilities: r.u32(), maximalAccess: r.u32()};
}

export function encodeTreeConnectResponse(w: Writer, m: TreeConnectResponse): void {
  headerStart(w);
  w.u16(TREE_CONNECT_RESPONSE_SIZE).u8(m.shareType).u8(0).u32(m.shareFlags).u32(m.capabilities).u32(m.maximalAccess);
}
