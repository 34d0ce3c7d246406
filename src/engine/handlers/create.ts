/**
 * CREATE (MS-SMB2 3.3.5.9, MS-FSA 2.1.5.1): open or create a file or directory by path relative to the
 * share root, with the tree's Unix identity (the kernel checks permissions and contains the path).
 * All dispositions; DIRECTORY_FILE / NON_DIRECTORY_FILE; delete-on-close; share modes between opens
 * (MS-FSA 2.1.5.1.2); DOS attributes (read-only, hidden/system on overwrite); MxAc and QFid contexts.
 * Oplocks (src/oplock): granted at the end, after a wait for the breaks a conflicting open starts; leases are
 * not granted (no lease context in the response).
 */
import {constants as C} from 'node:fs';
import {close as fsClose} from 'node:fs';
import {Access, CreateAction, CreateDisposition, CreateOptions, FileAttributes, ImpersonationLevel} from '../../smb2/constants.js';
import {CreateContextName, encodeMxAcResponse, encodeQFidResponse, findCreateContext, type CreateContext} from '../../smb2/contexts/create-contexts.js';
import {allocationSize, endOfFile, fileTimes} from '../../smb2/fscc/attrs.js';
import {decodeCreateRequest, encodeCreateResponse, type CreateRequest} from '../../smb2/messages/create.js';
import {NtStatus, NtStatusError} from '../../smb2/ntstatus.js';
import {FileTable, sharingConflict} from '../../state/file-table.js';
import type {Tree} from '../../state/tree.js';
import {fsError} from '../../vfs/errors.js';
import {storeMeta, storeNewMeta, type FileMeta} from '../../vfs/meta.js';
import {parseSmbPath} from '../../vfs/paths.js';
import {accessAllowed, inheritFrom, readStoredSd, sdFromMode, storeSd, unixGroupSid, unixUserSid, type SecurityDescriptor} from '../../vfs/ntacl.js';
import {baseOf, parentOf, PathNotFound, relOf, type Lookup, type ShareFs} from '../../vfs/share-fs.js';
import type {VfsStat} from '../../vfs/types.js';
import {filetimeFromUnixNs} from '../../wire/filetime.js';
import type {Reader} from '../../wire/reader.js';
import {breakForOpen, grantOplock, waitThenRetry} from '../../oplock/breaks.js';
import {reply, type HandlerResult, type RequestContext} from '../context.js';
import {createStream} from './create-stream.js';
import {mapGenericAccess, WRITE_ACCESS} from './files.js';

const D = CreateDisposition;
/** Linux O_PATH (node:fs does not export it): a descriptor for the object itself, no data access. */
export const O_PATH = 0o10000000;
/** CreateOptions bits that ask for something this server does not do (3.3.5.9: STATUS_NOT_SUPPORTED). */
const UNSUPPORTED_OPTIONS = CreateOptions.OPEN_BY_FILE_ID | CreateOptions.RESERVE_OPFILTER;
const READ_BITS = Access.FILE_READ_DATA | Access.FILE_EXECUTE;
const WRITE_BITS = Access.FILE_WRITE_DATA | Access.FILE_APPEND_DATA;
/** Attributes a client may give a new file (MS-FSA 2.1.5.1.2.1: the rest are ignored). */
const CREATE_ATTRIBUTES = 0x00007fb7 & ~FileAttributes.DIRECTORY;

