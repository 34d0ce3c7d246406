// SMB2 message signing (MS-SMB2 3.1.4.1 signing, 3.1.5.1 verifying):
//   2.0.2 / 2.1          HMAC-SHA256(Session.SessionKey, message) truncated to 16 bytes
//   3.0 / 3.0.2 / 3.1.1  AES-128-CMAC (RFC 4493) with the derived SigningKey
//   3.1.1 + SMB2_SIGNING_CAPABILITIES  AES-128-GMAC (RFC 4543) when negotiated
// always over the whole message (compound padding included) with the 16-byte Signature
// field at offset 48 taken as zero. We never copy a message to zero that field: the MACs
// are fed the pieces before and after it plus a constant block of zeros.

import {createCipheriv, createHmac, timingSafeEqual} from 'node:crypto';

/** SigningAlgorithmId values of SMB2_SIGNING_CAPABILITIES (MS-SMB2 2.2.3.1.7). */
export const SIGNING_HMAC_SHA256 = 0x0000;
export const SIGNING_AES_CMAC = 0x0001;
export const SIGNING_AES_GMAC = 0x0002;
export type SigningAlgorithm = typeof SIGNING_HMAC_SHA256 | typeof SIGNING_AES_CMAC | typeof SIGNING_AES_GMAC;

// SMB2 header fields that signing depends on (MS-SMB2 2.2.1).
const SMB2_HEADER_SIZE = 64;
const OFF_COMMAND = 12;
const OFF_FLAGS = 16;
const OFF_MESSAGE_ID = 24;
const OFF_SIGNATURE = 48;
const SIGNATURE_SIZE = 16;
const SMB2_FLAGS_SERVER_TO_REDIR = 0x00000001;
export const SMB2_FLAGS_SIGNED = 0x00000008;
const SMB2_CANCEL = 0x000c;

const ZERO16: Buffer = Buffer.alloc(16);

/**
 * Which algorithm a connection signs with: 2.x HMAC-SHA256; 3.x AES-CMAC unless 3.1.1
 * negotiated a SigningAlgorithmId (3.1.4.1 "Connection.SigningAlgorithmId is not empty").
 */
export function signingAlgorithmFor(dialect: number, negotiated?: SigningAlgorithm): SigningAlgorithm {
  if (dialect < 0x0300) return SIGNING_HMAC_SHA256;
  if (dialect === 0x0311 && negotiated !== undefined) return negotiated;
  return SIGNING_AES_CMAC;
}

// ---- AES-CMAC (RFC 4493) on node's AES-ECB/CBC ----

export interface CmacSubkeys {
  k1: Buffer;
  k2: Buffer;
}

/** RFC 4493 2.3 doubling in GF(2^128): shift left one bit, fold the carry back in with Rb = 0x87. */
function dbl(block: Buffer): Buffer {
  const out = Buffer.allocUnsafe(16);
  for (let i = 0; i < 15; i++) out[i] = ((block[i]! << 1) | (block[i + 1]! >>> 7)) & 0xff;
  out[15] = (block[15]! << 1) & 0xff;
  if (block[0]! & 0x80) out[15]! ^= 0x87;
  return out;
}

function aesBlock(key: Uint8Array, block: Uint8Array): Buffer {
  const c = createCipheriv(key.length === 32 ? 'aes-256-ecb' : 'aes-128-ecb', key, null);
  c.setAutoPadding(false);
  return c.update(block);
}

/** RFC 4493 2.3 Generate_Subkey: L = AES-K(0^128), K1 = dbl(L), K2 = dbl(K1). Compute once per key. */
export function cmacSubkeys(key: Uint8Array): CmacSubkeys & {l: Buffer} {
  const l = aesBlock(key, ZERO16);
  const k1 = dbl(l);
  return {l, k1, k2: dbl(k1)};
}

/**
 * AES-CMAC (RFC 4493 2.4) over the concatenation of `parts`. All complete blocks but the last
 * go through one AES-CBC with a zero IV (the CBC-MAC chain); only the final block is built
 * in JS (XOR with K1, or 10* padding and XOR with K2) and pushed through the same cipher,
 * whose last output block is the MAC.
 */
