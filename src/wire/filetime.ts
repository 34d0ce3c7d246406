/**
 * FILETIME (MS-DTYP 2.3.3): a 64-bit count of 100-nanosecond intervals since 1601-01-01T00:00:00Z.
 *
 * SMB2 carries timestamps as FILETIME; Node's fs gives nanoseconds since 1970 (bigint stats) or Dates.
 * Conversions here are exact for nanosecond bigints (rounding down to 100 ns) and millisecond Dates.
 */

/** 100-ns ticks between 1601-01-01 and 1970-01-01. */
export const FILETIME_UNIX_EPOCH = 116444736000000000n;

/** MS-FSCC 2.4 (FILE_BASIC_INFORMATION): 0 in a set-info means "do not change". */
export const FILETIME_NO_CHANGE = 0n;
/** MS-FSCC: -1 (all ones) in a set-info means "stop updating this time automatically for this handle". */
export const FILETIME_SUSPEND_UPDATES = 0xffffffffffffffffn;
/** MS-FSCC: -2 in a set-info means "resume updating this time automatically". */
export const FILETIME_RESUME_UPDATES = 0xfffffffffffffffen;

export function filetimeFromUnixNs(ns: bigint): bigint {
  // floor division so times before 1970 land on the earlier tick
  const ticks = ns >= 0n ? ns / 100n : -((-ns + 99n) / 100n);
  const ft = ticks + FILETIME_UNIX_EPOCH;
  return ft < 0n ? 0n : ft;
}

export function unixNsFromFiletime(ft: bigint): bigint {
  return (ft - FILETIME_UNIX_EPOCH) * 100n;
}

export function filetimeFromDate(d: Date): bigint {
  const ms = d.getTime();
  if (Number.isNaN(ms)) throw new RangeError('invalid Date');
  return filetimeFromUnixNs(BigInt(ms) * 1_000_000n);
}

/** The Date for a FILETIME, truncated to milliseconds. */
export function dateFromFiletime(ft: bigint): Date {
  const ns = unixNsFromFiletime(ft);
  const ms = ns >= 0n ? ns / 1_000_000n : -((-ns + 999_999n) / 1_000_000n);
  return new Date(Number(ms));
}
