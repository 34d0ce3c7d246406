/**
 * The one dispatch table (DESIGN habit 2) and the function that enforces it. For every command it says
 * which handler runs, whether a valid session and a tree are needed, whether the request may come unsigned
 * on a session that requires signing (3.3.5.2.4) or unencrypted where encryption is required (3.3.5.2.9),
 * where its FileId sits (related compounds), and how big a payload it moves (CreditCharge, 3.3.5.2.5).
 * dispatch() checks all of that before the handler runs; handlers never re-check it.
 */
import {Command, SMB2_HEADER_SIZE} from '../smb2/constants.js';
import {NtStatus, NtStatusError} from '../smb2/ntstatus.js';
import {MalformedPacket} from '../wire/errors.js';
import type {Reader} from '../wire/reader.js';
import {errorReply, type HandlerResult, type RequestContext} from './context.js';
import {chargeFor} from './credits.js';
import {ConnectionError} from './errors.js';
import {handleCancel} from './handlers/cancel.js';
import {handleClose} from './handlers/close.js';
import {handleCreate} from './handlers/create.js';
import {handleEcho} from './handlers/echo.js';
import {handleIoctl} from './handlers/ioctl.js';
import {handleLogoff} from './handlers/logoff.js';
import {handleNegotiate} from './handlers/negotiate.js';
import {handleChangeNotify} from './handlers/change-notify.js';
import {handleFlush} from './handlers/flush.js';
import {handleLock} from './handlers/lock.js';
import {handleOplockBreak} from './handlers/oplock-break.js';
import {handleRead} from './handlers/read.js';
import {handleSetInfo} from './handlers/set-info.js';
import {handleWrite} from './handlers/write.js';
import {handleQueryDirectory} from './handlers/query-directory.js';
import {handleQueryInfo} from './handlers/query-info.js';
import {handleSessionSetup} from './handlers/session-setup.js';
import {handleTreeConnect} from './handlers/tree-connect.js';
import {handleTreeDisconnect} from './handlers/tree-disconnect.js';
import * as pipe from './handlers/pipe/index.js';

export type Handler = (ctx: RequestContext, body: Reader) => HandlerResult | undefined | Promise<HandlerResult | undefined>;

export interface CommandPolicy {
  name: string;
  handler: Handler;
  /** A valid session (Session.State Valid) must be named by the header (or the chain). */
  needsSession: boolean;
  /** A tree of that session must be named by TreeId. */
  needsTree: boolean;
  /** Accepted unsigned on a session with SigningRequired. */
  allowUnsigned: boolean;
  /** Accepted unencrypted on a session or tree with EncryptData. */
  allowUnencrypted: boolean;
  /** Offset of the FileId in the body (related compounds use 0xFFFF... there); undefined without one. */
  fileIdOffset: number | undefined;
  /** Bytes the request moves, read from the raw body, for the CreditCharge check; undefined = fixed size. */
  payload: ((msg: Buffer, body: number) => number) | undefined;
  /** CANCEL: no response at all (2.2.30), and no sequence number (3.3.5.2.3). */
  noResponse?: boolean;
  /** The handler on an IPC$ tree (named pipes, src/engine/handlers/pipe/); `handler` when absent. */
  pipe?: Handler;
}

const u32 = (msg: Buffer, at: number): number => (at + 4 <= msg.length ? msg.readUInt32LE(at) : 0);
/** READ Length, WRITE Length, QUERY_INFO / SET_INFO / CHANGE_NOTIFY buffer length: all at body + 4. */
const lengthAt4 = (msg: Buffer, body: number): number => u32(msg, body + 4);
/** IOCTL: the larger of what is sent and what may come back (3.3.5.2.5). */
const ioctlPayload = (msg: Buffer, body: number): number =>
  Math.max(u32(msg, body + 28) + u32(msg, body + 40), u32(msg, body + 32) + u32(msg, body + 44));
const queryDirectoryPayload = (msg: Buffer, body: number): number => u32(msg, body + 28);

type PolicyInit = Omit<CommandPolicy, 'allowUnsigned' | 'allowUnencrypted' | 'fileIdOffset' | 'payload'> &
  Partial<Pick<CommandPolicy, 'allowUnsigned' | 'allowUnencrypted' | 'fileIdOffset' | 'payload'>>;

function p(init: PolicyInit): CommandPolicy {
  return {allowUnsigned: false, allowUnencrypted: false, fileIdOffset: undefined, payload: undefined, ...init};
}

const onTree = {needsSession: true, needsTree: true} as const;

