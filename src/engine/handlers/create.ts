/**
 * CREATE (MS-SMB2 3.3.5.9): open or create a file or directory by path relative to the share root.
 * Paths are validated (no `..`, no absolute path, no invalid characters) and checked for containment after
 * symlinks; dispositions OPEN, OPEN_IF, CREATE, OVERWRITE(_IF) and SUPERSEDE; MxAc and QFid contexts.
 * Oplocks and leases are not granted yet (OplockLevel NONE, no lease context in the response).
 */
import {Access, CreateAction, CreateDisposition, CreateOptions, ImpersonationLevel, OplockLevel} from '../../smb2/constants.js';
import {CreateContextName, encodeMxAcResponse, encodeQFidResponse, findCreateContext, type CreateContext} from '../../smb2/contexts/create-contexts.js';
import {decodeCreateRequest, encodeCreateResponse, type CreateRequest} from '../../smb2/messages/create.js';
import {NtStatus, NtStatusError} from '../../smb2/ntstatus.js';
import type {Tree} from '../../state/tree.js';
import {fsError} from '../../vfs/errors.js';
import {hostPath, parseSmbPath} from '../../vfs/paths.js';
import type {VfsFile, VfsStat} from '../../vfs/types.js';
import type {Reader} from '../../wire/reader.js';
import {reply, type HandlerResult, type RequestContext} from '../context.js';
import {allocationSize, dosAttributes, endOfFile, fileTimes} from '../../smb2/fscc/attrs.js';
import {mapGenericAccess, WRITE_ACCESS} from './files.js';

const D = CreateDisposition;
/** CreateOptions bits that ask for something this server does not do (3.3.5.9: STATUS_NOT_SUPPORTED). */
const UNSUPPORTED_OPTIONS = CreateOptions.OPEN_BY_FILE_ID | CreateOptions.RESERVE_OPFILTER;

async function statOrMissing(ctx: RequestContext, tree: Tree, path: string): Promise<VfsStat | undefined> {
  try {
    return await ctx.server.vfs.stat(tree.identity, path);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    if (code === 'ENOENT') return undefined;
    throw fsError(e, true);
  }
}

function validate(req: CreateRequest): void {
  // 3.3.5.9: ImpersonationLevel beyond Delegate -> STATUS_BAD_IMPERSONATION_LEVEL.
  if (req.impersonationLevel > ImpersonationLevel.DELEGATE) throw new NtStatusError(NtStatus.BAD_IMPERSONATION_LEVEL);
  if (req.createDisposition > D.OVERWRITE_IF) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'CreateDisposition');
  const o = req.createOptions;
  if ((o & CreateOptions.DIRECTORY_FILE) && (o & CreateOptions.NON_DIRECTORY_FILE)) {
    throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'both DIRECTORY_FILE and NON_DIRECTORY_FILE');
  }
  if (o & UNSUPPORTED_OPTIONS) throw new NtStatusError(NtStatus.NOT_SUPPORTED, 'open by file id / reserve opfilter');
  // 3.3.5.9: "If any of the bits in the mask 0x0CE0FE00 are set [in DesiredAccess], the server MUST fail ... with STATUS_ACCESS_DENIED."
  if (req.desiredAccess & 0x0ce0fe00) throw new NtStatusError(NtStatus.ACCESS_DENIED, 'reserved access bits');
  if (req.desiredAccess & Access.ACCESS_SYSTEM_SECURITY) throw new NtStatusError(NtStatus.PRIVILEGE_NOT_HELD, 'SACL access');
  if (req.fileAttributes & ~0x00007fb7) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'FileAttributes');
}

