/**
 * SESSION_SETUP (MS-SMB2 3.3.5.5): SPNEGO carrying NTLMSSP (NTLMv2 only), the session keys per dialect
 * (3.3.5.5.3), signing and encryption requirements, guest and anonymous sessions, re-authentication.
 * Multichannel binding is refused (STATUS_REQUEST_NOT_ACCEPTED): it is not implemented.
 */
import {setTimeout as sleep} from 'node:timers/promises';
import {serverMechListMic, verifyClientMechListMic} from '../../auth/mech-list-mic.js';
import {NtlmServer, type NtlmAuthResult} from '../../auth/ntlm-server.js';
import {encodeNegTokenResp, NegState, negTokenRespCompleted, negTokenRespIncomplete, ntlmFromClientToken, OID_NTLMSSP, type NtlmFromToken} from '../../auth/spnego.js';
import {deriveSmb3Keys} from '../../crypto/kdf.js';
import {preauthUpdate} from '../../crypto/preauth.js';
import {NonceSequence} from '../../crypto/seal.js';
import {MessageSigner, signingAlgorithmFor, SIGNING_HMAC_SHA256, type SigningAlgorithm} from '../../crypto/sign.js';
import type {LoginResponse} from '../../ipc/types.js';
import {Dialect, SecurityMode, SessionFlags, SessionSetupFlags} from '../../smb2/constants.js';
import {decodeSessionSetupRequest, encodeSessionSetupResponse, type SessionSetupRequest} from '../../smb2/messages/session-setup.js';
import {NtStatus, NtStatusError} from '../../smb2/ntstatus.js';
import type {Session} from '../../state/session.js';
import {MalformedPacket} from '../../wire/errors.js';
import type {Reader} from '../../wire/reader.js';
import {reply, type HandlerResult, type RequestContext} from '../context.js';

const NTLMSSP_NEGOTIATE = 1;
/** Sessions one connection may hold (set up or in progress): a client needs a handful, never hundreds. */
const MAX_SESSIONS_PER_CONNECTION = 64;
const NTLMSSP_AUTHENTICATE = 3;
const EMPTY = Buffer.alloc(0);

/** What the NTLM lookup learned from the services side during one AUTHENTICATE. */
interface LoginSeen {
  user: string;
  domain: string;
  response: LoginResponse | undefined;
}

function ntlmType(msg: Buffer): number {
  if (msg.length < 12) throw new MalformedPacket('NTLMSSP message shorter than its header');
  return msg.readUInt32LE(8);
}

export async function handleSessionSetup(ctx: RequestContext, body: Reader): Promise<HandlerResult> {
  const {conn, server} = ctx;
  const req = decodeSessionSetupRequest(body);
  const canEncrypt = conn.dialect >= Dialect.SMB3_0 && conn.cipherId !== 0;
  // 3.3.5.5 steps 1-2: with encryption required everywhere, a client that cannot encrypt is refused.
  if (server.settings.encryption === 'mandatory' && !canEncrypt) {
    throw new NtStatusError(NtStatus.ACCESS_DENIED, 'smb3 encryption is mandatory and the client cannot encrypt');
  }
  // Binding a session to a second connection (multichannel) is not implemented.
  if ((req.flags & SessionSetupFlags.BINDING) !== 0) throw new NtStatusError(NtStatus.REQUEST_NOT_ACCEPTED, 'session binding is not supported');

  let session: Session;
  let fresh = false;
  if (ctx.header.sessionId === 0n) {
    if (conn.sessions.size >= MAX_SESSIONS_PER_CONNECTION) throw new NtStatusError(NtStatus.INSUFF_SERVER_RESOURCES, 'too many sessions on one connection');
    const s = server.registry.newSession(conn.peer, conn.dialect, conn);
    if (!s) throw new NtStatusError(NtStatus.INSUFF_SERVER_RESOURCES, 'session table full');
    session = s;
    fresh = true;
    conn.sessions.add(s);
    if (conn.dialect === Dialect.SMB3_1_1 && conn.preauthHash) s.preauthHash = Buffer.from(conn.preauthHash);
  } else {
    const s = server.registry.session(ctx.header.sessionId);
    if (!s || s.owner !== conn) throw new NtStatusError(NtStatus.USER_SESSION_DELETED, 'unknown SessionId');
    if (s.state === 'expired') throw new NtStatusError(NtStatus.NETWORK_SESSION_EXPIRED);
    session = s;
  }
  ctx.session = session;
  ctx.responseSessionId = session.id;
  const reauth = session.state === 'valid';
  // 3.3.5.5.1 / .2: on 3.1.1 every SESSION_SETUP request of the first authentication extends the session's hash.
  if (!reauth && session.preauthHash) session.preauthHash = preauthUpdate(session.preauthHash, ctx.message);
  try {
    return await exchange(ctx, session, req, reauth);
  } catch (e) {
    // A failed first authentication removes the session (3.3.5.5.3); a failed re-authentication ends it too.
    if (session.alive && (fresh || session.state === 'in-progress' || reauth)) await server.registry.endSession(session);
    throw e;
  }
}

