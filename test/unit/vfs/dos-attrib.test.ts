// user.DOSATTRIB blobs (Samba's xattr_DOSATTRIB, versions 1-5) and self-relative security descriptors.
import {spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {decodeDosAttrib, encodeDosAttrib} from '../../../src/vfs/dos-attrib.js';
import {finishAttributes} from '../../../src/vfs/meta.js';
import {accessAllowed, decodeSd, encodeSd, EVERYONE, inheritFrom, sdFromMode, SecInfo, unixUserSid} from '../../../src/vfs/ntacl.js';
import type {VfsStat} from '../../../src/vfs/types.js';

const T = 133000000000000000n;

function blob(version: number, info: number[]): Buffer {
  // '' attrib_hex, pad, version, level, pad to 8, then the info words (u32 little-endian each).
  const h = Buffer.alloc(8);
  h.writeUInt16LE(version, 2);
  h.writeUInt16LE(version, 4);
  const b = Buffer.alloc(info.length * 4);
  info.forEach((v, i) => b.writeUInt32LE(v >>> 0, i * 4));
  return Buffer.concat([h, b]);
}

describe('user.DOSATTRIB', () => {
  it('writes version 4 as ksmbd does (32 bytes) and reads it back', () => {
    const b = encodeDosAttrib(0x21, T);
    expect(b.length).toBe(32);
    expect(b.readUInt16LE(2)).toBe(4);
    expect(b.readUInt16LE(4)).toBe(4);
    expect(b.readUInt32LE(8)).toBe(0x51); // ATTRIB | CREATE_TIME | ITIME
    expect(decodeDosAttrib(b)).toEqual({attributes: 0x21, createTime: T});
    expect(decodeDosAttrib(encodeDosAttrib(0x2, undefined))).toEqual({attributes: 0x2, createTime: undefined});
  });

  it('reads version 5 (Samba 4.17), version 3 and the bare hex string of old Samba', () => {
    const lo = Number(T & 0xffffffffn);
    const hi = Number(T >> 32n);
    expect(decodeDosAttrib(blob(5, [0x11, 0x22, lo, hi]))).toEqual({attributes: 0x22, createTime: T});
    // version 3: valid_flags, attrib, ea_size, size (8), alloc_size (8), create_time (8), change_time (8)
    expect(decodeDosAttrib(blob(3, [0x11, 0x20, 0, 0, 0, 0, 0, lo, hi, 0, 0]))).toEqual({attributes: 0x20, createTime: T});
    expect(decodeDosAttrib(Buffer.from('0x23\0', 'latin1'))).toEqual({attributes: 0x23, createTime: undefined});
    // valid_flags without ATTRIB: the attributes are not taken from the blob.
    expect(decodeDosAttrib(blob(5, [0x10, 0x22, lo, hi]))?.attributes).toBeUndefined();
  });

  it('Samba parses what we write (ndrdump xattr xattr_DOSATTRIB)', () => {
    const dir = mkdtempSync(join(tmpdir(), 'dosattrib-'));
    try {
      const f = join(dir, 'blob');
      writeFileSync(f, encodeDosAttrib(0x21, T));
      const r = spawnSync('ndrdump', ['xattr', 'xattr_DOSATTRIB', 'struct', f], {encoding: 'utf8'});
      expect(r.status, `${r.stdout}${r.stderr} (ndrdump comes with samba-testsuite: test/setup.sh)`).toBe(0);
      expect(r.stdout).toContain('dump OK');
      expect(r.stdout).toMatch(/version\s+: 0x0004/);
      expect(r.stdout).toMatch(/attrib\s+: 0x00000021/);
      expect(r.stdout).toMatch(/1: XATTR_DOSINFO_CREATE_TIME/);
    } finally {
      rmSync(dir, {recursive: true, force: true});
    }
  });

  it('refuses what it does not understand', () => {
    expect(decodeDosAttrib(Buffer.from([1, 2, 3]))).toBeUndefined();
    expect(decodeDosAttrib(blob(9, [1, 2]))).toBeUndefined();
  });

  it('final attributes: directories, hidden dot files, NORMAL for none', () => {
    const st = {isDirectory: false, mode: 0o100644} as VfsStat;
    expect(finishAttributes(st, undefined, 'a', true)).toBe(0x20);
    expect(finishAttributes(st, 0, 'a', true)).toBe(0x80);
    expect(finishAttributes(st, undefined, '.x', true)).toBe(0x22);
    expect(finishAttributes({...st, mode: 0o100444}, undefined, 'a', false)).toBe(0x21);
    expect(finishAttributes({...st, isDirectory: true}, 0x20, 'd', false)).toBe(0x30);
  });
});

describe('security descriptors', () => {
  const st = {uid: 1000, gid: 1000, mode: 0o100640, isDirectory: false} as VfsStat;

  it('derives one from the mode and round-trips it', () => {
    const sd = sdFromMode(st);
    const b = encodeSd(sd, SecInfo.OWNER | SecInfo.GROUP | SecInfo.DACL);
    const back = decodeSd(b);
    expect(back.owner?.equals(unixUserSid(1000))).toBe(true);
    expect(back.dacl?.length).toBe(3);
    expect(accessAllowed(back, 1000, [1000]) & 0x2).toBe(0x2); // owner may write
    expect(accessAllowed(back, 2000, [2000]) & 0x1).toBe(0); // others may not read (mode 640)
    expect(encodeSd(sd, SecInfo.DACL).readUInt32LE(4)).toBe(0); // no owner asked, none sent
  });

  it('inherits object-inherit ACEs to files and container-inherit ACEs to directories', () => {
    const parent = {control: 0, owner: undefined, group: undefined, dacl: [
      {type: 0, flags: 0x01, mask: 0x1, sid: EVERYONE},
      {type: 0, flags: 0x02, mask: 0x2, sid: EVERYONE},
    ]};
    expect(inheritFrom(parent, false)?.map((a) => a.mask)).toEqual([0x1]);
    expect(inheritFrom(parent, true)?.map((a) => a.mask)).toEqual([0x2]);
    expect(() => decodeSd(Buffer.alloc(8))).toThrow();
  });
});
