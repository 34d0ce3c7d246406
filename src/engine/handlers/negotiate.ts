/**
 * NEGOTIATE (MS-SMB2 3.3.5.4) and the SMB1 multi-protocol negotiate answered in SMB2 (3.3.5.3.1).
 */
import {randomBytes} from 'node:crypto';
import {encodeNegTokenInit2} from '../../auth/spnego.js';
import {PREAUTH_HASH_SHA512, preauthInitial, preauthUpdate} from '../../crypto/preauth.js';
import {
  Capabilities,
  Cipher,
  Command,
  Dialect,
  HeaderFlags,
  SecurityMode,
  SigningAlgorithm,
} from '../../smb2/constants.js';
import {contextsOf, type NegotiateContext} from '../../smb2/contexts/negotiate-contexts.js';
import {encodeHeader, makeHeader} from '../../smb2/header.js';
import {decodeNegotiateRequest, encodeNegotiateResponse, type NegotiateResponse} from '../../smb2/messages/negotiate.js';
import {NtStatus, NtStatusError} from '../../smb2/ntstatus.js';
import {decodeSmb1Negotiate, smb2DialectForSmb1} from '../../smb2/smb1-negotiate.js';
import {filetimeFromDate} from '../../wire/filetime.js';
import type {Reader} from '../../wire/reader.js';
import {Writer} from '../../wire/writer.js';
import type {Connection} from '../connection.js';
import {reply, type HandlerResult, type RequestContext} from '../context.js';
import {ConnectionError} from '../errors.js';
import {CIPHER_PREFERENCE, IMPLEMENTED_DIALECTS, SIGNING_PREFERENCE, SMB202_MAX_IO} from '../settings.js';

/** The SPNEGO NegTokenInit2 every NEGOTIATE response carries (MS-SMB2 3.3.5.4, MS-SPNG 3.2.5.2): NTLMSSP only. */
const NEG_TOKEN_INIT2 = encodeNegTokenInit2();

function pick(preference: readonly number[], offered: readonly number[]): number | undefined {
  return preference.find((x) => offered.includes(x));
}

/** Fill the connection's negotiated state and build the response body for `dialect`. */
function negotiated(conn: Connection, dialect: number, contexts: NegotiateContext[]): NegotiateResponse {
  const s = conn.server.settings;
  conn.dialect = dialect;
  let caps = 0;
  // Capabilities advertised honestly: only what is implemented (no leasing, multichannel, persistent handles, DFS).
  if (dialect >= Dialect.SMB2_1 && dialect !== Dialect.WILDCARD) caps |= Capabilities.LARGE_MTU;
  if (dialect === Dialect.WILDCARD && s.maxDialect >= Dialect.SMB2_1) caps |= Capabilities.LARGE_MTU;
  if (
    (dialect === Dialect.SMB3_0 || dialect === Dialect.SMB3_0_2) &&
    s.encryption !== 'disabled' &&
    (conn.clientCapabilities & Capabilities.ENCRYPTION) !== 0
  ) {
    // 3.3.5.4: 3.0 / 3.0.2 encryption is announced by the capability and always AES-128-CCM.
    caps |= Capabilities.ENCRYPTION;
    conn.cipherId = Cipher.AES_128_CCM;
  }
  conn.serverCapabilities = caps;
  // 2.2.4: SIGNING_ENABLED is always set; SIGNING_REQUIRED when the server insists.
  conn.serverSecurityMode = SecurityMode.SIGNING_ENABLED | (s.signing === 'mandatory' ? SecurityMode.SIGNING_REQUIRED : 0);
  const small = dialect === Dialect.SMB2_0_2 || dialect === Dialect.WILDCARD;
  conn.maxTransactSize = small ? SMB202_MAX_IO : s.maxTrans;
  conn.maxReadSize = small ? SMB202_MAX_IO : s.maxRead;
  conn.maxWriteSize = small ? SMB202_MAX_IO : s.maxWrite;
  return {
    securityMode: conn.serverSecurityMode,
    dialectRevision: dialect,
    serverGuid: s.serverGuid,
    capabilities: caps,
    maxTransactSize: conn.maxTransactSize,
    maxReadSize: conn.maxReadSize,
    maxWriteSize: conn.maxWriteSize,
    systemTime: filetimeFromDate(new Date()),
    serverStartTime: 0n,
    securityBuffer: NEG_TOKEN_INIT2,
    negotiateContexts: contexts,
  };
}

