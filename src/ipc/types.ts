// The engine <-> services boundary: the questions the SMB engine asks and the answers it gets, the same
// events the kernel ksmbd sends ksmbd.mountd over netlink (login, share config, tree connect and
// disconnect, logout, RPC). Keeping it one typed interface lets the services move to another process
// later without touching the engine's handlers. Answers are plain data; the engine maps them to
// NTSTATUS codes (see each status's comment).
import type {Tristate} from '../config/values.js';

export interface UnixIdentity {
  /** Unix account name the file operations run as. */
  name: string;
  uid: number;
  gid: number;
  /** Supplementary groups (the primary gid included). */
  groups: number[];
}

export interface LoginRequest {
  /** The SMB user name as sent by the client ('' for an anonymous / null session). */
  user: string;
  domain?: string;
  /** Client address, for the log only. */
  client?: string;
}

export type LoginResponse =
  /** A known user: the engine checks the NTLMv2 proof against ntHash. Never log ntHash. */
  | {status: 'ok'; user: string; guest: false; ntHash: Buffer; identity: UnixIdentity; unixAccount: boolean}
  /** Unknown user mapped to the guest account (`map to guest = bad user`), or an anonymous login. */
  | {status: 'guest'; user: string; guest: true; anonymous: boolean; identity: UnixIdentity}
  /** STATUS_LOGON_FAILURE. */
  | {status: 'no-such-user'; user: string};

export interface ShareInfo {
  name: string;
  ipc: boolean;
  /** Absolute directory, `root directory` already prefixed; '' for IPC$. */
  path: string;
  comment: string;
  browseable: boolean;
  readOnly: boolean;
  guestOk: boolean;
  hideDotFiles: boolean;
  storeDosAttributes: boolean;
  oplocks: boolean;
  followSymlinks: boolean;
  crossmnt: boolean;
  createMask: number;
  directoryMask: number;
  forceCreateMode: number;
  forceDirectoryMode: number;
  vetoFiles: string;
  vfsObjects: string[];
  smb3Encryption: Tristate;
  maxConnections: number;
  timeMachine: boolean;
}

/** Who is asking, as the engine knows it after SESSION_SETUP. */
export interface SessionIdentity {
  sessionId?: string;
  user: string;
  guest: boolean;
  identity: UnixIdentity;
}

export interface TreeConnectRequest {
  session: SessionIdentity;
  /** The share part of \\server\share, as sent. */
  share: string;
  /** Client IP address (IPv4-mapped IPv6 is accepted). */
  client: string;
}

export type TreeConnectResponse =
  | {
      status: 'ok';
      /** Pass back to treeDisconnect. */
      connectionId: number;
      share: ShareInfo;
      writable: boolean;
      /** The identity file operations use on this tree (`force user` / `force group` applied). */
      identity: UnixIdentity;
    }
  /** STATUS_BAD_NETWORK_NAME: no such share, or a share without a path. */
  | {status: 'bad-network-name'; reason: string}
  /** STATUS_ACCESS_DENIED: users, hosts, guest rules. */
  | {status: 'access-denied'; reason: string}
  /** STATUS_REQUEST_NOT_ACCEPTED: the share's `max connections` is reached. */
  | {status: 'too-many-connections'; reason: string};

export interface RpcRequest {
  session: SessionIdentity;
  pipe: string;
  data: Buffer;
}

export type RpcResponse = {status: 'ok'; data: Buffer} | {status: 'not-supported'; reason: string};

export interface IpcServices {
  login(req: LoginRequest): LoginResponse;
  /** A failed proof (wrong password): logged and counted, never with the proof itself. */
  loginFailed(req: LoginRequest & {reason: string}): void;
  logout(session: SessionIdentity): void;
  shareConfig(name: string): ShareInfo | undefined;
  /** Every share, IPC$ included, in configuration order (share enumeration, `ksmbd control -l`). */
  shares(): ShareInfo[];
  treeConnect(req: TreeConnectRequest): TreeConnectResponse;
  treeDisconnect(connectionId: number): void;
  rpc(req: RpcRequest): RpcResponse;
}
