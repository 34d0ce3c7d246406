/**
 * SMB1 NEGOTIATE detection (MS-CIFS 2.2.4.52.1, MS-SMB2 3.3.5.3.1).
 *
 * Older Windows and many Unix clients open with an SMB1 SMB_COM_NEGOTIATE listing dialect strings; a
 * server that speaks only SMB2 answers with an SMB2 NEGOTIATE response whose DialectRevision is 0x02FF
 * ("SMB 2.???" offered) or 0x0202 (only "SMB 2.002").
 */
import {MalformedPacket} from '../wire/errors.js';
import {Reader} from '../wire/reader.js';
import {Dialect, PROTOCOL_ID_SMB1} from './constants.js';

export const SMB1_HEADER_SIZE = 32;
export const SMB_COM_NEGOTIATE = 0x72;

export interface Smb1Negotiate {
  /** Header fields the SMB2 answer may want to echo or log. */
  flags: number;
  flags2: number;
  mid: number;
  /** Dialect strings in the client's order. */
  dialects: string[];
}

/** Decode an SMB1 NEGOTIATE request; throws MalformedPacket for anything else. */
export function decodeSmb1Negotiate(buf: Buffer): Smb1Negotiate {
  const r = new Reader(buf);
  if (r.remaining < SMB1_HEADER_SIZE + 3) throw new MalformedPacket('SMB1 NEGOTIATE shorter than its header');
  if (r.u32() !== PROTOCOL_ID_SMB1) throw new MalformedPacket("SMB1 Protocol is not 0xFF 'SMB'", 0);
  const command = r.u8();
  if (command !== SMB_COM_NEGOTIATE) throw new MalformedPacket(`SMB1 command 0x${command.toString(16)} is not NEGOTIATE`, 4);
  r.skip(4); // Status
  const flags = r.u8();
  const flags2 = r.u16();
  r.skip(2 + 8 + 2 + 2 + 2 + 2); // PIDHigh, SecurityFeatures, Reserved, TID, PIDLow, UID
  const mid = r.u16();
  const wcAt = r.offset;
  // MS-CIFS 2.2.4.52.1: "WordCount (1 byte): This field MUST be 0x00. No parameters are sent by this message."
  if (r.u8() !== 0) throw new MalformedPacket('SMB1 NEGOTIATE WordCount MUST be 0', wcAt);
  const byteCount = r.u16();
  const bytes = r.sub(r.offset, byteCount);
  const dialects: string[] = [];
  while (bytes.remaining > 0) {
    const fmtAt = bytes.offset;
    // MS-CIFS 2.2.4.52.1: each Dialects entry is "BufferFormat (1 byte): This field MUST be 0x02" then a
    // null-terminated OEM string.
    if (bytes.u8() !== 0x02) throw new MalformedPacket('SMB1 dialect BufferFormat MUST be 0x02', fmtAt);
    const nul = bytes.buf.indexOf(0, bytes.offset);
    if (nul < 0 || nul >= bytes.end) throw new MalformedPacket('SMB1 dialect string is not null-terminated', fmtAt);
    dialects.push(bytes.bytes(nul - bytes.offset).toString('latin1'));
    bytes.skip(1);
  }
  return {flags, flags2, mid, dialects};
}

/**
 * The DialectRevision of the SMB2 NEGOTIATE response to send (MS-SMB2 3.3.5.3.1), or undefined when the
 * client offered no SMB2 dialect (the connection should then be closed).
 * `maxDialect` is the highest SMB2 dialect this server enables; 2.0.2-only servers answer 0x0202.
 */
export function smb2DialectForSmb1(dialects: readonly string[], maxDialect: number = Dialect.SMB3_1_1): number | undefined {
  if (maxDialect > Dialect.SMB2_0_2 && dialects.includes('SMB 2.???')) return Dialect.WILDCARD;
  if (dialects.includes('SMB 2.002')) return Dialect.SMB2_0_2;
  return undefined;
}