function validate(req: CreateRequest): void {
  // 3.3.5.9: ImpersonationLevel beyond Delegate -> STATUS_BAD_IMPERSONATION_LEVEL.
  if (req.impersonationLevel > ImpersonationLevel.DELEGATE) throw new NtStatusError(NtStatus.BAD_IMPERSONATION_LEVEL);
  if (req.createDisposition > D.OVERWRITE_IF) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'CreateDisposition');
  const o = req.createOptions;
  if ((o & CreateOptions.DIRECTORY_FILE) && (o & CreateOptions.NON_DIRECTORY_FILE)) {
    throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'both DIRECTORY_FILE and NON_DIRECTORY_FILE');
  }
  // MS-FSA 2.1.5.1: a directory can only be created or opened, never overwritten or superseded.
  if ((o & CreateOptions.DIRECTORY_FILE) && req.createDisposition !== D.CREATE && req.createDisposition !== D.OPEN && req.createDisposition !== D.OPEN_IF) {
    throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'DIRECTORY_FILE with an overwriting disposition');
  }
  if (o & UNSUPPORTED_OPTIONS) throw new NtStatusError(NtStatus.NOT_SUPPORTED, 'open by file id / reserve opfilter');
  // 3.3.5.9: "If any of the bits in the mask 0x0CE0FE00 are set [in DesiredAccess], the server MUST fail ... with STATUS_ACCESS_DENIED."
  if (req.desiredAccess & 0x0ce0fe00) throw new NtStatusError(NtStatus.ACCESS_DENIED, 'reserved access bits');
  if (req.desiredAccess & Access.ACCESS_SYSTEM_SECURITY) throw new NtStatusError(NtStatus.PRIVILEGE_NOT_HELD, 'SACL access');
  if (req.fileAttributes & ~0x00007fb7) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'FileAttributes');
  // MS-FSA 2.1.5.1: DELETE_ON_CLOSE without DELETE access -> STATUS_ACCESS_DENIED (checked on the mapped mask below).
}

export function responseContexts(req: CreateRequest, maximal: number, st: VfsStat): CreateContext[] {
  const out: CreateContext[] = [];
  if (findCreateContext(req.createContexts, CreateContextName.QUERY_MAXIMAL_ACCESS_REQUEST)) {
    out.push({name: CreateContextName.QUERY_MAXIMAL_ACCESS_REQUEST, data: encodeMxAcResponse(NtStatus.SUCCESS, maximal)});
  }
  if (findCreateContext(req.createContexts, CreateContextName.QUERY_ON_DISK_ID)) {
    const disk = Buffer.alloc(16);
    disk.writeBigUInt64LE(BigInt.asUintN(64, st.ino), 0);
    disk.writeBigUInt64LE(BigInt.asUintN(64, st.dev), 8);
    const vol = Buffer.alloc(16);
    vol.writeBigUInt64LE(BigInt.asUintN(64, st.dev), 0);
    out.push({name: CreateContextName.QUERY_ON_DISK_ID, data: encodeQFidResponse(disk, vol)});
  }
  return out;
}

/** What the identity may do to a file, from its mode (the kernel decides at open; this is for MxAc). */
export function maximalFor(tree: Tree, fs: ShareFs, st: VfsStat, meta: FileMeta): number {
  let m = tree.maximalAccess;
  const id = fs.id;
  const bits = st.uid === id.uid ? (st.mode >> 6) & 7 : id.groups.includes(st.gid) || st.gid === id.gid ? (st.mode >> 3) & 7 : st.mode & 7;
  if (!(bits & 2) || (meta.attributes & FileAttributes.READONLY && !st.isDirectory)) m &= ~(WRITE_BITS | Access.FILE_WRITE_EA);
  if (!(bits & 4)) m &= ~(Access.FILE_READ_DATA | Access.FILE_READ_EA);
  return m >>> 0;
}

function closeFd(fd: number): void {
  if (fd >= 0) fsClose(fd, () => undefined);
}

interface Opened {
  fd: number;
  stat: VfsStat;
  granted: number;
}

/** Open an existing object with the Unix access the SMB access needs; MAXIMUM_ALLOWED takes what it can get. */
async function openExisting(fs: ShareFs, rel: string, dir: boolean, access: number, maximum: boolean, truncate: boolean): Promise<Opened> {
  if (dir) {
    try {
      const r = await fs.open(rel, C.O_RDONLY | C.O_DIRECTORY);
      return {...r, granted: access};
    } catch (e) {
      // Search permission only: the directory can still be opened by path (no listing).
      if ((e as NodeJS.ErrnoException).code !== 'EACCES' || ((access & Access.FILE_LIST_DIRECTORY) && !maximum)) throw e;
      const r = await fs.open(rel, O_PATH | C.O_DIRECTORY);
      return {...r, granted: access & ~Access.FILE_LIST_DIRECTORY};
    }
  }
  const wantRead = (access & READ_BITS) !== 0;
  const wantWrite = (access & WRITE_BITS) !== 0 || truncate;
  const flags = (wantRead && wantWrite ? C.O_RDWR : wantWrite ? C.O_WRONLY : wantRead ? C.O_RDONLY : O_PATH) | (truncate ? C.O_TRUNC : 0);
  if (!maximum) return {...(await fs.open(rel, flags)), granted: access};
  // MAXIMUM_ALLOWED: read-write, else read-only, else no data access at all.
  for (const [f, drop] of [[C.O_RDWR, 0], [C.O_RDONLY, WRITE_BITS], [O_PATH, WRITE_BITS | READ_BITS]] as const) {
    try {
      return {...(await fs.open(rel, f | (truncate ? C.O_TRUNC : 0))), granted: access & ~drop};
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EACCES' || f === O_PATH) throw e;
    }
  }
  throw new NtStatusError(NtStatus.ACCESS_DENIED);
}