export function aesCmac(key: Uint8Array, parts: Uint8Array | readonly Uint8Array[], subkeys?: CmacSubkeys): Buffer {
  const list: readonly Uint8Array[] = parts instanceof Uint8Array ? [parts] : parts;
  const {k1, k2} = subkeys ?? cmacSubkeys(key);
  let total = 0;
  for (const p of list) total += p.length;
  const complete = total > 0 && total % 16 === 0;
  const lastStart = complete ? total - 16 : total - (total % 16);

  const cbc = createCipheriv(key.length === 32 ? 'aes-256-cbc' : 'aes-128-cbc', key, ZERO16);
  cbc.setAutoPadding(false);
  const last = Buffer.alloc(16);
  let pos = 0;
  for (const p of list) {
    const end = pos + p.length;
    if (pos < lastStart) cbcChain(cbc, end <= lastStart ? p : p.subarray(0, lastStart - pos));
    if (end > lastStart) {
      const from = Math.max(pos, lastStart);
      last.set(p.subarray(from - pos), from - lastStart);
    }
    pos = end;
  }
  const tailLength = total - lastStart;
  let sub = k1;
  if (!complete) {
    last[tailLength] = 0x80; // padding(x) = x || 10^i (RFC 4493 2.4 step 4)
    sub = k2;
  }
  for (let i = 0; i < 16; i++) last[i]! ^= sub[i]!;
  return cbc.update(last).subarray(-16);
}

/**
 * Feed the CBC-MAC chain (its output is thrown away) at most CMAC_PIECE bytes per update(): one update()
 * over a multi-MiB WRITE or READ would make node allocate and fault in an output buffer as large.
 */
const CMAC_PIECE = 64 * 1024;
function cbcChain(cbc: {update(data: Uint8Array): Buffer}, data: Uint8Array): void {
  for (let at = 0; at < data.length; at += CMAC_PIECE) cbc.update(data.subarray(at, Math.min(data.length, at + CMAC_PIECE)));
}

// ---- AES-GMAC (RFC 4543 via GCM with empty plaintext) ----

/**
 * The 12-byte GMAC nonce of MS-SMB2 3.1.4.1: MessageId (8 bytes, as in the header), then a
 * 32-bit little-endian word whose bit 0 says the sender is the server and bit 1 that the
 * message is an SMB2 CANCEL request. The sender is read from SMB2_FLAGS_SERVER_TO_REDIR, so
 * the same function serves signing our responses and verifying the client's requests.
 */
export function gmacNonce(message: Uint8Array): Buffer {
  const view = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
  const nonce = Buffer.alloc(12);
  view.copy(nonce, 0, OFF_MESSAGE_ID, OFF_MESSAGE_ID + 8);
  const fromServer = (view.readUInt32LE(OFF_FLAGS) & SMB2_FLAGS_SERVER_TO_REDIR) !== 0;
  const cancel = !fromServer && view.readUInt16LE(OFF_COMMAND) === SMB2_CANCEL;
  nonce.writeUInt32LE((fromServer ? 1 : 0) | (cancel ? 2 : 0), 8);
  return nonce;
}

/** GMAC: the GCM tag with the data as AAD and no plaintext. */
export function aesGmac(key: Uint8Array, nonce: Uint8Array, parts: Uint8Array | readonly Uint8Array[]): Buffer {
  const g = createCipheriv(key.length === 32 ? 'aes-256-gcm' : 'aes-128-gcm', key, nonce);
  if (parts instanceof Uint8Array) g.setAAD(parts);
  else for (const p of parts) g.setAAD(p); // GCM (unlike CCM) accepts AAD in pieces
  g.final();
  return g.getAuthTag();
}

// ---- whole-message signing ----

/** The message as three pieces with the Signature field replaced by zeros (no copy). */
function zeroedSignatureView(message: Uint8Array): Uint8Array[] {
  if (message.length < SMB2_HEADER_SIZE) throw new RangeError('message shorter than an SMB2 header');
  return [message.subarray(0, OFF_SIGNATURE), ZERO16, message.subarray(OFF_SIGNATURE + SIGNATURE_SIZE)];
}

