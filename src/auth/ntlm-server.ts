// NTLMv2 acceptor for SESSION_SETUP (MS-NLMP 3.2.5.1.1 server sends CHALLENGE, 3.2.5.1.2 server
// receives AUTHENTICATE, 3.3.2 NTLMv2 proofs, 3.4.5.1 KXKEY). NTLMv1/LM responses are refused.
// The key arithmetic lives in src/crypto/ntlm.ts; this file decides what to check and in which order.
// Failures carry a reason and a short detail that never includes a hash, key, proof or token byte.

import {randomBytes as nodeRandomBytes} from 'node:crypto';
import {recoverExportedSessionKey, verifyNtlmMic, verifyNtlmv2Response} from '../crypto/ntlm.js';
import {filetimeFromDate} from '../wire/filetime.js';
import {AuthDecodeError} from './errors.js';
import {
  MSV_AV_FLAG_MIC_PRESENT,
  NTLMSSP_NEGOTIATE_128,
  NTLMSSP_NEGOTIATE_56,
  NTLMSSP_NEGOTIATE_ALWAYS_SIGN,
  NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY,
  NTLMSSP_NEGOTIATE_KEY_EXCH,
  NTLMSSP_NEGOTIATE_LM_KEY,
  NTLMSSP_NEGOTIATE_NTLM,
  NTLMSSP_NEGOTIATE_SEAL,
  NTLMSSP_NEGOTIATE_SIGN,
  NTLMSSP_NEGOTIATE_TARGET_INFO,
  NTLMSSP_NEGOTIATE_UNICODE,
  NTLMSSP_NEGOTIATE_VERSION,
  NTLMSSP_REQUEST_TARGET,
  NTLMSSP_TARGET_TYPE_SERVER,
  NTLM_NEGOTIATE_OEM,
  avFlags,
  buildTargetInfo,
  decodeAuthenticate,
  decodeNegotiate,
  encodeChallenge,
  parseNtlmv2Response,
  type AuthenticateMessage,
  type NtlmVersion,
} from './ntlmssp.js';

/** What this server can do; the CHALLENGE carries the intersection with the client's request. */
export const SERVER_NTLM_FLAGS =
  NTLMSSP_NEGOTIATE_UNICODE |
  NTLMSSP_REQUEST_TARGET |
  NTLMSSP_NEGOTIATE_SIGN |
  NTLMSSP_NEGOTIATE_SEAL |
  NTLMSSP_NEGOTIATE_NTLM |
  NTLMSSP_NEGOTIATE_ALWAYS_SIGN |
  NTLMSSP_TARGET_TYPE_SERVER |
  NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY |
  NTLMSSP_NEGOTIATE_TARGET_INFO |
  NTLMSSP_NEGOTIATE_VERSION |
  NTLMSSP_NEGOTIATE_128 |
  NTLMSSP_NEGOTIATE_KEY_EXCH |
  NTLMSSP_NEGOTIATE_56;

/**
 * CHALLENGE flags for a client's NEGOTIATE flags (MS-NLMP 3.2.5.1.1): everything both sides support,
 * plus the flags the server always asserts (TARGET_INFO, since NTLMv2 needs it, and the target type).
 * For Windows 10's 0xe2088297 this yields 0xe28a8215, the value Windows servers send.
 */
export function challengeFlags(clientFlags: number): number {
  let f = clientFlags & SERVER_NTLM_FLAGS;
  // Character set: Unicode when offered, else OEM (2.2.2.5 flags A and B).
  if (!(clientFlags & NTLMSSP_NEGOTIATE_UNICODE) && clientFlags & NTLM_NEGOTIATE_OEM) f |= NTLM_NEGOTIATE_OEM;
  // 2.2.2.5: with both EXTENDED_SESSIONSECURITY and LM_KEY requested only ESS is returned; LM_KEY is never ours.
  f &= ~NTLMSSP_NEGOTIATE_LM_KEY;
  f |= NTLMSSP_NEGOTIATE_TARGET_INFO | NTLMSSP_TARGET_TYPE_SERVER;
  return f >>> 0;
}

/** Returns the user's NT hash (NTOWFv1), or null if there is no such user. */
export type NtHashLookup = (user: string, domain: string) => Buffer | null | Promise<Buffer | null>;

export type NtlmFailureReason = 'malformed' | 'unsupported' | 'unknown_user' | 'bad_password' | 'bad_mic';

