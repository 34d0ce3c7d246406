/**
 * The one error a codec throws on bad input.
 *
 * A decoder never returns half-parsed data: any bound, StructureSize, offset or length that breaks a rule of the
 * spec ends decoding with MalformedPacket. The engine maps it (see src/smb2/messages/README.md): inside a
 * message body it fails that one request with STATUS_INVALID_PARAMETER; in the framing or the SMB2 header
 * it drops the connection.
 */
export class MalformedPacket extends Error {
  override readonly name = 'MalformedPacket';
  /** Where the reader stood (absolute offset in its buffer), when known. */
  readonly offset: number | undefined;

  constructor(message: string, offset?: number) {
    super(offset === undefined ? message : `${message} (at offset ${offset})`);
    this.offset = offset;
  }
}

/** Throws MalformedPacket unless `cond` holds; `rule` should quote or name the spec rule being enforced. */
export function check(cond: boolean, rule: string, offset?: number): asserts cond {
  if (!cond) throw new MalformedPacket(rule, offset);
}