/** Indexed by command code. */
export const POLICY: readonly (CommandPolicy | undefined)[] = (() => {
  const t: (CommandPolicy | undefined)[] = [];
  t[Command.NEGOTIATE] = p({name: 'NEGOTIATE', handler: handleNegotiate, needsSession: false, needsTree: false, allowUnsigned: true, allowUnencrypted: true});
  t[Command.SESSION_SETUP] = p({name: 'SESSION_SETUP', handler: handleSessionSetup, needsSession: false, needsTree: false, allowUnsigned: true, allowUnencrypted: true});
  t[Command.LOGOFF] = p({name: 'LOGOFF', handler: handleLogoff, needsSession: true, needsTree: false});
  t[Command.TREE_CONNECT] = p({name: 'TREE_CONNECT', handler: handleTreeConnect, needsSession: true, needsTree: false});
  t[Command.TREE_DISCONNECT] = p({name: 'TREE_DISCONNECT', handler: handleTreeDisconnect, ...onTree});
  t[Command.CREATE] = p({name: 'CREATE', handler: handleCreate, pipe: pipe.create, ...onTree});
  t[Command.CLOSE] = p({name: 'CLOSE', handler: handleClose, pipe: pipe.close, ...onTree, fileIdOffset: 8});
  t[Command.FLUSH] = p({name: 'FLUSH', handler: handleFlush, pipe: pipe.flush, ...onTree, fileIdOffset: 8});
  t[Command.READ] = p({name: 'READ', handler: handleRead, pipe: pipe.read, ...onTree, fileIdOffset: 16, payload: lengthAt4});
  t[Command.WRITE] = p({name: 'WRITE', handler: handleWrite, pipe: pipe.write, ...onTree, fileIdOffset: 16, payload: lengthAt4});
  t[Command.LOCK] = p({name: 'LOCK', handler: handleLock, pipe: pipe.unsupported, ...onTree, fileIdOffset: 8});
  t[Command.IOCTL] = p({name: 'IOCTL', handler: handleIoctl, pipe: pipe.ioctl, ...onTree, fileIdOffset: 8, payload: ioctlPayload});
  // 3.3.5.16: CANCEL is matched to its target by the header; it needs no session of its own here.
  t[Command.CANCEL] = p({name: 'CANCEL', handler: handleCancel, needsSession: false, needsTree: false, allowUnsigned: true, allowUnencrypted: true, noResponse: true});
  // ECHO works before and without a session (3.3.5.17 names no session check).
  t[Command.ECHO] = p({name: 'ECHO', handler: handleEcho, needsSession: false, needsTree: false, allowUnsigned: true});
  t[Command.QUERY_DIRECTORY] = p({name: 'QUERY_DIRECTORY', handler: handleQueryDirectory, pipe: pipe.unsupported, ...onTree, fileIdOffset: 8, payload: queryDirectoryPayload});
  t[Command.CHANGE_NOTIFY] = p({name: 'CHANGE_NOTIFY', handler: handleChangeNotify, pipe: pipe.unsupported, ...onTree, fileIdOffset: 8, payload: lengthAt4});
  t[Command.QUERY_INFO] = p({name: 'QUERY_INFO', handler: handleQueryInfo, pipe: pipe.queryInfo, ...onTree, fileIdOffset: 24, payload: lengthAt4});
  t[Command.SET_INFO] = p({name: 'SET_INFO', handler: handleSetInfo, pipe: pipe.setInfo, ...onTree, fileIdOffset: 16, payload: lengthAt4});
  t[Command.OPLOCK_BREAK] = p({name: 'OPLOCK_BREAK', handler: handleOplockBreak, pipe: pipe.unsupported, ...onTree, fileIdOffset: 8});
  return t;
})();

export function policyFor(command: number, table: readonly (CommandPolicy | undefined)[] = POLICY): CommandPolicy | undefined {
  return table[command];
}

/**
 * Resolve the session named by the header (or inherited by a related request) and check its state.
 * Sets ctx.session; throws NtStatusError with the status 3.3.5.2.9 names.
 */
function resolveSession(ctx: RequestContext, sessionId: bigint, required: boolean): void {
  if (sessionId === 0n) {
    if (required) throw new NtStatusError(NtStatus.USER_SESSION_DELETED, 'no SessionId');
    return;
  }
  const s = ctx.server.registry.session(sessionId);
  // Sessions are not shared across connections (no multichannel): another connection's session is unknown here.
  if (!s || s.owner !== ctx.conn) {
    if (required) throw new NtStatusError(NtStatus.USER_SESSION_DELETED, 'unknown SessionId');
    return;
  }
  ctx.session = s;
  if (!required) return;
  if (s.state === 'expired') throw new NtStatusError(NtStatus.NETWORK_SESSION_EXPIRED);
  if (s.state !== 'valid') throw new NtStatusError(NtStatus.USER_SESSION_DELETED, 'session setup not finished');
}