async function exchange(ctx: RequestContext, session: Session, req: SessionSetupRequest, reauth: boolean): Promise<HandlerResult> {
  const {server} = ctx;
  const tok = ntlmFromClientToken(req.securityBuffer);
  if (tok.mechTypesDer) session.mechTypesDer = tok.mechTypesDer;
  if (!tok.acceptable) {
    ctx.server.log.debug('auth', `${ctx.conn.peer}: client offers no mechanism we accept`);
    throw new NtStatusError(NtStatus.LOGON_FAILURE, 'no acceptable SPNEGO mechanism');
  }
  if (tok.ntlm === null) {
    // The client's first choice was another mechanism (an optimistic Kerberos token): ask for NTLMSSP.
    if (!reauth && session.preauthHash) ctx.hashResponseInto = session;
    const token = encodeNegTokenResp({negState: NegState.ACCEPT_INCOMPLETE, supportedMech: OID_NTLMSSP});
    return reply(encodeSessionSetupResponse, {sessionFlags: 0, securityBuffer: token}, NtStatus.MORE_PROCESSING_REQUIRED);
  }
  const type = ntlmType(tok.ntlm);
  if (type === NTLMSSP_NEGOTIATE) return challenge(ctx, session, tok, tok.ntlm, reauth);
  if (type === NTLMSSP_AUTHENTICATE) return authenticate(ctx, session, tok, tok.ntlm, req, reauth);
  throw new MalformedPacket(`unexpected NTLMSSP message type ${type}`);
}

function challenge(ctx: RequestContext, session: Session, tok: NtlmFromToken, ntlm: Buffer, reauth: boolean): HandlerResult {
  const s = ctx.server.settings;
  const seen: LoginSeen = {user: '', domain: '', response: undefined};
  const services = ctx.server.services;
  const client = ctx.conn.peer;
  const auth = new NtlmServer({
    nbDomainName: s.workgroup.toUpperCase(),
    nbComputerName: s.netbiosName.toUpperCase().replace(/\s+/g, ''),
    lookup: (user, domain) => {
      seen.user = user;
      seen.domain = domain;
      seen.response = services.login({user, domain, client});
      return seen.response.status === 'ok' ? seen.response.ntHash : null;
    },
  });
  const msg = auth.challenge(ntlm);
  session.auth = auth;
  loginsSeen.set(session, seen);
  if (!reauth && session.preauthHash) ctx.hashResponseInto = session;
  const token = tok.wrapped ? negTokenRespIncomplete(msg) : msg;
  return reply(encodeSessionSetupResponse, {sessionFlags: 0, securityBuffer: token}, NtStatus.MORE_PROCESSING_REQUIRED);
}

