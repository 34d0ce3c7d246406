import {describe, expect, it} from 'vitest';
import {MalformedPacket} from '../../../src/wire/errors.js';
import {Access, Command, CreateDisposition, CreateOptions, OplockLevel} from '../../../src/smb2/constants.js';
import {CreateContextName, encodeLease, encodeMxAcResponse} from '../../../src/smb2/contexts/create-contexts.js';
import {
  decodeCreateRequest,
  decodeCreateResponse,
  encodeCreateRequest,
  encodeCreateResponse,
  type CreateRequest,
} from '../../../src/smb2/messages/create.js';
import {FID, body, expectBadStructureSizeThrows, expectTruncationsThrow, patched, roundTrip} from './helpers.js';

const req: CreateRequest = {
  securityFlags: 0,
  requestedOplockLevel: OplockLevel.LEASE,
  impersonationLevel: 2,
  smbCreateFlags: 0n,
  desiredAccess: (Access.GENERIC_READ | Access.SYNCHRONIZE) >>> 0, // JS bit ops are signed: decoders return unsigned
  fileAttributes: 0,
  shareAccess: 7,
  createDisposition: CreateDisposition.OPEN_IF,
  createOptions: CreateOptions.NON_DIRECTORY_FILE,
  name: 'dir\\file.txt',
  createContexts: [
    {name: CreateContextName.QUERY_MAXIMAL_ACCESS_REQUEST, data: Buffer.alloc(0)},
    {name: CreateContextName.REQUEST_LEASE, data: encodeLease({leaseKey: Buffer.alloc(16, 1), leaseState: 7, leaseFlags: 0, leaseDuration: 0n})},
    {name: CreateContextName.APP_INSTANCE_ID, data: Buffer.alloc(20, 2)},
  ],
};

describe('CREATE request (2.2.13)', () => {
  it('round-trips name and contexts, with the list 8-aligned', () => {
    const {bytes, value} = roundTrip(Command.CREATE, encodeCreateRequest, decodeCreateRequest, req);
    expect(value).toEqual(req);
    expect(bytes.readUInt16LE(64 + 44)).toBe(120);
    expect(bytes.readUInt32LE(64 + 48) % 8).toBe(0);
  });

  it('an empty name (share root) still sends one Buffer byte', () => {
    const v = {...req, name: '', createContexts: []};
    const {bytes, value} = roundTrip(Command.CREATE, encodeCreateRequest, decodeCreateRequest, v);
    expect(value).toEqual(v);
    expect(bytes.length).toBe(64 + 57);
  });

  const good = roundTrip(Command.CREATE, encodeCreateRequest, decodeCreateRequest, req).bytes;
  it('rejects truncations and a wrong StructureSize', () => {
    expectTruncationsThrow(good, decodeCreateRequest);
    expectBadStructureSizeThrows(good, decodeCreateRequest);
  });
  it('rejects an odd name length', () => expect(() => body(patched(good, 46, 23), decodeCreateRequest)).toThrow(/odd/));
  it('rejects a name past the end', () => expect(() => body(patched(good, 46, 0x7000), decodeCreateRequest)).toThrow(MalformedPacket));
  it('rejects unaligned contexts', () => {
    const off = good.readUInt32LE(64 + 48);
    expect(() => body(patched(good, 48, off + 4, 4), decodeCreateRequest)).toThrow(/aligned/);
  });
  it('rejects a context list longer than the message', () => {
    const len = good.readUInt32LE(64 + 52);
    expect(() => body(patched(good, 52, len + 8, 4), decodeCreateRequest)).toThrow(MalformedPacket);
  });
});

describe('CREATE response (2.2.14)', () => {
  const resp = {
    oplockLevel: OplockLevel.LEASE,
    flags: 0,
    createAction: 1,
    creationTime: 1n,
    lastAccessTime: 2n,
    lastWriteTime: 3n,
    changeTime: 4n,
    allocationSize: 4096n,
    endOfFile: 10n,
    fileAttributes: 0x20,
    fileId: FID,
    createContexts: [{name: 'MxAc', data: encodeMxAcResponse(0, 0x1f01ff)}],
  };
  it('round-trips', () => {
    const {bytes, value} = roundTrip(Command.CREATE, encodeCreateResponse, decodeCreateResponse, resp);
    expect(value).toEqual(resp);
    expect(bytes.readUInt32LE(64 + 80)).toBe(152);
    expectTruncationsThrow(bytes, decodeCreateResponse);
    expectBadStructureSizeThrows(bytes, decodeCreateResponse);
  });
  it('round-trips without contexts', () => {
    const v = {...resp, createContexts: []};
    expect(roundTrip(Command.CREATE, encodeCreateResponse, decodeCreateResponse, v).value).toEqual(v);
  });
});
