// RC4 (the "ARCFOUR" stream cipher, as exercised by RFC 6229).
// NTLM still needs it: MS-NLMP 3.4.5.1 KXKEY with NTLMSSP_NEGOTIATE_KEY_EXCH encrypts the
// random session key with RC4, and the NTLMv2 GSS_GetMIC checksum (MS-NLMP 3.4.4.2) is
// sealed with it. Node's OpenSSL 3 only offers RC4 through the legacy provider, which a
// distribution may not ship, so it lives here. Inputs are 16-byte keys and 8-16 byte
// payloads a few times per logon: a byte loop is the right tool, not a hot path.

/** A keyed RC4 stream. MS-NLMP keeps one handle per direction, so the state is kept between calls. */
export class Rc4 {
  readonly #s = new Uint8Array(256);
  #i = 0;
  #j = 0;

  constructor(key: Uint8Array) {
    if (key.length === 0 || key.length > 256) throw new RangeError('RC4 key must be 1..256 bytes');
    const s = this.#s;
    for (let n = 0; n < 256; n++) s[n] = n;
    // Key-scheduling algorithm.
    let j = 0;
    for (let n = 0; n < 256; n++) {
      const t = s[n]!;
      j = (j + t + key[n % key.length]!) & 0xff;
      s[n] = s[j]!;
      s[j] = t;
    }
  }

  /** XOR `data` with the next keystream bytes; returns a new buffer and advances the stream. */
  update(data: Uint8Array): Buffer {
    const out = Buffer.allocUnsafe(data.length);
    const s = this.#s;
    let i = this.#i;
    let j = this.#j;
    for (let n = 0; n < data.length; n++) {
      i = (i + 1) & 0xff;
      const si = s[i]!;
      j = (j + si) & 0xff;
      const sj = s[j]!;
      s[i] = sj;
      s[j] = si;
      out[n] = data[n]! ^ s[(si + sj) & 0xff]!;
    }
    this.#i = i;
    this.#j = j;
    return out;
  }
}

/** One-shot RC4 with a fresh handle (MS-NLMP RC4K(key, data)). Encryption and decryption are the same. */
export function rc4(key: Uint8Array, data: Uint8Array): Buffer {
  return new Rc4(key).update(data);
}
