/**
 * TreeConnect (MS-SMB2 3.3.1.10): one share connected within a session, with the decision the services
 * side made (writable, the identity file operations use) and the opens made through it.
 */
import type {ShareInfo, UnixIdentity} from '../ipc/types.js';
import type {ShareFs} from '../vfs/share-fs.js';
import type {Open} from './open.js';
import type {PipeOpen} from './pipe-open.js';

export class Tree {
  readonly opens = new Set<Open>();
  /** Named pipe opens (IPC$ trees only). */
  readonly pipes = new Set<PipeOpen>();
  alive = true;
  /** The share as this tree's identity sees it (disk shares; set by TREE_CONNECT, closed by endTree). */
  fs: ShareFs | undefined;

  constructor(
    /** TreeId on the wire (u32, generation-tagged). */
    readonly id: number,
    readonly share: ShareInfo,
    readonly writable: boolean,
    readonly identity: UnixIdentity,
    /** Handed back to IpcServices.treeDisconnect. */
    readonly connectionId: number,
    /** TreeConnect.EncryptData: every request on this tree must arrive encrypted. */
    readonly encryptData: boolean,
    readonly maximalAccess: number,
  ) {}
}
