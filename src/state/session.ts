/**
 * Session (MS-SMB2 3.3.1.8): authentication state, the keys derived from it, its trees.
 */
import type {NtlmServer} from '../auth/ntlm-server.js';
import type {MessageSigner} from '../crypto/sign.js';
import type {NonceSequence} from '../crypto/seal.js';
import type {UnixIdentity} from '../ipc/types.js';
import {HandleTable} from './handles.js';
import type {Tree} from './tree.js';

export type SessionState = 'in-progress' | 'valid' | 'expired';

/** The connection a session lives on, as far as state/ needs it (killSession drops it). */
export interface SessionOwner {
  drop(reason: string): void;
  /** The session ended (LOGOFF, replaced by a reconnect): the owner stops tracking it. */
  forget(s: Session): void;
}

export class Session {
  state: SessionState = 'in-progress';
  user = '';
  domain = '';
  guest = false;
  anonymous = false;
  identity: UnixIdentity | undefined;
  /** Session.SessionKey (16 bytes); never logged. */
  sessionKey: Buffer | undefined;
  /** Signs and verifies with Session.SigningKey (3.x) or Session.SessionKey (2.x). */
  signer: MessageSigner | undefined;
  signingRequired = false;
  /** Session.EncryptData: every request but NEGOTIATE / SESSION_SETUP must arrive encrypted. */
  encryptData = false;
  /** Encryption keys exist (3.x with a cipher): the client may encrypt even when not required. */
  cipherId = 0;
  encryptionKey: Buffer | undefined;
  decryptionKey: Buffer | undefined;
  nonces: NonceSequence | undefined;
  /** 3.1.1: Session.PreauthIntegrityHashValue while the session is being set up. */
  preauthHash: Buffer | undefined;
  /** The NTLM exchange in progress (first or re-authentication). */
  auth: NtlmServer | undefined;
  /** SPNEGO MechTypeList of the exchange, for the mechListMIC. */
  mechTypesDer: Buffer | undefined;
  readonly trees = new HandleTable<Tree>(16, 16);
  readonly createdAt = Date.now();
  lastActivity = Date.now();

  constructor(
    /** SessionId on the wire. */
    readonly id: bigint,
    /** Client address, for `ksmbd status` and logs. */
    readonly client: string,
    readonly dialect: number,
    readonly owner: SessionOwner,
  ) {}

  get alive(): boolean {
    return this.state !== 'expired';
  }

  /** Hex form used by `ksmbd status` and killSession(). */
  get label(): string {
    return this.id.toString(16).padStart(16, '0');
  }
}