/** 3.3.5.2.4: check a signed request; a signature that does not verify drops the connection. */
function checkSignature(ctx: RequestContext, policy: CommandPolicy, signed: boolean): void {
  if (ctx.encrypted) return; // the AEAD tag already authenticated it (3.3.5.2.4 skips encrypted messages)
  const s = ctx.session;
  if (signed) {
    if (s?.signer && s.state !== 'in-progress') {
      if (!s.signer.verify(ctx.message)) throw new ConnectionError(`bad signature on ${policy.name} for session ${s.label}`);
    }
    return;
  }
  if (s?.signingRequired && s.state === 'valid' && !policy.allowUnsigned) {
    throw new NtStatusError(NtStatus.ACCESS_DENIED, `${policy.name} unsigned on a session that requires signing`);
  }
}

/**
 * Run one request through the policy and its handler. Returns the handler's result, an ERROR reply for
 * NtStatusError / malformed bodies / unexpected failures, or undefined for a request without a response.
 * Throws only ConnectionError.
 */
export async function dispatch(
  ctx: RequestContext,
  body: Reader,
  table: readonly (CommandPolicy | undefined)[] = POLICY,
): Promise<HandlerResult | undefined> {
  const h = ctx.header;
  const policy = table[h.command];
  try {
    // 3.3.5.2.6: "The server MUST disconnect ... without sending an error response if ... The Command code in
    // the SMB2 header does not match one of the command codes".
    if (!policy) throw new ConnectionError(`unknown command 0x${h.command.toString(16)}`);
    if (!ctx.conn.negotiated && h.command !== Command.NEGOTIATE) {
      // 3.3.5.2: nothing but NEGOTIATE is acceptable before a dialect is chosen.
      throw new ConnectionError(`${policy.name} before NEGOTIATE`);
    }
    const sessionId = ctx.related ? ctx.chain.sessionId : h.sessionId;
    if (h.command !== Command.SESSION_SETUP && h.command !== Command.CANCEL) {
      resolveSession(ctx, sessionId, policy.needsSession);
    }
    ctx.responseSessionId = sessionId;
    checkSignature(ctx, policy, (h.flags & 0x8) !== 0 && h.command !== Command.SESSION_SETUP);
    if (policy.needsTree) {
      const treeId = ctx.related ? ctx.chain.treeId : h.treeId;
      ctx.responseTreeId = treeId;
      const t = ctx.session ? ctx.server.registry.tree(ctx.session, treeId) : undefined;
      if (!t) throw new NtStatusError(NtStatus.NETWORK_NAME_DELETED, 'unknown TreeId');
      ctx.tree = t;
    }
    // 3.3.5.2.9 / 3.3.5.2.11: where encryption is required, an unencrypted request is refused.
    if (!ctx.encrypted && !policy.allowUnencrypted && (ctx.session?.encryptData || ctx.tree?.encryptData)) {
      throw new NtStatusError(NtStatus.ACCESS_DENIED, `${policy.name} unencrypted where encryption is required`);
    }
    if (policy.payload && ctx.conn.supportsMultiCredit) {
      // 3.3.5.2.5: the CreditCharge must cover the payload; 0 counts as 1 (64 KiB).
      const need = chargeFor(policy.payload(ctx.message, SMB2_HEADER_SIZE));
      if (Math.max(h.creditCharge, 1) < need) {
        throw new NtStatusError(NtStatus.INVALID_PARAMETER, `CreditCharge ${h.creditCharge} below the ${need} the payload needs`);
      }
    }
    const handler = policy.pipe !== undefined && ctx.tree?.share.ipc ? policy.pipe : policy.handler;
    return await handler(ctx, body);
  } catch (e) {
    if (e instanceof ConnectionError) throw e;
    if (e instanceof NtStatusError) {
      ctx.server.log.debug('smb', () => `${policy?.name ?? h.command} mid ${h.messageId}: ${e.message}`);
      return errorReply(e.status);
    }
    if (e instanceof MalformedPacket) {
      // Body decoders throw MalformedPacket: that one request fails (src/smb2/messages/README.md).
      ctx.server.log.debug('smb', () => `${policy?.name ?? h.command} mid ${h.messageId}: malformed: ${e.message}`);
      return errorReply(NtStatus.INVALID_PARAMETER);
    }
    ctx.server.log.error(`${policy?.name ?? h.command} failed unexpectedly: ${(e as Error)?.stack ?? String(e)}`);
    return errorReply(NtStatus.INTERNAL_ERROR);
  }
}