/**
 * A descriptor a client set decides access on top of the Unix permissions (MS-FSA 2.1.5.1.2.1): what its
 * DACL does not grant is refused (MAXIMUM_ALLOWED is cut down instead); DELETE may also come from the
 * parent directory's FILE_DELETE_CHILD. Objects without a stored descriptor are the kernel's business alone.
 */
async function checkStoredSd(fs: ShareFs, rel: string, fd: number, access: number, maximum: boolean): Promise<number> {
  const sd = await readStoredSd(fs, {fd});
  if (!sd) return access;
  let allowed = accessAllowed(sd, fs.id.uid, fs.id.groups) | Access.FILE_READ_ATTRIBUTES | Access.SYNCHRONIZE;
  if (access & Access.DELETE && !(allowed & Access.DELETE) && rel !== '') {
    const parent = parentOf(rel);
    const psd = (await readStoredSd(fs, {rel: parent})) ?? sdFromMode(await fs.lstat(parent));
    if (accessAllowed(psd, fs.id.uid, fs.id.groups) & Access.FILE_DELETE_CHILD) allowed |= Access.DELETE;
  }
  if (maximum) return access & allowed;
  if (access & ~allowed) throw new NtStatusError(NtStatus.ACCESS_DENIED, 'the stored DACL does not grant it');
  return access;
}

/** A new object inherits the inheritable ACEs of its directory's stored descriptor `psd` (if it has one). */
async function inheritSd(fs: ShareFs, psd: SecurityDescriptor | undefined, fd: number, dir: boolean): Promise<void> {
  const aces = psd ? inheritFrom(psd, dir) : undefined;
  if (!aces) return;
  await storeSd(fs, fd, {control: 0, owner: unixUserSid(fs.id.uid), group: unixGroupSid(fs.id.gid), dacl: aces}).catch(() => undefined);
}

/** Dispositions that create a missing file. */
const CREATING: ReadonlySet<number> = new Set([D.CREATE, D.OPEN_IF, D.OVERWRITE_IF, D.SUPERSEDE]);

/** open(2) flags of a new file: read-write when the open may read, else write-only. */
function newFileFlags(access: number): number {
  return C.O_CREAT | C.O_EXCL | ((access & READ_BITS) ? C.O_RDWR : C.O_WRONLY);
}

/** Errors of the path walk: a missing or non-directory component on the way is OBJECT_PATH_NOT_FOUND. */
function lookupError(e: unknown): NtStatusError {
  if (e instanceof PathNotFound) return new NtStatusError(NtStatus.OBJECT_PATH_NOT_FOUND, 'a directory on the way is missing');
  return fsError(e, true);
}

export async function handleCreate(ctx: RequestContext, body: Reader): Promise<HandlerResult> {
  return createFrom(ctx, decodeCreateRequest(body));
}

