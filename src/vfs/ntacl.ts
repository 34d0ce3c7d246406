/**
 * Security descriptors (MS-DTYP 2.4.6, self-relative) for QUERY_INFO / SET_INFO SECURITY. Without a stored
 * descriptor, one is derived from the Unix owner, group and mode: owner S-1-22-1-uid, group S-1-22-2-gid
 * (Samba's Unix SIDs) and a DACL granting each of owner, group and Everyone what its rwx bits allow.
 * A descriptor a client sets is kept whole in `user.ksmbd.sd` (our own name: Samba's security.NTACL lives in
 * a namespace only root may write) and returned from then on; its DACL also decides access for later opens
 * (see accessAllowed) and is inherited by new files and directories (inheritFrom).
 */
import * as ops from './identity-ops.js';
import type {ShareFs} from './share-fs.js';
import type {VfsStat} from './types.js';

export const SD_XATTR = 'user.ksmbd.sd';

export const SecInfo = {OWNER: 1, GROUP: 2, DACL: 4, SACL: 8} as const;
const SE_DACL_PRESENT = 0x0004;
const SE_SELF_RELATIVE = 0x8000;
const ACCESS_ALLOWED = 0;
const ACCESS_DENIED = 1;
const OBJECT_INHERIT = 0x01;
const CONTAINER_INHERIT = 0x02;
const NO_PROPAGATE = 0x04;
const INHERIT_ONLY = 0x08;
const INHERITED = 0x10;

const FILE_GENERIC_READ = 0x00120089;
const FILE_GENERIC_WRITE = 0x00120116;
const FILE_GENERIC_EXECUTE = 0x001200a0;
const OWNER_EXTRA = 0x000f0000 | 0x00000100; // DELETE, READ_CONTROL, WRITE_DAC, WRITE_OWNER, WRITE_ATTRIBUTES

export interface Ace {
  type: number;
  flags: number;
  mask: number;
  sid: Buffer;
}

export interface SecurityDescriptor {
  control: number;
  owner: Buffer | undefined;
  group: Buffer | undefined;
  dacl: Ace[] | undefined;
}

export function sid(authority: number, ...subs: number[]): Buffer {
  const b = Buffer.alloc(8 + subs.length * 4);
  b[0] = 1;
  b[1] = subs.length;
  b.writeUIntBE(authority, 2, 6);
  subs.forEach((s, i) => b.writeUInt32LE(s >>> 0, 8 + i * 4));
  return b;
}

export const EVERYONE = sid(1, 0);
export const unixUserSid = (uid: number) => sid(22, 1, uid);
export const unixGroupSid = (gid: number) => sid(22, 2, gid);

function readSid(b: Buffer, at: number): Buffer | undefined {
  if (at === 0) return undefined;
  if (at + 8 > b.length || b[at] !== 1) throw new Error('bad SID');
  const len = 8 + b[at + 1]! * 4;
  if (at + len > b.length) throw new Error('SID past the end');
  return Buffer.from(b.subarray(at, at + len));
}

function readAcl(b: Buffer, at: number): Ace[] {
  if (at + 8 > b.length) throw new Error('ACL past the end');
  const size = b.readUInt16LE(at + 2);
  const count = b.readUInt16LE(at + 4);
  if (at + size > b.length) throw new Error('ACL past the end');
  const aces: Ace[] = [];
  let p = at + 8;
  for (let i = 0; i < count; i++) {
    if (p + 8 > at + size) throw new Error('ACE past the ACL');
    const type = b[p]!;
    const flags = b[p + 1]!;
    const aceSize = b.readUInt16LE(p + 2);
    if (aceSize < 8 || p + aceSize > at + size) throw new Error('bad ACE size');
    if (type === ACCESS_ALLOWED || type === ACCESS_DENIED) {
      aces.push({type, flags, mask: b.readUInt32LE(p + 4), sid: readSid(b, p + 8)!});
    }
    p += aceSize;
  }
  return aces;
}

/** Parse a self-relative descriptor; throws on anything malformed. */
export function decodeSd(b: Buffer): SecurityDescriptor {
  if (b.length < 20 || b[0] !== 1) throw new Error('bad security descriptor');
  const control = b.readUInt16LE(2);
  const owner = readSid(b, b.readUInt32LE(4));
  const group = readSid(b, b.readUInt32LE(8));
  const daclAt = b.readUInt32LE(16);
  const dacl = control & SE_DACL_PRESENT && daclAt !== 0 ? readAcl(b, daclAt) : undefined;
  return {control, owner, group, dacl};
}

function encodeAcl(aces: Ace[]): Buffer {
  const parts = aces.map((a) => {
    const e = Buffer.alloc(8 + a.sid.length);
    e[0] = a.type;
    e[1] = a.flags;
    e.writeUInt16LE(e.length, 2);
    e.writeUInt32LE(a.mask >>> 0, 4);
    a.sid.copy(e, 8);
    return e;
  });
  const body = Buffer.concat(parts);
  const h = Buffer.alloc(8);
  h[0] = 2;
  h.writeUInt16LE(8 + body.length, 2);
  h.writeUInt16LE(aces.length, 4);
  return Buffer.concat([h, body]);
}

