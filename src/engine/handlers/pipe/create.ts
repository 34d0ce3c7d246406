/**
 * CREATE on IPC$ (MS-SMB2 3.3.5.9 for a named pipe share): open a pipe the services side serves (srvsvc,
 * wkssvc, lsarpc, samr, with or without `\PIPE\`); any other name is STATUS_OBJECT_NAME_NOT_FOUND at once.
 * A pipe has no times or size: the response carries what Windows sends for one (FILE_ATTRIBUTE_NORMAL,
 * AllocationSize 4096), never an oplock.
 */
import {Access, CreateAction, CreateDisposition, FileAttributes, ImpersonationLevel, OplockLevel} from '../../../smb2/constants.js';
import {CreateContextName, encodeMxAcResponse, findCreateContext, type CreateContext} from '../../../smb2/contexts/create-contexts.js';
import {decodeCreateRequest, encodeCreateResponse} from '../../../smb2/messages/create.js';
import {NtStatus, NtStatusError} from '../../../smb2/ntstatus.js';
import type {Reader} from '../../../wire/reader.js';
import {reply, type HandlerResult, type RequestContext} from '../../context.js';
import {mapGenericAccess} from '../files.js';

/** What a pipe reports as its allocation (one page, as Windows shows for its pipes). */
export const PIPE_ALLOCATION_SIZE = 4096n;

export function handlePipeCreate(ctx: RequestContext, body: Reader): HandlerResult {
  const req = decodeCreateRequest(body);
  const tree = ctx.tree!;
  const session = ctx.session!;
  // The same request checks as on a disk share (3.3.5.9), before the name is looked at.
  if (req.impersonationLevel > ImpersonationLevel.DELEGATE) throw new NtStatusError(NtStatus.BAD_IMPERSONATION_LEVEL);
  if (req.createDisposition > CreateDisposition.OVERWRITE_IF) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'CreateDisposition');
  // 3.3.5.9: "If any of the bits in the mask 0x0CE0FE00 are set [in DesiredAccess], the server MUST fail ... with STATUS_ACCESS_DENIED."
  if (req.desiredAccess & 0x0ce0fe00) throw new NtStatusError(NtStatus.ACCESS_DENIED, 'reserved access bits');
  if (req.desiredAccess & Access.ACCESS_SYSTEM_SECURITY) throw new NtStatusError(NtStatus.PRIVILEGE_NOT_HELD, 'SACL access');
  const name = req.name.replace(/\0+$/, '');
  if (name === '') throw new NtStatusError(NtStatus.OBJECT_NAME_NOT_FOUND, 'no pipe name');

  let access = mapGenericAccess(req.desiredAccess);
  if (req.desiredAccess & Access.MAXIMUM_ALLOWED) access |= tree.maximalAccess;
  const opened = ctx.server.services.pipeOpen({
    session: {sessionId: session.label, user: session.user, guest: session.guest, identity: session.identity!},
    pipe: name,
  });
  if (opened.status !== 'ok') throw new NtStatusError(NtStatus.OBJECT_NAME_NOT_FOUND, `pipe \`${name}' is not served`);
  const p = ctx.server.registry.addPipe(tree, opened.handle, name, access);
  if (!p) {
    ctx.server.services.pipeClose(opened.handle);
    throw new NtStatusError(NtStatus.INSUFFICIENT_RESOURCES, 'open table full');
  }
  const id = p.wireId;
  ctx.chain.fileVolatile = id;
  ctx.chain.filePersistent = id;
  ctx.server.log.debug('ipc', () => `CREATE pipe \`${name}' -> fid ${p.id} (handle ${p.handle})`);
  const contexts: CreateContext[] = [];
  if (findCreateContext(req.createContexts, CreateContextName.QUERY_MAXIMAL_ACCESS_REQUEST)) {
    contexts.push({name: CreateContextName.QUERY_MAXIMAL_ACCESS_REQUEST, data: encodeMxAcResponse(NtStatus.SUCCESS, tree.maximalAccess)});
  }
  return reply(encodeCreateResponse, {
    oplockLevel: OplockLevel.NONE,
    flags: 0,
    createAction: CreateAction.OPENED,
    creationTime: 0n,
    lastAccessTime: 0n,
    lastWriteTime: 0n,
    changeTime: 0n,
    allocationSize: PIPE_ALLOCATION_SIZE,
    endOfFile: 0n,
    fileAttributes: FileAttributes.NORMAL,
    fileId: {persistent: id, volatile: id},
    createContexts: contexts,
  });
}
