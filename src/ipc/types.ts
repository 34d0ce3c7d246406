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

/**
 * Named pipes on IPC$ (src/rpc). A pipe handle is a number the services side never reuses; the engine keeps
 * it in its Open. The pipe is in message mode: each read returns at most one message (one DCE/RPC fragment).
 */
export interface PipeOpenRequest {
  session: SessionIdentity;
  /** The CREATE name on IPC$: `srvsvc`, `\PIPE\srvsvc`, ... (case-insensitive). */
  pipe: string;
}

/** 'not-found': a pipe we do not serve (STATUS_OBJECT_NAME_NOT_FOUND). */
export type PipeOpenResponse = {status: 'ok'; handle: number} | {status: 'not-found'};

/** 'closed': no such pipe handle (STATUS_FILE_CLOSED / STATUS_INVALID_HANDLE, as the engine sees fit). */
export type PipeWriteResponse = {status: 'ok'; written: number} | {status: 'closed'};

/**
 * One message, or the first maxLength octets of it with `more` set: the engine answers that READ or
 * FSCTL_PIPE_TRANSCEIVE with STATUS_BUFFER_OVERFLOW and the rest comes with the next READ. Empty data
 * without `more`: nothing is waiting. 'busy' (transceive only): unread data is already waiting, MS-FSCC
 * 2.3.53 STATUS_PIPE_BUSY.
 */
export type PipeReadResponse = {status: 'ok'; data: Buffer; more: boolean} | {status: 'closed'} | {status: 'busy'};

/**
 * For FSCTL_PIPE_PEEK and FilePipeLocalInformation: unread octets, the number of messages and the unread
 * length of the next one, and up to `maxData` octets of it (a copy; nothing is consumed).
 */
export type PipePeekResponse = {status: 'ok'; available: number; messages: number; messageLength: number; data: Buffer} | {status: 'closed'};

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
  /** One self-contained exchange on a fresh pipe (bind and calls in `data`), all responses concatenated. */
  rpc(req: RpcRequest): RpcResponse;
  pipeOpen(req: PipeOpenRequest): PipeOpenResponse;
  pipeWrite(handle: number, data: Buffer): PipeWriteResponse;
  pipeRead(handle: number, maxLength: number): PipeReadResponse;
  /** FSCTL_PIPE_TRANSCEIVE: write `data`, then read one message of at most maxOutput octets. */
  pipeTransceive(handle: number, data: Buffer, maxOutput: number): PipeReadResponse;
  pipePeek(handle: number, maxData?: number): PipePeekResponse;
  /** CLOSE of the pipe (and every pipe of a session or connection that goes away). */
  pipeClose(handle: number): void;
}