function responseContexts(req: CreateRequest, tree: Tree, st: VfsStat): CreateContext[] {
  const out: CreateContext[] = [];
  if (findCreateContext(req.createContexts, CreateContextName.QUERY_MAXIMAL_ACCESS_REQUEST)) {
    out.push({name: CreateContextName.QUERY_MAXIMAL_ACCESS_REQUEST, data: encodeMxAcResponse(NtStatus.SUCCESS, tree.maximalAccess)});
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

export async function handleCreate(ctx: RequestContext, body: Reader): Promise<HandlerResult> {
  const req = decodeCreateRequest(body);
  const tree = ctx.tree!;
  const vfs = ctx.server.vfs;
  if (tree.share.ipc) throw new NtStatusError(NtStatus.OBJECT_NAME_NOT_FOUND, 'named pipes are not served yet');
  validate(req);
  const smbPath = parseSmbPath(req.name);
  const path = hostPath(tree.share.path, smbPath.components);
  const wantDir = (req.createOptions & CreateOptions.DIRECTORY_FILE) !== 0;
  const wantFile = (req.createOptions & CreateOptions.NON_DIRECTORY_FILE) !== 0 || smbPath.defaultStream;

  let access = mapGenericAccess(req.desiredAccess);
  if (req.desiredAccess & Access.MAXIMUM_ALLOWED) access |= tree.maximalAccess;
  if (req.createOptions & CreateOptions.DELETE_ON_CLOSE) {
    // 3.3.5.9: delete-on-close without DELETE access is refused.
    if (!(access & Access.DELETE)) throw new NtStatusError(NtStatus.ACCESS_DENIED, 'DELETE_ON_CLOSE without DELETE');
  }
  if ((access & WRITE_ACCESS) && !tree.writable) throw new NtStatusError(NtStatus.ACCESS_DENIED, 'read-only share');
  if (access & ~tree.maximalAccess & 0x001f01ff) throw new NtStatusError(NtStatus.ACCESS_DENIED, 'access beyond the share');

  let st = await statOrMissing(ctx, tree, path);
  if (smbPath.components.length > 0) {
    let inside: boolean;
    try {
      inside = await vfs.contained(tree.identity, tree.share.path, path);
    } catch (e) {
      throw fsError(e, true);
    }
    // A symlink that leads out of the share is not followed (follow symlinks does not allow escaping yet).
    if (!inside) throw new NtStatusError(NtStatus.ACCESS_DENIED, 'path leaves the share');
  }
  const disposition = req.createDisposition;
  let action: number = CreateAction.OPENED;
  let file: VfsFile | undefined;
  try {
    if (st) {
      if (disposition === D.CREATE) throw new NtStatusError(NtStatus.OBJECT_NAME_COLLISION);
      if (wantDir && !st.isDirectory) throw new NtStatusError(NtStatus.NOT_A_DIRECTORY);
      if (wantFile && st.isDirectory) throw new NtStatusError(NtStatus.FILE_IS_A_DIRECTORY);
      const overwrite = disposition === D.OVERWRITE || disposition === D.OVERWRITE_IF || disposition === D.SUPERSEDE;
      if (overwrite && st.isDirectory) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'overwrite of a directory');
      if (overwrite && !tree.writable) throw new NtStatusError(NtStatus.ACCESS_DENIED, 'read-only share');
      if (st.isFile) {
        const write = overwrite || (access & (Access.FILE_WRITE_DATA | Access.FILE_APPEND_DATA)) !== 0;
        file = await vfs.open(tree.identity, path, write);
        if (overwrite) {
          await file.truncate(0);
          action = disposition === D.SUPERSEDE ? CreateAction.SUPERSEDED : CreateAction.OVERWRITTEN;
        }
      } else if (!st.isDirectory) {
        throw new NtStatusError(NtStatus.ACCESS_DENIED, 'not a regular file or directory');
      }
    } else {
      if (disposition === D.OPEN || disposition === D.OVERWRITE) throw new NtStatusError(NtStatus.OBJECT_NAME_NOT_FOUND);
      if (!tree.writable) throw new NtStatusError(NtStatus.ACCESS_DENIED, 'read-only share');
      if (smbPath.components.length === 0) throw new NtStatusError(NtStatus.OBJECT_NAME_COLLISION);
      if (wantDir) await vfs.mkdir(tree.identity, path, 0o777 & tree.share.directoryMask);
      else file = await vfs.create(tree.identity, path, 0o666 & tree.share.createMask);
      action = CreateAction.CREATED;
    }
    st = file ? await file.stat() : await vfs.stat(tree.identity, path);
  } catch (e) {
    await file?.close().catch(() => undefined);
    if (e instanceof NtStatusError) throw e;
    throw fsError(e, true);
  }
  // The tree (or session) may have gone while the file system answered.
  if (!tree.alive || !ctx.session?.alive) {
    await file?.close().catch(() => undefined);
    throw new NtStatusError(NtStatus.NETWORK_NAME_DELETED);
  }
  const o = ctx.server.registry.addOpen(tree, {
    path,
    components: smbPath.components,
    isDirectory: st.isDirectory,
    grantedAccess: access,
    createOptions: req.createOptions,
    file,
    stat: st,
  });
  if (!o) {
    await file?.close().catch(() => undefined);
    throw new NtStatusError(NtStatus.INSUFFICIENT_RESOURCES, 'open table full');
  }
  if (req.createOptions & CreateOptions.DELETE_ON_CLOSE) o.deleteOnClose = true;
  const id = BigInt(o.id);
  ctx.chain.fileVolatile = id;
  ctx.chain.filePersistent = id;
  const name = smbPath.components[smbPath.components.length - 1] ?? '';
  const t = fileTimes(st);
  if (ctx.server.log.isDebug('vfs')) ctx.server.log.debug('vfs', `CREATE \`${req.name}' disposition ${disposition} -> ${action === CreateAction.CREATED ? 'created' : 'opened'} (fid ${o.id})`);
  return reply(encodeCreateResponse, {
    oplockLevel: OplockLevel.NONE,
    flags: 0,
    createAction: action,
    creationTime: t.creation,
    lastAccessTime: t.lastAccess,
    lastWriteTime: t.lastWrite,
    changeTime: t.change,
    allocationSize: allocationSize(st),
    endOfFile: endOfFile(st),
    fileAttributes: dosAttributes(st, name, tree.share.hideDotFiles),
    fileId: {persistent: id, volatile: id},
    createContexts: responseContexts(req, tree, st),
  });
}
