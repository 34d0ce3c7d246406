/**
 * What a handler sees and what it returns (DESIGN habit 3: handlers return, never write).
 *
 * A handler gets a RequestContext (the connection, the server, the request header, the session and tree
 * dispatch resolved, the compound chain state) and a Reader on the request body. It returns a Reply (a
 * status plus a module-level body encoder and its value: no per-request closures) or a PendingReply for a
 * request that will finish later (src/engine/async.ts), or throws NtStatusError.
 */
import type {IpcServices} from '../ipc/types.js';
import type {Logger} from '../log/logger.js';
import type {Smb2Header} from '../smb2/header.js';
import {encodeErrorResponse, type ErrorResponse} from '../smb2/messages/error.js';
import type {Registry} from '../state/registry.js';
import type {Session} from '../state/session.js';
import type {Tree} from '../state/tree.js';
import type {Writer} from '../wire/writer.js';
import type {ChainState} from './compound.js';
import type {Connection} from './connection.js';
import type {CommandPolicy} from './dispatch.js';
import type {ServerSettings} from './settings.js';

export type BodyEncoder<T> = (w: Writer, value: T) => void;

export interface Reply {
  readonly kind: 'reply';
  status: number;
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  encode: BodyEncoder<any>;
  value: unknown;
  /**
   * Bytes that follow the encoded body (READ data): the connection sends them as their own buffer when the
   * response is the last of its chain and neither signed nor sealed, else copies them after the body.
   */
  tail?: Buffer;
}

export interface PendingReply {
  readonly kind: 'pending';
  /** Settles with the final reply; it must settle (with STATUS_CANCELLED when cancelled). */
  final: Promise<Reply>;
  /** Asks the operation to finish early with STATUS_CANCELLED. */
  cancel: () => void;
}

export type HandlerResult = Reply | PendingReply;

export function reply<T>(encode: BodyEncoder<T>, value: T, status = 0): Reply {
  return {kind: 'reply', status, encode, value};
}

const EMPTY_ERROR: ErrorResponse = {errorData: Buffer.alloc(0), contexts: []};

/** An ERROR response (2.2.2) carrying `status`, with ErrorData when the status defines some. */
export function errorReply(status: number, errorData?: Buffer): Reply {
  return reply(encodeErrorResponse, errorData ? {errorData, contexts: []} : EMPTY_ERROR, status);
}

/** Everything shared by all connections of one engine. */
export interface ServerContext {
  settings: ServerSettings;
  services: IpcServices;
  log: Logger;
  registry: Registry;
  /** FILETIME of the engine start (NEGOTIATE ServerStartTime stays 0, as Windows sends; kept for volumes). */
  startTime: bigint;
  /** Delay before a failed login is answered. */
  logonFailureDelayMs: number;
  /** The dispatch table; tests substitute their own, the engine always uses POLICY. */
  policy?: readonly (CommandPolicy | undefined)[];
}

export interface RequestContext {
  readonly conn: Connection;
  readonly server: ServerContext;
  readonly header: Smb2Header;
  /** The whole request message as received (padding included): preauth hashing and signature checks. */
  readonly message: Buffer;
  /** The request arrived inside a TRANSFORM_HEADER. */
  readonly encrypted: boolean;
  /** SMB2_FLAGS_RELATED_OPERATIONS. */
  readonly related: boolean;
  /** Resolved by dispatch when the policy asks for it (or when the header names one). */
  session: Session | undefined;
  tree: Tree | undefined;
  readonly chain: ChainState;
  /** SessionId / TreeId the response header carries (SESSION_SETUP and TREE_CONNECT set new ones). */
  responseSessionId: bigint;
  responseTreeId: number;
  /** SESSION_SETUP success: sign the response with this session's new key (3.3.5.5.3). */
  signWith: Session | undefined;
  /** 3.1.1 preauth: add the response bytes to the connection's hash, or to this session's. */
  hashResponseInto: 'connection' | Session | undefined;
}