export interface NtlmSuccess {
  ok: true;
  user: string;
  domain: string;
  workstation: string;
  /** ExportedSessionKey: the SMB Session.SessionKey (MS-SMB2 3.3.5.5.3). */
  sessionKey: Buffer;
  anonymous: boolean;
  /** Flags in force after AUTHENTICATE (needed for the mechListMIC keys). */
  flags: number;
  /** True when the client's AV flags announced a MIC and it verified. */
  micVerified: boolean;
}

export interface NtlmFailure {
  ok: false;
  reason: NtlmFailureReason;
  /** Safe to log: no secret and no client-supplied bytes beyond lengths. */
  detail: string;
}

export type NtlmAuthResult = NtlmSuccess | NtlmFailure;

const fail = (reason: NtlmFailureReason, detail: string): NtlmFailure => ({ok: false, reason, detail});

export interface VerifyAuthenticateInput {
  authenticate: Buffer;
  serverChallenge: Buffer;
  lookup: NtHashLookup;
  /** The exact NEGOTIATE and CHALLENGE bytes of this exchange; required to check a MIC. */
  negotiate?: Buffer;
  challenge?: Buffer;
  /** Flags the server sent in CHALLENGE; the client cannot add to them. Defaults to all supported. */
  challengeFlags?: number;
}

const ZERO16 = Buffer.alloc(16);

function isEmptyOrZ1(b: Buffer): boolean {
  return b.length === 0 || (b.length === 1 && b[0] === 0);
}

/** MS-NLMP 3.2.5.1.2: "If the user name and response are empty, ... the ANONYMOUS user". */
function isAnonymous(a: AuthenticateMessage): boolean {
  return a.user === '' && isEmptyOrZ1(a.ntResponse) && isEmptyOrZ1(a.lmResponse);
}

/** KXKEY then, with KEY_EXCH, RC4 recovery of the client's random key (MS-NLMP 3.4.5.1, 3.2.5.1.2). */
function exportedKey(kek: Buffer, flags: number, a: AuthenticateMessage): Buffer | null {
  if (!(flags & NTLMSSP_NEGOTIATE_KEY_EXCH)) return Buffer.from(kek);
  if (a.encryptedRandomSessionKey.length !== 16) return null;
  return recoverExportedSessionKey(kek, a.encryptedRandomSessionKey);
}

/** Verifies one AUTHENTICATE_MESSAGE against the server challenge (MS-NLMP 3.2.5.1.2). */
export async function verifyAuthenticate(input: VerifyAuthenticateInput): Promise<NtlmAuthResult> {
  let a: AuthenticateMessage;
  try {
    a = decodeAuthenticate(input.authenticate);
  } catch (e) {
    if (e instanceof AuthDecodeError) return fail('malformed', e.message);
    throw e;
  }
  const flags = (a.flags & (input.challengeFlags ?? 0xffffffff)) >>> 0;
  const who = {user: a.user, domain: a.domain, workstation: a.workstation};

  if (isAnonymous(a)) {
    // Anonymous SessionBaseKey is Z(16); with KEY_EXCH the client may still wrap a random key in it.
    const key = exportedKey(ZERO16, flags, a) ?? Buffer.from(ZERO16);
    return {ok: true, ...who, sessionKey: key, anonymous: true, flags, micVerified: false};
  }
  // A 24-byte NtChallengeResponse is NTLMv1 (MS-NLMP 3.3.1); this server accepts NTLMv2 only.
  if (a.ntResponse.length === 24 || a.ntResponse.length === 0) return fail('unsupported', 'NTLMv1/LM response refused');
  let avPairsFlags: number;
  try {
    avPairsFlags = avFlags(parseNtlmv2Response(a.ntResponse).avPairs);
  } catch (e) {
    if (e instanceof AuthDecodeError) return fail('malformed', e.message);
    throw e;
  }
  if (input.serverChallenge.length !== 8) throw new RangeError('server challenge must be 8 bytes');

  const ntHash = await input.lookup(a.user, a.domain);
  if (!ntHash) return fail('unknown_user', 'no such user');

  // 3.2.5.1.2: "servers SHOULD support clients which incorrectly use NIL for the UserDom".
  let baseKey: Buffer | null = null;
  for (const dom of a.domain === '' ? [''] : [a.domain, '']) {
    baseKey = verifyNtlmv2Response(ntHash, a.user, dom, input.serverChallenge, a.ntResponse);
    if (baseKey) break;
  }
  if (!baseKey) return fail('bad_password', 'NTLMv2 response does not match');

  const sessionKey = exportedKey(baseKey, flags, a);
  if (!sessionKey) return fail('malformed', 'KEY_EXCH without a 16-byte EncryptedRandomSessionKey');

  let micVerified = false;
  if (avPairsFlags & MSV_AV_FLAG_MIC_PRESENT) {
    // 3.2.5.1.2: with MsvAvFlags 0x2 the MIC MUST be checked over NEGOTIATE || CHALLENGE || AUTHENTICATE.
    if (a.micOffset === undefined) return fail('malformed', 'MsvAvFlags announce a MIC the message has no room for');
    if (!input.negotiate || !input.challenge) return fail('bad_mic', 'MIC present but the exchange bytes were not supplied');
    if (!verifyNtlmMic(sessionKey, input.negotiate, input.challenge, input.authenticate, a.micOffset)) {
      return fail('bad_mic', 'MIC does not match');
    }
    micVerified = true;
  }
  return {ok: true, ...who, sessionKey, anonymous: false, flags, micVerified};
}

