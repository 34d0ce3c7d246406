// SMB 3.1.1 pre-authentication integrity (MS-SMB2 3.2.5.2 / 3.3.5.4 / 3.3.5.5).
// The only HashAlgorithm defined (2.2.3.1.1) is SHA-512 (0x0001):
//   H0 = 64 zero bytes,  Hn = SHA-512(Hn-1 || message)
// over each whole SMB2 message as sent or received (signature field included, without the
// 4-byte Direct TCP transport header). The connection chain covers NEGOTIATE request and
// response; each session chain starts from it and adds every SESSION_SETUP request and every
// non-final SESSION_SETUP response. The value after the last request is the KDF context.

import {createHash} from 'node:crypto';

/** SMB2_PREAUTH_INTEGRITY_CAPABILITIES HashAlgorithm id for SHA-512 (MS-SMB2 2.2.3.1.1). */
export const PREAUTH_HASH_SHA512 = 0x0001;
export const PREAUTH_HASH_LENGTH = 64;

/** Connection.PreauthIntegrityHashValue before the NEGOTIATE request: all zeros. */
export function preauthInitial(): Buffer {
  return Buffer.alloc(PREAUTH_HASH_LENGTH);
}

/**
 * One chaining step. `message` may be given as the pieces it was written in (a response
 * built as header + body) so the caller never has to join them just to hash them.
 * Returns a new 64-byte value; `previous` is not modified, so a session may fork from the
 * connection's value.
 */
export function preauthUpdate(previous: Uint8Array, message: Uint8Array | readonly Uint8Array[]): Buffer {
  if (previous.length !== PREAUTH_HASH_LENGTH) throw new RangeError('preauth hash is 64 bytes');
  const h = createHash('sha512').update(previous);
  if (message instanceof Uint8Array) h.update(message);
  else for (const part of message) h.update(part);
  return h.digest();
}
