/**
 * CREATE of a named data stream, `file:stream[:$DATA]` (MS-FSA 2.1.5.1, streams kept in xattrs as Samba's
 * vfs_streams_xattr and ksmbd keep them: src/vfs/streams.ts). The base file is created when it is missing
 * and the disposition creates (Windows does the same); the stream itself follows the disposition. The open
 * holds a descriptor of the base object (read-only, or read-write when the stream is opened for writing,
 * so the kernel checks the Unix permissions once at open); the stream's bytes stay in the xattr.
 */
import {constants as C, close as fsClose} from 'node:fs';
import {Access, CreateAction, CreateDisposition, CreateOptions, FileAttributes, OplockLevel} from '../../smb2/constants.js';
import type {CreateRequest} from '../../smb2/messages/create.js';
import {NtStatus, NtStatusError} from '../../smb2/ntstatus.js';
import {FileTable, sharingConflict} from '../../state/file-table.js';
import {fsError} from '../../vfs/errors.js';
import {storeMeta} from '../../vfs/meta.js';
import type {SmbPath} from '../../vfs/paths.js';
import {baseOf, PathNotFound} from '../../vfs/share-fs.js';
import {findStream, streamStat, streamXattrName, writeStream} from '../../vfs/streams.js';
import {filetimeFromUnixNs} from '../../wire/filetime.js';
import type {HandlerResult, RequestContext} from '../context.js';
import {createReply} from './create.js';

const D = CreateDisposition;
const WRITE_BITS = Access.FILE_WRITE_DATA | Access.FILE_APPEND_DATA;
const CREATE_ATTRIBUTES = 0x00007fb7 & ~FileAttributes.DIRECTORY;
const EMPTY = Buffer.alloc(0);

function closeFd(fd: number): void {
  if (fd >= 0) fsClose(fd, () => undefined);
}