/** The lookup results of each session's exchange in progress (kept off the Session: they are auth-internal). */
const loginsSeen = new WeakMap<Session, LoginSeen>();

async function failLogin(ctx: RequestContext, user: string, domain: string, reason: string): Promise<never> {
  ctx.server.services.loginFailed({user, domain, client: ctx.conn.peer, reason});
  // A short delay slows password guessing; it holds only this connection, never the event loop.
  await sleep(ctx.server.logonFailureDelayMs);
  throw new NtStatusError(NtStatus.LOGON_FAILURE, reason);
}

async function authenticate(
  ctx: RequestContext,
  session: Session,
  tok: NtlmFromToken,
  ntlm: Buffer,
  req: SessionSetupRequest,
  reauth: boolean,
): Promise<HandlerResult> {
  const {server, conn} = ctx;
  const auth = session.auth;
  if (!auth || auth.state !== 'challenged') throw new MalformedPacket('NTLMSSP AUTHENTICATE without a CHALLENGE');
  const seen = loginsSeen.get(session) ?? {user: '', domain: '', response: undefined};
  const result: NtlmAuthResult = await auth.authenticate(ntlm);
  // The session may have been torn down while we waited (connection closed, killSession).
  if (!session.alive) throw new NtStatusError(NtStatus.USER_SESSION_DELETED, 'session ended during authentication');
  session.auth = undefined;
  loginsSeen.delete(session);

  let login: LoginResponse;
  if (result.ok && result.anonymous) {
    login = server.services.login({user: '', client: conn.peer});
  } else if (result.ok && seen.response?.status === 'ok') {
    login = seen.response;
  } else if (!result.ok && result.reason === 'unknown_user' && seen.response?.status === 'guest') {
    // `map to guest = bad user`: an unknown user becomes the guest account (never a wrong password).
    login = seen.response;
  } else if (!result.ok) {
    if (result.reason === 'malformed' || result.reason === 'unsupported') {
      server.log.debug('auth', `${conn.peer}: AUTHENTICATE refused: ${result.detail}`);
    }
    return failLogin(ctx, seen.user, seen.domain, result.reason === 'unknown_user' ? 'unknown user' : result.detail);
  } else {
    return failLogin(ctx, seen.user, seen.domain, 'no account');
  }
  if (login.status === 'no-such-user') return failLogin(ctx, seen.user, seen.domain, 'unknown user');

  const guest = login.status === 'guest';
  const anonymous = login.status === 'guest' && login.anonymous;
  let serverMic: Buffer | undefined;
  if (result.ok && tok.mechListMIC && session.mechTypesDer && !anonymous) {
    // MS-SPNG 3.2.5.1 / RFC 4178 5: check the client's mechListMIC and answer with ours.
    if (!verifyClientMechListMic(result.sessionKey, result.flags, session.mechTypesDer, tok.mechListMIC)) {
      return failLogin(ctx, seen.user, seen.domain, 'SPNEGO mechListMIC does not verify');
    }
    serverMic = serverMechListMic(result.sessionKey, result.flags, session.mechTypesDer) ?? undefined;
  }
  if (guest && server.settings.encryption === 'mandatory') {
    // A guest or anonymous session has no keys, so it cannot meet mandatory encryption.
    throw new NtStatusError(NtStatus.ACCESS_DENIED, 'guest session where encryption is mandatory');
  }

  if (reauth) {
    // Re-authentication refreshes the session; it cannot turn it into another user's (keys stay as they were).
    // An anonymous re-authentication is allowed (Samba accepts it; smbtorture smb2.session.reauth2-5 expect it):
    // it gains nothing, since trees and opens keep the identity they were made with, and the session keeps its
    // user, who may re-authenticate again later.
    if (!anonymous && (login.user !== session.user || guest !== session.guest)) {
      return failLogin(ctx, seen.user, seen.domain, 're-authentication as a different user');
    }
  } else {
    session.user = login.user;
    session.domain = seen.domain;
    session.guest = guest;
    session.anonymous = anonymous;
    session.identity = login.identity;
    if (!guest && result.ok) setKeys(ctx, session, result.sessionKey, req);
    await endPreviousSession(ctx, session, req.previousSessionId);
    if (!session.alive) throw new NtStatusError(NtStatus.USER_SESSION_DELETED, 'session ended during setup');
    session.state = 'valid';
    session.preauthHash = undefined;
    session.mechTypesDer = undefined;
  }
  session.lastActivity = Date.now();
  let flags = 0;
  if (anonymous) flags |= SessionFlags.IS_NULL;
  else if (guest) flags |= SessionFlags.IS_GUEST;
  if (session.encryptData) flags |= SessionFlags.ENCRYPT_DATA;
  // 3.3.5.5.3: the final response of an authenticated (not guest, not anonymous) session is signed with its key.
  if (session.signer) ctx.signWith = session;
  server.log.debug('auth', () =>
    `${conn.peer}: session ${session.label} ${reauth ? 're-authenticated' : 'established'} for \`${session.user || '(anonymous)'}'` +
    `${guest ? ' as guest' : ''}${session.signingRequired ? ', signing required' : ''}${session.encryptData ? ', encrypted' : ''}`,
  );
  const token = tok.wrapped ? negTokenRespCompleted(serverMic) : EMPTY;
  return reply(encodeSessionSetupResponse, {sessionFlags: flags, securityBuffer: token});
}