/** The parts `info` asks for, self-relative: header, owner, group, DACL (no SACL is ever kept). */
export function encodeSd(sd: SecurityDescriptor, info: number): Buffer {
  const owner = info & SecInfo.OWNER ? sd.owner : undefined;
  const group = info & SecInfo.GROUP ? sd.group : undefined;
  const dacl = info & SecInfo.DACL && sd.dacl ? encodeAcl(sd.dacl) : undefined;
  const h = Buffer.alloc(20);
  h[0] = 1;
  h.writeUInt16LE(SE_SELF_RELATIVE | (dacl ? SE_DACL_PRESENT : 0) | (sd.control & 0x0c00), 2);
  let at = 20;
  const parts: Buffer[] = [h];
  if (owner) {
    h.writeUInt32LE(at, 4);
    parts.push(owner);
    at += owner.length;
  }
  if (group) {
    h.writeUInt32LE(at, 8);
    parts.push(group);
    at += group.length;
  }
  if (dacl) {
    h.writeUInt32LE(at, 16);
    parts.push(dacl);
  }
  return Buffer.concat(parts);
}

function rwxMask(bits: number, owner: boolean, dir: boolean): number {
  let m = 0;
  if (bits & 4) m |= FILE_GENERIC_READ;
  if (bits & 2) m |= FILE_GENERIC_WRITE | (dir ? 0x40 : 0); // FILE_DELETE_CHILD for directories
  if (bits & 1) m |= FILE_GENERIC_EXECUTE;
  if (owner) m |= OWNER_EXTRA | 0x00020000 | 0x00000080; // READ_CONTROL, READ_ATTRIBUTES always
  return m >>> 0;
}

/** The descriptor a file without a stored one shows: its Unix ownership and mode. */
export function sdFromMode(st: VfsStat): SecurityDescriptor {
  const dir = st.isDirectory;
  return {
    control: 0,
    owner: unixUserSid(st.uid),
    group: unixGroupSid(st.gid),
    dacl: [
      {type: ACCESS_ALLOWED, flags: 0, mask: rwxMask((st.mode >> 6) & 7, true, dir), sid: unixUserSid(st.uid)},
      {type: ACCESS_ALLOWED, flags: 0, mask: rwxMask((st.mode >> 3) & 7, false, dir), sid: unixGroupSid(st.gid)},
      {type: ACCESS_ALLOWED, flags: 0, mask: rwxMask(st.mode & 7, false, dir), sid: EVERYONE},
    ],
  };
}

/** Merge the parts a SET_INFO names into the current descriptor. */
export function mergeSd(current: SecurityDescriptor, update: SecurityDescriptor, info: number): SecurityDescriptor {
  return {
    control: info & SecInfo.DACL ? update.control : current.control,
    owner: info & SecInfo.OWNER && update.owner ? update.owner : current.owner,
    group: info & SecInfo.GROUP && update.group ? update.group : current.group,
    dacl: info & SecInfo.DACL ? update.dacl : current.dacl,
  };
}

/**
 * What a stored DACL grants the identity (its user and group SIDs and Everyone): allowed minus denied,
 * in ACE order as MS-DTYP 2.5.3.2 evaluates them. A missing DACL grants everything. The owner may always
 * read and change the descriptor.
 */
export function accessAllowed(sd: SecurityDescriptor, uid: number, groups: readonly number[]): number {
  if (!sd.dacl) return 0x001f01ff;
  const mine = [unixUserSid(uid), EVERYONE, sid(5, 11), ...groups.map(unixGroupSid)];
  let granted = 0;
  let denied = 0;
  for (const a of sd.dacl) {
    if (a.flags & INHERIT_ONLY) continue;
    if (!mine.some((s) => s.equals(a.sid))) continue;
    if (a.type === ACCESS_ALLOWED) granted |= a.mask & ~denied;
    else denied |= a.mask & ~granted;
  }
  if (sd.owner?.equals(unixUserSid(uid))) granted |= 0x00060000; // READ_CONTROL | WRITE_DAC
  return (granted & 0x001f01ff) >>> 0;
}

/** MS-DTYP 2.5.3.4 (simplified): the ACEs a new child inherits from its directory's DACL, or undefined. */
export function inheritFrom(parent: SecurityDescriptor, dir: boolean): Ace[] | undefined {
  if (!parent.dacl) return undefined;
  const out: Ace[] = [];
  for (const a of parent.dacl) {
    const applies = dir ? a.flags & CONTAINER_INHERIT : a.flags & OBJECT_INHERIT;
    if (!applies) continue;
    let flags = INHERITED;
    if (dir && !(a.flags & NO_PROPAGATE)) flags |= a.flags & (OBJECT_INHERIT | CONTAINER_INHERIT);
    out.push({type: a.type, flags, mask: a.mask, sid: a.sid});
  }
  return out.length > 0 ? out : undefined;
}

/** The stored descriptor of an open object (by fd) or a path, or undefined when none was ever set. */
export async function readStoredSd(fs: ShareFs, where: {fd: number} | {rel: string}): Promise<SecurityDescriptor | undefined> {
  if (!fs.xattrs) return undefined;
  let b: Buffer;
  try {
    b = 'fd' in where ? await ops.fgetxattr(where.fd, SD_XATTR, fs.id) : await ops.getxattr(fs.root, where.rel, SD_XATTR, fs.id);
  } catch {
    return undefined;
  }
  try {
    return decodeSd(b);
  } catch {
    return undefined; // not ours to judge: the mode decides
  }
}

export async function storeSd(fs: ShareFs, fd: number, sd: SecurityDescriptor): Promise<void> {
  await ops.fsetxattr(fd, SD_XATTR, encodeSd(sd, SecInfo.OWNER | SecInfo.GROUP | SecInfo.DACL), fs.id);
}
