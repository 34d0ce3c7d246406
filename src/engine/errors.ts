/**
 * The second of the four kinds of error (DESIGN habit 4): a ConnectionError drops one connection (bad
 * framing, a bad signature, credit abuse, a header that cannot be an SMB2 request). Nothing else is
 * affected; the message says why for the `conn` debug log and never carries message bytes.
 */
export class ConnectionError extends Error {
  override readonly name = 'ConnectionError';
}