/** 3.3.5.5.3: Session.SessionKey, signing key and algorithm, encryption keys, and the requirements. */
function setKeys(ctx: RequestContext, session: Session, key: Buffer, req: SessionSetupRequest): void {
  const {conn, server} = ctx;
  const s = server.settings;
  session.sessionKey = Buffer.alloc(16);
  key.copy(session.sessionKey, 0, 0, Math.min(16, key.length));
  if (conn.dialect >= Dialect.SMB3_0) {
    const keys = deriveSmb3Keys({
      dialect: conn.dialect,
      fullSessionKey: key,
      ...(conn.dialect === Dialect.SMB3_1_1 ? {preauthHash: session.preauthHash} : {}),
      ...(conn.cipherId !== 0 ? {cipherId: conn.cipherId} : {}),
    });
    const alg = signingAlgorithmFor(conn.dialect, conn.signingAlgorithm as SigningAlgorithm | undefined);
    session.signer = new MessageSigner(alg, keys.signingKey);
    if (conn.cipherId !== 0) {
      session.cipherId = conn.cipherId;
      session.encryptionKey = keys.s2cCipherKey;
      session.decryptionKey = keys.c2sCipherKey;
      session.nonces = new NonceSequence(conn.cipherId);
      session.encryptData = s.encryption === 'mandatory';
    }
  } else {
    session.signer = new MessageSigner(SIGNING_HMAC_SHA256, session.sessionKey);
  }
  // 3.3.5.5.3: signing is required when the client's SecurityMode asks for it or the server insists.
  const clientRequires = ((req.securityMode | conn.clientSecurityMode) & SecurityMode.SIGNING_REQUIRED) !== 0;
  session.signingRequired = s.signing === 'mandatory' || clientRequires;
}

/** 3.3.5.5.3: a PreviousSessionId of the same user names a session this client lost: log it off. */
async function endPreviousSession(ctx: RequestContext, session: Session, previous: bigint): Promise<void> {
  if (previous === 0n || previous === session.id) return;
  const prev = ctx.server.registry.session(previous);
  if (!prev || prev.state !== 'valid' || prev.guest || prev.user !== session.user) return;
  ctx.server.log.debug('auth', `session ${prev.label} replaced by ${session.label} (PreviousSessionId)`);
  await ctx.server.registry.endSession(prev);
}