export async function createStream(ctx: RequestContext, req: CreateRequest, path: SmbPath, requested: number, maximum: boolean): Promise<HandlerResult> {
  const tree = ctx.tree!;
  const fs = tree.fs!;
  const sname = path.stream!;
  const disposition = req.createDisposition;
  let access = requested;
  // A stream is never a directory (MS-FSA 2.1.5.1: FILE_DIRECTORY_FILE on a data stream).
  if (req.createOptions & CreateOptions.DIRECTORY_FILE) throw new NtStatusError(NtStatus.NOT_A_DIRECTORY, 'DIRECTORY_FILE on a stream');
  const isOverwrite = disposition === D.OVERWRITE || disposition === D.OVERWRITE_IF || disposition === D.SUPERSEDE;
  let look;
  try {
    look = await fs.lookup(path.components);
  } catch (e) {
    if (e instanceof PathNotFound) throw new NtStatusError(NtStatus.OBJECT_PATH_NOT_FOUND, 'a directory on the way is missing');
    throw fsError(e, true);
  }
  const rel = look.rel;
  const files = ctx.server.registry.files;
  let st = look.stat;
  if (st && (st.isSymlink || (!st.isFile && !st.isDirectory))) throw new NtStatusError(NtStatus.ACCESS_DENIED, 'not a regular file or directory');
  let fd = -1;
  let action: number = CreateAction.OPENED;
  let xattr: string;
  let stored: string;
  let size = 0;
  let meta;
  try {
    if (!st) {
      if (disposition === D.OPEN || disposition === D.OVERWRITE) throw new NtStatusError(NtStatus.OBJECT_NAME_NOT_FOUND);
      if (!tree.writable) throw new NtStatusError(NtStatus.ACCESS_DENIED, 'read-only share');
      const r = await fs.open(rel, C.O_CREAT | C.O_EXCL | C.O_RDWR, fs.newMode(false));
      fd = r.fd;
      st = r.stat;
      const birth = st.birthtimeNs > 0n ? st.birthtimeNs : st.mtimeNs;
      await storeMeta(fs, fd, st, (req.fileAttributes & CREATE_ATTRIBUTES) | FileAttributes.ARCHIVE, filetimeFromUnixNs(birth)).catch(() => undefined);
    } else {
      if (files.get(FileTable.keyOf(st.dev, st.ino))?.deletePending) throw new NtStatusError(NtStatus.DELETE_PENDING);
      const wantWrite = (access & WRITE_BITS) !== 0 || isOverwrite || disposition !== D.OPEN;
      const flags = st.isDirectory ? C.O_RDONLY | C.O_DIRECTORY : wantWrite ? C.O_RDWR : C.O_RDONLY;
      try {
        fd = (await fs.open(rel, flags)).fd;
      } catch (e) {
        // MAXIMUM_ALLOWED without write permission: a read-only open of the stream.
        if ((e as NodeJS.ErrnoException).code !== 'EACCES' || !maximum || flags !== C.O_RDWR || disposition !== D.OPEN) throw e;
        fd = (await fs.open(rel, C.O_RDONLY)).fd;
        access &= ~WRITE_BITS;
      }
    }
    meta = await fs.meta(st, baseOf(rel), {fd});
    if (!st.isDirectory && meta.attributes & FileAttributes.READONLY) {
      if (req.createOptions & CreateOptions.DELETE_ON_CLOSE) throw new NtStatusError(NtStatus.CANNOT_DELETE, 'read-only file');
      if (isOverwrite || (access & WRITE_BITS && !maximum)) throw new NtStatusError(NtStatus.ACCESS_DENIED, 'read-only file');
      access &= ~WRITE_BITS;
    }
    const found = await findStream(fs, fd, sname);
    if (found) {
      if (disposition === D.CREATE) throw new NtStatusError(NtStatus.OBJECT_NAME_COLLISION);
      xattr = found.xattr;
      stored = found.name;
      size = found.size;
      if (isOverwrite) {
        if (!tree.writable) throw new NtStatusError(NtStatus.ACCESS_DENIED, 'read-only share');
        await writeStream(fs, fd, xattr, EMPTY);
        size = 0;
        action = disposition === D.SUPERSEDE ? CreateAction.SUPERSEDED : CreateAction.OVERWRITTEN;
      }
    } else {
      if (disposition === D.OPEN || disposition === D.OVERWRITE) throw new NtStatusError(NtStatus.OBJECT_NAME_NOT_FOUND);
      if (!tree.writable) throw new NtStatusError(NtStatus.ACCESS_DENIED, 'read-only share');
      stored = sname;
      xattr = streamXattrName(sname);
      await writeStream(fs, fd, xattr, EMPTY, {create: true});
      action = CreateAction.CREATED;
    }
    st = await fs.fstat(fd);
  } catch (e) {
    closeFd(fd);
    if (e instanceof NtStatusError) throw e;
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'EEXIST') throw new NtStatusError(NtStatus.OBJECT_NAME_COLLISION);
    if (code === 'ENOENT') throw new NtStatusError(NtStatus.OBJECT_NAME_NOT_FOUND, 'vanished');
    if (code === 'ENOTSUP' || code === 'EOPNOTSUPP') throw new NtStatusError(NtStatus.OBJECT_NAME_NOT_FOUND, 'no user xattrs on this file system');
    throw fsError(e, true);
  }
  if (!tree.alive || !ctx.session?.alive) {
    closeFd(fd);
    throw new NtStatusError(NtStatus.NETWORK_NAME_DELETED);
  }
  const sst = streamStat({...st, birthtimeNs: meta.stat.birthtimeNs}, size);
  const entry = files.acquire(FileTable.streamKeyOf(st.dev, st.ino, stored));
  const refuse = (status: number): never => {
    files.release(entry);
    closeFd(fd);
    throw new NtStatusError(status);
  };
  for (const other of entry.opens) if (sharingConflict(access, req.shareAccess, other)) refuse(NtStatus.SHARING_VIOLATION);
  if (entry.deletePending) refuse(NtStatus.DELETE_PENDING);
  const o = ctx.server.registry.addOpen(tree, {
    fs,
    rel,
    isDirectory: false,
    grantedAccess: access >>> 0,
    shareAccess: req.shareAccess,
    createOptions: req.createOptions,
    fd,
    stat: sst,
    entry,
    stream: {name: stored, xattr},
  });
  if (!o) refuse(NtStatus.INSUFFICIENT_RESOURCES);
  if (req.createOptions & CreateOptions.DELETE_ON_CLOSE) o!.deleteOnClose = true;
  const id = BigInt(o!.id);
  ctx.chain.fileVolatile = id;
  ctx.chain.filePersistent = id;
  const attributes = meta.attributes & ~FileAttributes.DIRECTORY || FileAttributes.NORMAL;
  if (ctx.server.log.isDebug('vfs')) ctx.server.log.debug('vfs', `CREATE stream \`${req.name}' disposition ${disposition} -> action ${action} (fid ${o!.id})`);
  return createReply(req, tree, fs, sst, {...meta, attributes}, OplockLevel.NONE, action, id);
}
