// MD4 (RFC 1320). Node's OpenSSL 3 only offers it through the legacy provider, which
// distributions often do not load, so the NT hash needs its own implementation.
// Used for short inputs (passwords) only; it is never on a hot path.

function rotl(x: number, n: number): number {
  return (x << n) | (x >>> (32 - n));
}

export function md4(message: Uint8Array): Buffer {
  const bitLength = message.length * 8;
  // Pad: 0x80, zeros to 56 mod 64, then the 64-bit little-endian bit length.
  const padded = Buffer.alloc(((message.length + 8) >>> 6) * 64 + 64);
  padded.set(message, 0);
  padded[message.length] = 0x80;
  padded.writeUInt32LE(bitLength >>> 0, padded.length - 8);
  padded.writeUInt32LE(Math.floor(bitLength / 0x100000000) >>> 0, padded.length - 4);

  let a = 0x67452301;
  let b = 0xefcdab89;
  let c = 0x98badcfe;
  let d = 0x10325476;
  const x = new Array<number>(16);

  for (let off = 0; off < padded.length; off += 64) {
    for (let i = 0; i < 16; i++) x[i] = padded.readUInt32LE(off + i * 4);
    const aa = a, bb = b, cc = c, dd = d;

    // Round 1: F(x,y,z) = xy | ~xz
    const f = (p: number, q: number, r: number, s: number, k: number, sh: number) =>
      rotl((p + ((q & r) | (~q & s)) + x[k]!) | 0, sh);
    for (let i = 0; i < 16; i += 4) {
      a = f(a, b, c, d, i, 3);
      d = f(d, a, b, c, i + 1, 7);
      c = f(c, d, a, b, i + 2, 11);
      b = f(b, c, d, a, i + 3, 19);
    }
    // Round 2: G(x,y,z) = xy | xz | yz, constant sqrt(2)
    const g = (p: number, q: number, r: number, s: number, k: number, sh: number) =>
      rotl((p + ((q & r) | (q & s) | (r & s)) + x[k]! + 0x5a827999) | 0, sh);
    for (let i = 0; i < 4; i++) {
      a = g(a, b, c, d, i, 3);
      d = g(d, a, b, c, i + 4, 5);
      c = g(c, d, a, b, i + 8, 9);
      b = g(b, c, d, a, i + 12, 13);
    }
    // Round 3: H(x,y,z) = x ^ y ^ z, constant sqrt(3)
    const h = (p: number, q: number, r: number, s: number, k: number, sh: number) =>
      rotl((p + (q ^ r ^ s) + x[k]! + 0x6ed9eba1) | 0, sh);
    for (const i of [0, 2, 1, 3]) {
      a = h(a, b, c, d, i, 3);
      d = h(d, a, b, c, i + 8, 9);
      c = h(c, d, a, b, i + 4, 11);
      b = h(b, c, d, a, i + 12, 15);
    }

    a = (a + aa) | 0;
    b = (b + bb) | 0;
    c = (c + cc) | 0;
    d = (d + dd) | 0;
  }

  const out = Buffer.alloc(16);
  out.writeInt32LE(a, 0);
  out.writeInt32LE(b, 4);
  out.writeInt32LE(c, 8);
  out.writeInt32LE(d, 12);
  return out;
}