/** The CREATE itself; run again from the start after waiting for oplock breaks. */
async function createFrom(ctx: RequestContext, req: CreateRequest): Promise<HandlerResult> {
  const tree = ctx.tree!;
  const fs = tree.fs;
  if (!fs) throw new NtStatusError(NtStatus.OBJECT_NAME_NOT_FOUND, 'not a disk share');
  validate(req);
  const smbPath = parseSmbPath(req.name);
  const wantDir = (req.createOptions & CreateOptions.DIRECTORY_FILE) !== 0 || smbPath.directoryStream === true;
  const wantFile = (req.createOptions & CreateOptions.NON_DIRECTORY_FILE) !== 0 || smbPath.defaultStream;
  const disposition = req.createDisposition;
  const maximum = (req.desiredAccess & Access.MAXIMUM_ALLOWED) !== 0;

  let access = mapGenericAccess(req.desiredAccess);
  if (maximum) access |= tree.maximalAccess;
  if (req.createOptions & CreateOptions.DELETE_ON_CLOSE && !(access & Access.DELETE)) {
    throw new NtStatusError(NtStatus.ACCESS_DENIED, 'DELETE_ON_CLOSE without DELETE');
  }
  if (!maximum) {
    if ((access & WRITE_ACCESS) && !tree.writable) throw new NtStatusError(NtStatus.ACCESS_DENIED, 'read-only share');
    if (access & ~tree.maximalAccess & 0x001f01ff) throw new NtStatusError(NtStatus.ACCESS_DENIED, 'access beyond the share');
  } else access &= tree.maximalAccess;
  // MS-FSA 2.1.5.1: the data stream (`name::$DATA`) is never a directory.
  if (smbPath.defaultStream && req.createOptions & CreateOptions.DIRECTORY_FILE) throw new NtStatusError(NtStatus.NOT_A_DIRECTORY, '::$DATA as a directory');
  if (smbPath.stream !== undefined) {
    if (!fs.options.streams) throw new NtStatusError(NtStatus.OBJECT_NAME_NOT_FOUND, 'named streams need vfs objects = streams_xattr');
    return createStream(ctx, req, smbPath, access, maximum);
  }

  // A new file whose directory's cached name list proves the name new is created at once (one request
  // instead of a lookup, then a create), the directory's descriptor read meanwhile; when that cannot be
  // decided there, nothing was created and the name is looked up as usual.
  let made: {rel: string; fd: number; stat: VfsStat} | undefined;
  let madeSd: Promise<SecurityDescriptor | undefined> | undefined;
  if (!wantDir && tree.writable && CREATING.has(disposition) && fs.knownNew(smbPath.components) &&
      !(req.fileAttributes & FileAttributes.READONLY && req.createOptions & CreateOptions.DELETE_ON_CLOSE)) {
    const sd = readStoredSd(fs, {rel: parentOf(relOf(smbPath.components))});
    made = await fs.createIfNew(smbPath.components, newFileFlags(access), fs.newMode(false));
    if (made) madeSd = sd;
  }
  let look: Lookup;
  if (made) look = {rel: made.rel, stat: undefined};
  else {
    try {
      look = await fs.lookup(smbPath.components);
    } catch (e) {
      throw lookupError(e);
    }
  }
  const rel = look.rel;
  let st = look.stat;
  // With `follow symlinks = no` a symlink is never opened through; with it, one leaving the share is EXDEV above.
  if (st && st.isSymlink) throw new NtStatusError(NtStatus.ACCESS_DENIED, 'symlink not followed');
  if (st && !st.isFile && !st.isDirectory) throw new NtStatusError(NtStatus.ACCESS_DENIED, 'not a regular file or directory');
  const files = ctx.server.registry.files;
  let action: number = CreateAction.OPENED;
  let opened: Opened | undefined;
  let meta: FileMeta;
  /** meta.stat was taken after every change this CREATE made (no closing fstat needed). */
  let fresh = false;
  const isOverwrite = disposition === D.OVERWRITE || disposition === D.OVERWRITE_IF || disposition === D.SUPERSEDE;
  try {
    if (st) {
      if (disposition === D.CREATE) throw new NtStatusError(NtStatus.OBJECT_NAME_COLLISION);
      if (wantDir && !st.isDirectory) throw new NtStatusError(NtStatus.NOT_A_DIRECTORY);
      if (wantFile && st.isDirectory) throw new NtStatusError(NtStatus.FILE_IS_A_DIRECTORY);
      if (isOverwrite && st.isDirectory) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'overwrite of a directory');
      if (isOverwrite && !tree.writable) throw new NtStatusError(NtStatus.ACCESS_DENIED, 'read-only share');
      const pre = files.get(FileTable.keyOf(st.dev, st.ino));
      if (pre?.deletePending) throw new NtStatusError(NtStatus.DELETE_PENDING);
      // MS-FSA 2.1.5.1.2: batch oplocks break before the sharing check (the holder may close), others after it.
      let wait = breakForOpen(ctx, pre, 'batch', isOverwrite, access);
      if (wait) return waitThenRetry(ctx, wait, () => createFrom(ctx, req));
      if (pre) for (const other of pre.opens) if (sharingConflict(access, req.shareAccess, other)) throw new NtStatusError(NtStatus.SHARING_VIOLATION);
      wait = breakForOpen(ctx, pre, 'other', isOverwrite, access);
      if (wait) return waitThenRetry(ctx, wait, () => createFrom(ctx, req));
      opened = await openExisting(fs, rel, st.isDirectory, access, maximum, false);
      access = opened.granted;
      access = await checkStoredSd(fs, rel, opened.fd, access, maximum);
      meta = await fs.meta(opened.stat, baseOf(rel), {fd: opened.fd});
      const attrs = meta.attributes;
      if (!st.isDirectory && attrs & FileAttributes.READONLY) {
        if (req.createOptions & CreateOptions.DELETE_ON_CLOSE) throw new NtStatusError(NtStatus.CANNOT_DELETE, 'read-only file');
        if (isOverwrite || (access & WRITE_BITS && !maximum)) throw new NtStatusError(NtStatus.ACCESS_DENIED, 'read-only file');
        if (maximum) access &= ~WRITE_BITS;
      }
      if (isOverwrite) {
        // MS-FSA 2.1.5.1.2.1: overwriting a hidden or system file must keep saying so.
        const keep = FileAttributes.HIDDEN | FileAttributes.SYSTEM;
        if ((attrs & keep & ~req.fileAttributes) !== 0) throw new NtStatusError(NtStatus.ACCESS_DENIED, 'overwrite drops HIDDEN/SYSTEM');
        closeFd(opened.fd);
        opened = undefined;
        opened = await openExisting(fs, rel, false, access | Access.FILE_WRITE_DATA, false, true);
        opened.granted = access;
        const newAttrs = (req.fileAttributes & CREATE_ATTRIBUTES) | FileAttributes.ARCHIVE;
        await storeMeta(fs, opened.fd, opened.stat, newAttrs, undefined);
        meta = await fs.meta(opened.stat, baseOf(rel), {fd: opened.fd});
        action = disposition === D.SUPERSEDE ? CreateAction.SUPERSEDED : CreateAction.OVERWRITTEN;
      }
    } else {
      if (disposition === D.OPEN || disposition === D.OVERWRITE) throw new NtStatusError(NtStatus.OBJECT_NAME_NOT_FOUND);
      if (!tree.writable) throw new NtStatusError(NtStatus.ACCESS_DENIED, 'read-only share');
      if (smbPath.components.length === 0) throw new NtStatusError(NtStatus.OBJECT_NAME_COLLISION);
      if (req.fileAttributes & FileAttributes.READONLY && req.createOptions & CreateOptions.DELETE_ON_CLOSE) {
        throw new NtStatusError(NtStatus.CANNOT_DELETE, 'read-only file with delete-on-close');
      }
      let psd: SecurityDescriptor | undefined;
      if (wantDir) {
        await fs.mkdir(rel, fs.newMode(true));
        opened = {...(await fs.open(rel, C.O_RDONLY | C.O_DIRECTORY)), granted: access};
        psd = await readStoredSd(fs, {rel: parentOf(rel)});
      } else {
        // The directory's descriptor is read while the file is created (it does not depend on the file).
        const [file, sd] = await Promise.all([made ?? fs.createFile(rel, newFileFlags(access), fs.newMode(false)),
          madeSd ?? readStoredSd(fs, {rel: parentOf(rel)})]);
        opened = {...file, granted: access};
        psd = sd;
      }
      await inheritSd(fs, psd, opened.fd, wantDir);
      const attrs = (req.fileAttributes & CREATE_ATTRIBUTES) | (wantDir ? FileAttributes.DIRECTORY : FileAttributes.ARCHIVE);
      const birth = opened.stat.birthtimeNs > 0n ? opened.stat.birthtimeNs : opened.stat.mtimeNs;
      // Store, stat after the store, and the attributes that were stored: one request when it can be.
      const stored = await storeNewMeta(fs, opened.fd, opened.stat, attrs, filetimeFromUnixNs(birth), baseOf(rel));
      if (stored) {
        meta = stored;
        fresh = true;
      } else {
        await storeMeta(fs, opened.fd, opened.stat, attrs, filetimeFromUnixNs(birth)).catch(() => undefined);
        meta = await fs.meta(opened.stat, baseOf(rel), {fd: opened.fd});
      }
      action = CreateAction.CREATED;
    }
    if (!fresh) {
      // Times and sizes after everything above (overwrite truncated; attributes may have changed ctime).
      const now = await fs.fstat(opened.fd);
      meta = {...meta, stat: {...now, birthtimeNs: meta.stat.birthtimeNs}};
    }
  } catch (e) {
    if (opened) closeFd(opened.fd);
    else if (made) closeFd(made.fd);
    if (e instanceof NtStatusError) throw e;
    if ((e as NodeJS.ErrnoException).code === 'EEXIST') throw new NtStatusError(NtStatus.OBJECT_NAME_COLLISION);
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') throw new NtStatusError(NtStatus.OBJECT_NAME_NOT_FOUND, 'vanished');
    throw fsError(e, true);
  }
  st = meta.stat;
  // The tree (or session) may have gone while the file system answered.
  if (!tree.alive || !ctx.session?.alive) {
    closeFd(opened.fd);
    throw new NtStatusError(NtStatus.NETWORK_NAME_DELETED);
  }
  // Share modes again, now without an await before registering: another CREATE may have won meanwhile.
  const entry = files.acquire(FileTable.keyOf(st.dev, st.ino));
  for (const other of entry.opens) {
    if (sharingConflict(access, req.shareAccess, other)) {
      files.release(entry);
      closeFd(opened.fd);
      throw new NtStatusError(NtStatus.SHARING_VIOLATION);
    }
  }
  if (entry.deletePending) {
    files.release(entry);
    closeFd(opened.fd);
    throw new NtStatusError(NtStatus.DELETE_PENDING);
  }
  const o = ctx.server.registry.addOpen(tree, {
    fs,
    rel,
    isDirectory: st.isDirectory,
    grantedAccess: access >>> 0,
    shareAccess: req.shareAccess,
    createOptions: req.createOptions,
    fd: opened.fd,
    stat: st,
    entry,
  });
  if (!o) {
    files.release(entry);
    closeFd(opened.fd);
    throw new NtStatusError(NtStatus.INSUFFICIENT_RESOURCES, 'open table full');
  }
  if (req.createOptions & CreateOptions.DELETE_ON_CLOSE) o.deleteOnClose = true;
  const oplockLevel = grantOplock(ctx, o, req.requestedOplockLevel);
  const id = BigInt(o.id);
  ctx.chain.fileVolatile = id;
  ctx.chain.filePersistent = id;
  if (ctx.server.log.isDebug('vfs')) ctx.server.log.debug('vfs', `CREATE \`${req.name}' disposition ${disposition} -> action ${action} (fid ${o.id})`);
  return createReply(req, tree, fs, st, meta, oplockLevel, action, id);
}

/** The CREATE response for an open of `st` (a file, directory or named stream) with `meta`'s attributes. */
export function createReply(req: CreateRequest, tree: Tree, fs: ShareFs, st: VfsStat, meta: FileMeta, oplockLevel: number, action: number, id: bigint): HandlerResult {
  const t = fileTimes(st);
  return reply(encodeCreateResponse, {
    oplockLevel,
    flags: 0,
    createAction: action,
    creationTime: t.creation,
    lastAccessTime: t.lastAccess,
    lastWriteTime: t.lastWrite,
    changeTime: t.change,
    allocationSize: allocationSize(st),
    endOfFile: endOfFile(st),
    fileAttributes: meta.attributes,
    fileId: {persistent: id, volatile: id},
    createContexts: responseContexts(req, maximalFor(tree, fs, st, meta), st),
  });
}