/** The 3.1.1 context rules of 3.3.5.4 and the contexts of the response. */
function contexts311(conn: Connection, offered: NegotiateContext[]): NegotiateContext[] {
  const s = conn.server.settings;
  const preauth = contextsOf(offered, 'preauth');
  // 3.3.5.4: "If the negotiate context list does not contain exactly one SMB2_PREAUTH_INTEGRITY_CAPABILITIES
  // negotiate context, then the server MUST fail the negotiate request with STATUS_INVALID_PARAMETER."
  if (preauth.length !== 1) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'need exactly one preauth context');
  if (!preauth[0]!.hashAlgorithms.includes(PREAUTH_HASH_SHA512)) {
    throw new NtStatusError(NtStatus.SMB_NO_PREAUTH_INTEGRITY_HASH_OVERLAP);
  }
  const out: NegotiateContext[] = [{kind: 'preauth', hashAlgorithms: [PREAUTH_HASH_SHA512], salt: randomBytes(32)}];
  const enc = contextsOf(offered, 'encryption');
  if (enc.length > 1) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'more than one encryption context');
  if (enc.length === 1) {
    // 3.3.5.4: the server's preferred cipher among the client's, or 0 ("no common cipher") in the response.
    const cipher = s.encryption === 'disabled' ? undefined : pick(CIPHER_PREFERENCE, enc[0]!.ciphers);
    conn.cipherId = cipher ?? 0;
    out.push({kind: 'encryption', ciphers: [conn.cipherId]});
  }
  const sig = contextsOf(offered, 'signing');
  if (sig.length > 1) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'more than one signing context');
  if (sig.length === 1) {
    const alg = pick(SIGNING_PREFERENCE, sig[0]!.signingAlgorithms) ?? SigningAlgorithm.AES_CMAC;
    conn.signingAlgorithm = alg;
    out.push({kind: 'signing', signingAlgorithms: [alg]});
  }
  // Compression, RDMA transform, transport and POSIX contexts are tolerated and not answered: not implemented.
  return out;
}

export function handleNegotiate(ctx: RequestContext, body: Reader): HandlerResult {
  const conn = ctx.conn;
  // 3.3.5.4: "If Connection.NegotiateDialect is 0x0202, 0x0210, 0x0300, 0x0302, or 0x0311, the server MUST
  // disconnect the connection ... and not reply."
  if (conn.negotiated) throw new ConnectionError('second NEGOTIATE on the connection');
  // 3.3.5.2.4: "If the SMB2 header of the SMB2 NEGOTIATE request has the SMB2_FLAGS_SIGNED bit set in the
  // Flags field, the server MUST fail the request with STATUS_INVALID_PARAMETER."
  if (ctx.header.flags & HeaderFlags.SIGNED) throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'signed NEGOTIATE');
  const req = decodeNegotiateRequest(body);
  conn.clientCapabilities = req.capabilities;
  conn.clientSecurityMode = req.securityMode;
  conn.clientGuid = req.clientGuid;
  conn.clientDialects = req.dialects;
  const s = ctx.server.settings;
  let dialect = 0;
  for (const d of req.dialects) {
    if (IMPLEMENTED_DIALECTS.includes(d) && d >= s.minDialect && d <= s.maxDialect && d > dialect) dialect = d;
  }
  // 3.3.5.4: "If a common dialect is not found, the server MUST fail the request with STATUS_NOT_SUPPORTED."
  if (dialect === 0) throw new NtStatusError(NtStatus.NOT_SUPPORTED, `no common dialect in ${req.dialects.map((d) => d.toString(16)).join(',')}`);
  let contexts: NegotiateContext[] = [];
  if (dialect === Dialect.SMB3_1_1) {
    contexts = contexts311(conn, req.negotiateContexts);
    // 3.3.5.4: the connection's preauth hash covers this request and the response we are about to send.
    conn.preauthHash = preauthUpdate(preauthInitial(), ctx.message);
    ctx.hashResponseInto = 'connection';
  }
  const value = negotiated(conn, dialect, contexts);
  ctx.server.log.debug('smb', () => `${conn.peer}: negotiated dialect 0x${dialect.toString(16)}${conn.cipherId ? ` cipher ${conn.cipherId}` : ''}`);
  return reply(encodeNegotiateResponse, value);
}

/**
 * 3.3.5.3.1: an SMB1 NEGOTIATE offering "SMB 2.???" is answered with DialectRevision 0x02FF (the client then
 * negotiates again in SMB2, with MessageId 1); one offering only "SMB 2.002" gets 0x0202 when 2.0.2 is enabled.
 * Returns the whole response message; a client offering no SMB2 dialect is disconnected.
 */
export function handleSmb1Negotiate(conn: Connection, frame: Buffer): Buffer {
  let dialects: string[];
  try {
    dialects = decodeSmb1Negotiate(frame).dialects;
  } catch (e) {
    throw new ConnectionError(`SMB1 message that is not a valid NEGOTIATE: ${(e as Error).message}`);
  }
  const s = conn.server.settings;
  let d = smb2DialectForSmb1(dialects, s.maxDialect);
  if (d === Dialect.WILDCARD && s.maxDialect < Dialect.SMB2_1) d = undefined;
  if (d === undefined && dialects.includes('SMB 2.002')) d = Dialect.SMB2_0_2;
  if (d === Dialect.SMB2_0_2 && s.minDialect > Dialect.SMB2_0_2) d = undefined;
  if (d === undefined) throw new ConnectionError('SMB1 NEGOTIATE offers no SMB2 dialect we serve');
  const value = negotiated(conn, d, []);
  const w = new Writer(256);
  encodeHeader(w, makeHeader({command: Command.NEGOTIATE, flags: HeaderFlags.SERVER_TO_REDIR, credits: conn.credits.grant(1)}));
  encodeNegotiateResponse(w, value);
  conn.server.log.debug('smb', () => `${conn.peer}: SMB1 negotiate answered with dialect 0x${d.toString(16)}`);
  return w.finishCopy();
}