/**
 * A signing key bound to its algorithm, with per-key work (CMAC subkeys) done once.
 * Keep one per Session.SigningKey / Channel.SigningKey / 2.x Session.SessionKey.
 */
export class MessageSigner {
  readonly algorithm: SigningAlgorithm;
  readonly #key: Buffer;
  readonly #subkeys: CmacSubkeys | undefined;

  constructor(algorithm: SigningAlgorithm, key: Uint8Array) {
    if (algorithm !== SIGNING_HMAC_SHA256 && key.length !== 16) throw new RangeError('AES-CMAC/GMAC signing keys are 16 bytes');
    if (algorithm !== SIGNING_HMAC_SHA256 && algorithm !== SIGNING_AES_CMAC && algorithm !== SIGNING_AES_GMAC) {
      throw new RangeError(`unknown signing algorithm ${String(algorithm)}`);
    }
    this.algorithm = algorithm;
    this.#key = Buffer.from(key);
    this.#subkeys = algorithm === SIGNING_AES_CMAC ? cmacSubkeys(this.#key) : undefined;
  }

  /**
   * The 16-byte signature of `message` (one SMB2 message of a chain, padding included). `tail`, when
   * given, is the rest of that message kept in its own buffer (a READ payload): it is MACed after
   * `message` without joining the two.
   */
  compute(message: Uint8Array, tail?: Uint8Array): Buffer {
    const parts = zeroedSignatureView(message);
    if (tail !== undefined && tail.length > 0) parts.push(tail);
    switch (this.algorithm) {
      case SIGNING_HMAC_SHA256: {
        const h = createHmac('sha256', this.#key);
        for (const p of parts) h.update(p);
        return h.digest().subarray(0, SIGNATURE_SIZE);
      }
      case SIGNING_AES_CMAC:
        return aesCmac(this.#key, parts, this.#subkeys);
      case SIGNING_AES_GMAC:
        return aesGmac(this.#key, gmacNonce(message), parts);
    }
  }

  /**
   * Sign in place (3.1.4.1). The SMB2_FLAGS_SIGNED bit is covered by the signature, so it is
   * set first unless the caller says otherwise (`setSignedFlag: false`). `tail`: see compute(); only
   * `message` (which holds the header) is written to.
   */
  sign(message: Uint8Array, setSignedFlag = true, tail?: Uint8Array): void {
    const view = Buffer.from(message.buffer, message.byteOffset, message.byteLength);
    if (setSignedFlag) view.writeUInt32LE((view.readUInt32LE(OFF_FLAGS) | SMB2_FLAGS_SIGNED) >>> 0, OFF_FLAGS);
    this.compute(view, tail).copy(view, OFF_SIGNATURE);
  }

  /** Verify a received message (3.1.5.1) in constant time. The buffer is not modified. */
  verify(message: Uint8Array): boolean {
    if (message.length < SMB2_HEADER_SIZE) return false;
    const expected = this.compute(message);
    return timingSafeEqual(expected, message.subarray(OFF_SIGNATURE, OFF_SIGNATURE + SIGNATURE_SIZE));
  }
}

/** One-off signature computation; prefer a long-lived MessageSigner on the hot path. */
export function computeSignature(algorithm: SigningAlgorithm, key: Uint8Array, message: Uint8Array): Buffer {
  return new MessageSigner(algorithm, key).compute(message);
}

/** One-off in-place signing; see MessageSigner.sign. */
export function signMessage(message: Uint8Array, algorithm: SigningAlgorithm, key: Uint8Array, setSignedFlag = true): void {
  new MessageSigner(algorithm, key).sign(message, setSignedFlag);
}

/** One-off verification; see MessageSigner.verify. */
export function verifyMessage(message: Uint8Array, algorithm: SigningAlgorithm, key: Uint8Array): boolean {
  return new MessageSigner(algorithm, key).verify(message);
}