export interface NtlmServerConfig {
  lookup: NtHashLookup;
  nbDomainName: string;
  nbComputerName: string;
  dnsDomainName?: string;
  dnsComputerName?: string;
  version?: NtlmVersion;
  /** Injected for tests; defaults to node:crypto randomBytes and the current time. */
  randomBytes?: (n: number) => Buffer;
  /** FILETIME for MsvAvTimestamp. */
  now?: () => bigint;
}

type State = 'initial' | 'challenged' | 'done';

/**
 * One NTLM exchange: NEGOTIATE -> CHALLENGE, then AUTHENTICATE -> result. A context is single-use;
 * the SESSION_SETUP handler keeps one per in-progress session.
 */
export class NtlmServer {
  #state: State = 'initial';
  #negotiate: Buffer | null = null;
  #challenge: Buffer | null = null;
  #serverChallenge: Buffer | null = null;
  #flags = 0;

  constructor(private readonly config: NtlmServerConfig) {}

  get state(): State {
    return this.#state;
  }

  /** The CHALLENGE_MESSAGE bytes for a client's NEGOTIATE_MESSAGE. Throws AuthDecodeError if malformed. */
  challenge(negotiateMessage: Buffer): Buffer {
    if (this.#state !== 'initial') throw new AuthDecodeError('NTLMSSP: NEGOTIATE out of sequence');
    const neg = decodeNegotiate(negotiateMessage);
    const c = this.config;
    const flags = challengeFlags(neg.flags);
    const serverChallenge = Buffer.from((c.randomBytes ?? nodeRandomBytes)(8));
    const names = {nbDomainName: c.nbDomainName, nbComputerName: c.nbComputerName};
    const msg = encodeChallenge({
      flags,
      serverChallenge,
      // 3.2.5.1.1: TargetName only when the client set REQUEST_TARGET; a standalone server names itself.
      targetName: flags & NTLMSSP_REQUEST_TARGET ? c.nbComputerName : '',
      targetInfo: buildTargetInfo({
        ...names,
        ...(c.dnsDomainName !== undefined ? {dnsDomainName: c.dnsDomainName} : {}),
        ...(c.dnsComputerName !== undefined ? {dnsComputerName: c.dnsComputerName} : {}),
        timestamp: c.now ? c.now() : filetimeFromDate(new Date()),
      }),
      ...(c.version ? {version: c.version} : {}),
    });
    // The MIC covers these exact bytes, so keep copies independent of the caller's buffers.
    this.#negotiate = Buffer.from(negotiateMessage);
    this.#challenge = msg;
    this.#serverChallenge = serverChallenge;
    this.#flags = flags;
    this.#state = 'challenged';
    return msg;
  }

  /** Verifies the AUTHENTICATE_MESSAGE; the context is finished afterwards whatever the outcome. */
  async authenticate(authenticateMessage: Buffer): Promise<NtlmAuthResult> {
    if (this.#state !== 'challenged') return fail('malformed', 'AUTHENTICATE out of sequence');
    this.#state = 'done';
    return verifyAuthenticate({
      authenticate: authenticateMessage,
      serverChallenge: this.#serverChallenge!,
      negotiate: this.#negotiate!,
      challenge: this.#challenge!,
      challengeFlags: this.#flags,
      lookup: this.config.lookup,
    });
  }
}
