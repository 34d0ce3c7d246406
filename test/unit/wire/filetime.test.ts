import {describe, expect, it} from 'vitest';
import {
  FILETIME_UNIX_EPOCH,
  dateFromFiletime,
  filetimeFromDate,
  filetimeFromUnixNs,
  unixNsFromFiletime,
} from '../../../src/wire/filetime.js';

describe('FILETIME', () => {
  it('maps the Unix epoch', () => {
    expect(filetimeFromDate(new Date(0))).toBe(FILETIME_UNIX_EPOCH);
    expect(dateFromFiletime(FILETIME_UNIX_EPOCH).getTime()).toBe(0);
  });

  it('converts a time seen in a capture (SystemTime of a Windows NEGOTIATE response)', () => {
    // 0x01d0aecbade5dad8 from the enc311 capture: 2015-07-01 (the blog's session date range)
    const d = dateFromFiletime(0x01d0aecbade5dad8n);
    expect(d.getUTCFullYear()).toBe(2015);
  });

  it('round-trips nanoseconds at 100 ns resolution', () => {
    const ns = 1_700_000_000_123_456_789n;
    const ft = filetimeFromUnixNs(ns);
    expect(unixNsFromFiletime(ft)).toBe(1_700_000_000_123_456_700n);
    expect(filetimeFromUnixNs(unixNsFromFiletime(ft))).toBe(ft);
  });

  it('round-trips millisecond Dates', () => {
    const d = new Date('2024-02-29T12:34:56.789Z');
    expect(dateFromFiletime(filetimeFromDate(d)).getTime()).toBe(d.getTime());
  });

  it('floors times before 1970 and clamps before 1601', () => {
    expect(filetimeFromUnixNs(-1n)).toBe(FILETIME_UNIX_EPOCH - 1n);
    expect(filetimeFromUnixNs(-FILETIME_UNIX_EPOCH * 100n - 1000n)).toBe(0n);
    expect(dateFromFiletime(0n).toISOString()).toBe('1601-01-01T00:00:00.000Z');
  });

  it('rejects an invalid Date', () => expect(() => filetimeFromDate(new Date(NaN))).toThrow(RangeError));
});
