/**
 * TREE_CONNECT (MS-SMB2 3.3.5.7): `\\server\share` to a share the services side allows, IPC$ as the pipe
 * share, share flags (ENCRYPT_DATA where `smb3 encryption` requires it), MaximalAccess from writability.
 */
import {Access, Dialect, HeaderFlags, ShareFlags, ShareType} from '../../smb2/constants.js';
import {decodeTreeConnectRequest, encodeTreeConnectResponse} from '../../smb2/messages/tree-connect.js';
import {NtStatus, NtStatusError} from '../../smb2/ntstatus.js';
import type {Reader} from '../../wire/reader.js';
import {reply, type HandlerResult, type RequestContext} from '../context.js';
import {ShareFs} from '../../vfs/share-fs.js';
import {ConnectionError} from '../errors.js';

/** FILE_ALL_ACCESS (MS-SMB2 2.2.13.1.1 bits 0x1F01FF): a writable share. */
export const FILE_ALL_ACCESS = 0x001f01ff;
/** Read, read EA/attributes, execute/traverse, READ_CONTROL, SYNCHRONIZE: a read-only share. */
export const FILE_READ_ACCESS =
  Access.FILE_READ_DATA | Access.FILE_READ_EA | Access.FILE_EXECUTE | Access.FILE_READ_ATTRIBUTES | Access.READ_CONTROL | Access.SYNCHRONIZE;

/** The share name of `\\server\share` (2.2.9: "PathName ... in the form \\server\share"). */
export function shareNameOf(path: string): string | undefined {
  // Some clients count a terminating NUL in PathLength.
  const m = /^[\\/]{2}[^\\/]+[\\/]([^\\/]+)[\\/]?$/.exec(path.replace(/\0+$/, ''));
  return m ? m[1] : undefined;
}

export async function handleTreeConnect(ctx: RequestContext, body: Reader): Promise<HandlerResult> {
  const {conn, server} = ctx;
  const session = ctx.session!;
  // 3.3.5.7: on 3.1.1 a TREE_CONNECT of an authenticated (not guest, not anonymous) session that is
  // neither signed nor encrypted makes the server disconnect: it protects the negotiation after the fact.
  if (conn.dialect === Dialect.SMB3_1_1 && !ctx.encrypted && !session.guest && (ctx.header.flags & HeaderFlags.SIGNED) === 0) {
    throw new ConnectionError('unsigned TREE_CONNECT on a 3.1.1 session');
  }
  const req = decodeTreeConnectRequest(body, conn.dialect);
  const name = shareNameOf(req.path);
  if (name === undefined) throw new NtStatusError(NtStatus.BAD_NETWORK_NAME, 'path is not \\\\server\\share');
  if (session.anonymous && server.settings.mapToGuest !== 'bad user' && name.toUpperCase() !== 'IPC$') {
    // A null session reaches disk shares only where guests are let in (`map to guest = bad user`).
    throw new NtStatusError(NtStatus.ACCESS_DENIED, 'anonymous session on a disk share');
  }
  const r = server.services.treeConnect({
    session: {sessionId: session.label, user: session.user, guest: session.guest, identity: session.identity!},
    share: name,
    client: conn.peer,
  });
  if (r.status === 'bad-network-name') throw new NtStatusError(NtStatus.BAD_NETWORK_NAME, r.reason);
  if (r.status === 'access-denied') throw new NtStatusError(NtStatus.ACCESS_DENIED, r.reason);
  if (r.status === 'too-many-connections') throw new NtStatusError(NtStatus.REQUEST_NOT_ACCEPTED, r.reason);
  const share = r.share;
  const release = () => server.services.treeDisconnect(r.connectionId);

  const wantsEncryption = server.settings.encryption === 'mandatory' || share.smb3Encryption === 'mandatory';
  const canEncrypt = conn.dialect >= Dialect.SMB3_0 && session.encryptionKey !== undefined;
  if (wantsEncryption && !canEncrypt && server.settings.encryption !== 'disabled') {
    // 3.3.5.7: a share that requires encryption refuses a session that cannot encrypt.
    release();
    throw new NtStatusError(NtStatus.ACCESS_DENIED, `[${share.name}] requires encryption`);
  }
  let fs: ShareFs | undefined;
  if (!share.ipc) {
    if (r.identity.uid === 0) {
      // Identity decision: file operations never run as root (src/vfs/native/README.md). A login that maps to
      // uid 0 (the `root` account, or `force user = root`) may use IPC$ but no disk share; the operator maps
      // such users to another account with `force user`.
      release();
      server.log.warn(`Share [${share.name}]: \`${session.user}' maps to uid 0, which never runs file operations; use \`force user' to map it to another account`);
      throw new NtStatusError(NtStatus.ACCESS_DENIED, 'uid 0 identity');
    }
    try {
      fs = await ShareFs.open(share.path, r.identity, {
        followSymlinks: share.followSymlinks,
        storeDosAttributes: share.storeDosAttributes,
        hideDotFiles: share.hideDotFiles,
        createMask: share.createMask,
        directoryMask: share.directoryMask,
        forceCreateMode: share.forceCreateMode,
        forceDirectoryMode: share.forceDirectoryMode,
        streams: share.vfsObjects.includes('streams_xattr'),
      });
    } catch (e) {
      release();
      const code = (e as NodeJS.ErrnoException).code;
      if (code === 'EACCES' || code === 'EPERM') {
        server.log.debug('smb', `Share [${share.name}]: \`${r.identity.name}' cannot reach \`${share.path}'`);
        throw new NtStatusError(NtStatus.ACCESS_DENIED, 'share path not reachable by this account');
      }
      server.log.warn(`Share [${share.name}]: path \`${share.path}' is not usable: ${(e as Error).message}`);
      throw new NtStatusError(NtStatus.BAD_NETWORK_NAME, 'share path missing');
    }
  }
  // The session may have ended while the share path was checked.
  if (!session.alive) {
    release();
    await fs?.close();
    throw new NtStatusError(NtStatus.USER_SESSION_DELETED);
  }
  const maximalAccess = share.ipc ? FILE_ALL_ACCESS : r.writable ? FILE_ALL_ACCESS : FILE_READ_ACCESS;
  const encryptData = wantsEncryption && canEncrypt;
  const tree = server.registry.addTree(session, {
    share,
    writable: r.writable,
    identity: r.identity,
    connectionId: r.connectionId,
    encryptData,
    maximalAccess,
  });
  if (!tree) {
    release();
    await fs?.close();
    throw new NtStatusError(NtStatus.INSUFF_SERVER_RESOURCES, 'tree table full');
  }
  tree.fs = fs;
  ctx.tree = tree;
  ctx.responseTreeId = tree.id;
  server.log.debug('smb', () => `${conn.peer}: tree ${tree.id} [${share.name}] for session ${session.label}${encryptData ? ' (encrypted)' : ''}`);
  let shareFlags: number = ShareFlags.MANUAL_CACHING;
  if (share.ipc) shareFlags = ShareFlags.NO_CACHING;
  if (encryptData) shareFlags |= ShareFlags.ENCRYPT_DATA;
  return reply(encodeTreeConnectResponse, {
    shareType: share.ipc ? ShareType.PIPE : ShareType.DISK,
    shareFlags,
    capabilities: 0,
    maximalAccess,
  });
}
