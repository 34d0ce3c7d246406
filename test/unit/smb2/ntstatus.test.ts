import {describe, expect, it} from 'vitest';
import {NtStatus, NtStatusError, isNtError, isNtWarning, ntStatusName} from '../../../src/smb2/ntstatus.js';

describe('NTSTATUS (MS-ERREF 2.3)', () => {
  it('names values', () => {
    expect(ntStatusName(0xc0000022)).toBe('STATUS_ACCESS_DENIED');
    expect(ntStatusName(-1073741790)).toBe('STATUS_ACCESS_DENIED');
    expect(ntStatusName(0x12345678)).toBe('0x12345678');
  });
  it('has the well-known values', () => {
    expect(NtStatus.MORE_PROCESSING_REQUIRED).toBe(0xc0000016);
    expect(NtStatus.INVALID_PARAMETER).toBe(0xc000000d);
    expect(NtStatus.NETWORK_SESSION_EXPIRED).toBe(0xc000035c);
    expect(NtStatus.SMB_NO_PREAUTH_INTEGRITY_HASH_OVERLAP).toBe(0xc05d0000);
  });
  it('classifies severity', () => {
    expect(isNtError(NtStatus.ACCESS_DENIED)).toBe(true);
    expect(isNtError(NtStatus.BUFFER_OVERFLOW)).toBe(false);
    expect(isNtWarning(NtStatus.BUFFER_OVERFLOW)).toBe(true);
    expect(isNtError(NtStatus.PENDING)).toBe(false);
  });
  it('NtStatusError', () => {
    const e = new NtStatusError(NtStatus.OBJECT_NAME_NOT_FOUND, 'a\\b');
    expect(e).toBeInstanceOf(Error);
    expect(e.status).toBe(0xc0000034);
    expect(e.message).toBe('STATUS_OBJECT_NAME_NOT_FOUND: a\\b');
    expect(new NtStatusError(-1073741790).status).toBe(0xc0000022);
  });
});
