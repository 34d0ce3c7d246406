// user.DOSATTRIB blobs (Samba's xattr_DOSATTRIB, versions 1-5; decodeDosAttribAt as decodeDosAttrib) and
// self-relative security descriptors.
import {spawnSync} from 'node:child_process';
import {mkdtempSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {describe, expect, it} from 'vitest';
import {decodeDosAttrib, decodeDosAttribAt, encodeDosAttrib} from '../../../src/vfs/dos-attrib.js';
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

  it('decodeDosAttribAt reads every blob as decodeDosAttrib does, in place in a larger buffer', () => {
    const lo = Number(T & 0xffffffffn);
    const hi = Number(T >> 32n);
    const blobs: Buffer[] = [
      encodeDosAttrib(0x21, T), encodeDosAttrib(0x2, undefined), encodeDosAttrib(0xffffffff, 0xffffffffffffffffn),
      blob(5, [0x11, 0x22, lo, hi]), blob(5, [0x10, 0x22, lo, hi]), blob(5, [0x01, 0x22, lo, hi]), blob(5, [0x11, 0x22]),
      blob(3, [0x11, 0x20, 0, 0, 0, 0, 0, lo, hi, 0, 0]), blob(2, [0, 0x4, 0, 0, 0, 0, 0, lo, hi]), blob(1, [0x2, 0, 0, 0, 0, 0, lo, hi]),
      blob(4, [0xffffffff, 0x80000020, 0, 0, 0, 0]), blob(4, [0x11, 0x20, 0, 0, 0, 0]), blob(9, [1, 2]), blob(4, []),
      Buffer.from('0x23\0', 'latin1'), Buffer.from('0x\0', 'latin1'), Buffer.from('0xFFFFFFFF\0', 'latin1'),
      Buffer.from('0x123456789\0', 'latin1'), Buffer.from('0X23\0', 'latin1'), Buffer.from('0xg\0', 'latin1'),
      Buffer.from('0x2a\0\0\x09\0\x09\0', 'latin1'), Buffer.from([1, 2, 3]), Buffer.alloc(0), Buffer.from([0]),
      Buffer.concat([Buffer.from('0x20\0\0', 'latin1'), blob(4, [0x11, 0x20, lo, hi, lo, hi]).subarray(2)]),
    ];
    // And every truncation of a few, and random bytes after a plausible header.
    for (const b of [encodeDosAttrib(0x21, T), blob(3, [0x11, 0x20, 0, 0, 0, 0, 0, lo, hi, 0, 0])]) {
      for (let n = 0; n < b.length; n++) blobs.push(b.subarray(0, n));
    }
    let x = 7;
    const rnd = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) >>> 24;
    for (let i = 0; i < 3000; i++) {
      const b = Buffer.alloc(rnd() % 48);
      for (let j = 0; j < b.length; j++) b[j] = rnd() % 4 === 0 ? 0 : rnd();
      if (b.length > 6 && i % 2) {
        b[0] = 0;
        b.writeUInt16LE(1 + (i % 6), 2);
        b.writeUInt16LE(1 + (i % 6), 4);
      }
      blobs.push(b);
    }
    const out = {attributes: 0, createHi: 0, createLo: 0};
    for (const b of blobs) {
      const big = Buffer.concat([Buffer.from([0, 0x30, 0x78]), b, Buffer.from('0x1\0\x04\0\x04\0', 'latin1')]);
      const want = decodeDosAttrib(Buffer.from(b));
      const ok = decodeDosAttribAt(big, 3, 3 + b.length, out);
      expect(ok, b.toString('hex')).toBe(want !== undefined);
      if (!want) continue;
      expect(out.attributes, b.toString('hex')).toBe(want.attributes ?? -1);
      expect(out.createHi < 0 ? undefined : (BigInt(out.createHi) << 32n) | BigInt(out.createLo), b.toString('hex')).toBe(want.createTime);
    }
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
