import {describe, expect, it} from 'vitest';
import {MalformedPacket} from '../../../src/wire/errors.js';
import {Command, Dialect, ShareType, TreeConnectFlags} from '../../../src/smb2/constants.js';
import {
  decodeTreeConnectRequest,
  decodeTreeConnectResponse,
  encodeTreeConnectRequest,
  encodeTreeConnectResponse,
} from '../../../src/smb2/messages/tree-connect.js';
import {body, expectBadStructureSizeThrows, expectTruncationsThrow, message, patched, roundTrip} from './helpers.js';

const dec311 = (r: Parameters<typeof decodeTreeConnectRequest>[0]) => decodeTreeConnectRequest(r, Dialect.SMB3_1_1);
const dec302 = (r: Parameters<typeof decodeTreeConnectRequest>[0]) => decodeTreeConnectRequest(r, Dialect.SMB3_0_2);

describe('TREE_CONNECT (2.2.9, 2.2.10)', () => {
  const plain = {flags: 0, path: '\\\\server\\share', contexts: []};

  it('plain request: path right after the fixed part (offset 72)', () => {
    const m = message(Command.TREE_CONNECT, encodeTreeConnectRequest, plain);
    expect(m.readUInt16LE(64 + 4)).toBe(72);
    expect(body(m, dec311).value).toEqual({...plain, extensionPresent: false});
  });

  it('3.1.1 extension: path inside the extension, contexts after it', () => {
    const v = {flags: TreeConnectFlags.REDIRECT_TO_OWNER, path: '\\\\srv\\ipc$', contexts: [{type: 1, data: Buffer.from('identity')}, {type: 7, data: Buffer.from('x')}]};
    const m = message(Command.TREE_CONNECT, encodeTreeConnectRequest, v);
    expect(m.readUInt16LE(64 + 2)).toBe(TreeConnectFlags.REDIRECT_TO_OWNER | TreeConnectFlags.EXTENSION_PRESENT);
    expect(m.readUInt16LE(64 + 4)).toBe(72 + 16);
    const got = body(m, dec311).value;
    expect(got.path).toBe(v.path);
    expect(got.extensionPresent).toBe(true);
    expect(got.contexts).toEqual(v.contexts);
  });

  it('extension flag from a pre-3.1.1 client is Reserved and ignored', () => {
    const m = patched(message(Command.TREE_CONNECT, encodeTreeConnectRequest, plain), 2, TreeConnectFlags.EXTENSION_PRESENT);
    const v = body(m, dec302).value;
    expect(v.extensionPresent).toBe(false);
    expect(v.path).toBe(plain.path);
    // the same bytes read as 3.1.1 would parse the path's first 16 bytes as an extension header and fail
    expect(() => body(m, dec311)).toThrow(MalformedPacket);
  });

  it('rejects malformed requests', () => {
    const m = message(Command.TREE_CONNECT, encodeTreeConnectRequest, plain);
    expectTruncationsThrow(m, dec311);
    expectBadStructureSizeThrows(m, dec311);
    expect(() => body(patched(m, 6, 5), dec311)).toThrow(/odd length/);
    expect(() => body(patched(m, 4, 64), dec311)).toThrow(/fixed part/);
    expect(() => body(patched(m, 6, 200), dec311)).toThrow(/past the message end/);
  });

  it('rejects an extension whose contexts run past the end', () => {
    const v = {flags: 0, path: '\\\\s\\x', contexts: [{type: 1, data: Buffer.from('abc')}]};
    const m = message(Command.TREE_CONNECT, encodeTreeConnectRequest, v);
    expect(() => body(patched(m, 8, 0x400, 4), dec311)).toThrow(MalformedPacket);
    expect(() => body(patched(m, 8, 4, 4), dec311)).toThrow(/fixed part/);
  });

  it('response round trip', () => {
    const v = {shareType: ShareType.DISK, shareFlags: 0x800, capabilities: 0, maximalAccess: 0x1f01ff};
    const {bytes, value} = roundTrip(Command.TREE_CONNECT, encodeTreeConnectResponse, decodeTreeConnectResponse, v);
    expect(value).toEqual(v);
    expect(bytes.length).toBe(80);
    expectTruncationsThrow(bytes, decodeTreeConnectResponse);
    expectBadStructureSizeThrows(bytes, decodeTreeConnectResponse);
  });
});
