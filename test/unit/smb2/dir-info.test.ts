// Directory entries (MS-FSCC 2.4) as QUERY_DIRECTORY writes them, for every class it answers: the bytes must
// stay exactly what they were when fixtures/dir-info-golden.json was recorded from the encoder of commit
// c0a1fed (a VfsStat per entry, bigint FILETIMEs): times before 1970 and before 1601, sizes and allocation
// above 2^53, 64-bit file ids, odd and non-BMP name lengths, the creation time falling back to the older of
// mtime and ctime. putDirEntry writes from stat rows with number arithmetic: its FILETIMEs are also checked
// against filetimeFromUnixNs over many times, and the creation time it takes from user.DOSATTRIB against
// what fileMeta made of it.
import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {FileInfoClass} from '../../../src/smb2/constants.js';
import {dirEntrySize, putDirEntry, putFiletime, statRow} from '../../../src/smb2/fscc/dir-info.js';
import {STAT, STAT_FIELDS, STATX_BTIME, type VfsStat} from '../../../src/vfs/types.js';
import {FILETIME_UNIX_EPOCH, filetimeFromUnixNs, unixNsFromFiletime} from '../../../src/wire/filetime.js';

const GOLDEN = JSON.parse(readFileSync(new URL('./fixtures/dir-info-golden.json', import.meta.url), 'utf8')) as Record<string, string>;

const C = FileInfoClass;
const CLASSES = [C.FileDirectoryInformation, C.FileFullDirectoryInformation, C.FileBothDirectoryInformation, C.FileNamesInformation,
  C.FileIdBothDirectoryInformation, C.FileIdFullDirectoryInformation, C.FileIdExtdDirectoryInformation];

const base = {dev: 2049n, nlink: 1, uid: 1000, gid: 1000, blksize: 4096, isFile: true, isDirectory: false, isSymlink: false, mode: 0o100644};
const CASES: {id: string; name: string; attributes: number; stat: VfsStat}[] = [
  {id: 'file', name: 'report.txt', attributes: 0x20, stat: {...base, ino: 0x123456789n, size: 12345n, blocks: 24n,
    atimeNs: 1_700_000_000_123_456_789n, mtimeNs: 1_690_000_000_000_000_001n, ctimeNs: 1_695_000_000_999_999_999n, birthtimeNs: 1_600_000_000_000_000_099n}},
  // No birth time: the older of mtime and ctime (here ctime); a directory shows no sizes.
  {id: 'dir-nobirth', name: 'a', attributes: 0x10, stat: {...base, mode: 0o40755, isFile: false, isDirectory: true, ino: 2n, size: 4096n, blocks: 8n,
    atimeNs: 1n, mtimeNs: 1_700_000_000_000_000_500n, ctimeNs: 1_700_000_000_000_000_400n, birthtimeNs: 0n}},
  // Before 1970 (rounded down to the earlier tick), before 1601 (0), the epoch itself; a negative birth time falls back.
  {id: 'pre1970', name: 'ab\u00e4', attributes: 0x21, stat: {...base, ino: 0xffffffffn, size: 0n, blocks: 0n,
    atimeNs: -1_500_000_000_000_000_123n, mtimeNs: -11_644_473_600_000_000_001n, ctimeNs: 0n, birthtimeNs: -5n}},
  {id: 'before1601', name: '\ud83d\ude00', attributes: 0x80, stat: {...base, ino: 0x100000000n, size: 1n, blocks: 8n,
    atimeNs: -20_000_000_000_000_000_000n, mtimeNs: -11_644_473_600_000_000_000n, ctimeNs: -11_644_473_599_999_999_901n, birthtimeNs: 0n}},
  {id: 'huge', name: 'x'.repeat(255), attributes: 0xffffffff, stat: {...base, ino: 0xffffffffffffffffn, size: 2n ** 53n + 2n, blocks: 2n ** 50n,
    atimeNs: 32_503_680_000_000_000_001n, mtimeNs: 4_102_444_800_000_000_055n, ctimeNs: 4_102_444_800_000_000_055n, birthtimeNs: 9_000_000_000_000_000_000n}},
  {id: 'big-size', name: 'odd', attributes: 0x2020, stat: {...base, ino: 0x8000000000000001n, size: 2n ** 63n + 2n ** 20n, blocks: 2n ** 54n + 8n,
    atimeNs: 1_234_567_890_000_000_000n, mtimeNs: 1_234_567_890_000_000_099n, ctimeNs: 1_234_567_890_000_000_100n, birthtimeNs: 1n}},
  {id: 'min-birth-m', name: 'm.TXT', attributes: 0x1, stat: {...base, ino: 77n, size: 5n, blocks: 1n,
    atimeNs: 100n, mtimeNs: 1_000_000_000_000_000_000n, ctimeNs: 1_000_000_000_000_000_001n, birthtimeNs: 0n}},
  {id: 'symlink', name: 'link', attributes: 0x400, stat: {...base, mode: 0o120777, isFile: false, isSymlink: true, ino: 5n, size: 9n, blocks: 0n,
    atimeNs: 1_600_000_000_000_000_000n, mtimeNs: 1_600_000_000_000_000_000n, ctimeNs: 1_600_000_000_000_000_000n, birthtimeNs: 1_600_000_000_000_000_000n}},
];

/** One entry written into a buffer of garbage (every byte it does not write would show). */
function entry(cls: number, name: string, row: Float64Array, attributes: number, createHi = -1, createLo = 0): Buffer {
  const b = Buffer.alloc(dirEntrySize(cls, name) + 16, 0xa5);
  const end = putDirEntry(b, 8, cls, name, row, 0, attributes, createHi, createLo);
  expect(end).toBe(8 + dirEntrySize(cls, name));
  expect(b.subarray(0, 8).every((x) => x === 0xa5) && b.subarray(end).every((x) => x === 0xa5)).toBe(true);
  return b.subarray(8, end);
}

describe('directory entries (MS-FSCC 2.4)', () => {
  for (const c of CASES) {
    it(`${c.id}: the recorded bytes for every class`, () => {
      for (const cls of CLASSES) {
        expect(entry(cls, c.name, statRow(c.stat), c.attributes).toString('hex'), `class ${cls}`).toBe(GOLDEN[`${c.id}/${cls}`]);
      }
    });
  }

  it('FILETIMEs as filetimeFromUnixNs gives them, from 1601 and before to the year 30,000 and beyond', () => {
    const b = Buffer.alloc(8);
    const check = (sec: number, nsec: number) => {
      putFiletime(b, 0, sec, nsec);
      const want = BigInt.asUintN(64, filetimeFromUnixNs(BigInt(sec) * 1_000_000_000n + BigInt(nsec)));
      expect(b.readBigUInt64LE(0), `${sec}.${nsec}`).toBe(want);
    };
    const secs = [0, 1, -1, 59, -59, 1_700_000_000, -1_700_000_000, 2 ** 31 - 1, -(2 ** 31), 2 ** 32, 2 ** 33 + 7,
      -11_644_473_600, -11_644_473_599, -11_644_473_601, -20_000_000_000, 253_402_300_799, 1_099_511_627_776 - 11_644_473_600,
      1_099_511_627_776 - 11_644_473_601, 1_099_511_627_776, 1_844_674_407_370, 1_844_674_407_371, 9_007_199_254_740_991];
    const nsecs = [0, 1, 99, 100, 101, 999_999_999, 500_000_000, 123_456_789];
    for (const s of secs) for (const n of nsecs) check(s, n);
    // Pseudo-random times over the whole range a file system gives (1601 to 2^40 s after it), any nsec.
    let x = 12345;
    const rnd = () => (x = (Math.imul(x, 1103515245) + 12345) >>> 0) / 2 ** 32;
    for (let i = 0; i < 20_000; i++) check(Math.floor((rnd() - 0.02) * 1_099_511_627_776) - 11_644_473_600, Math.floor(rnd() * 1e9));
  });

  it('the creation time: stored (after 1970), else the birth time (after 1970), else the older of mtime and ctime', () => {
    const C0 = C.FileDirectoryInformation;
    const row = new Float64Array(STAT_FIELDS);
    row[STAT.MODE] = 0o100644;
    row[STAT.MTIME_SEC] = 1_600_000_000;
    row[STAT.MTIME_NSEC] = 300;
    row[STAT.CTIME_SEC] = 1_600_000_000;
    row[STAT.CTIME_NSEC] = 200;
    row[STAT.BTIME_SEC] = 1_500_000_000;
    row[STAT.BTIME_NSEC] = 77_700;
    const creation = (r: Float64Array, ct?: bigint) =>
      entry(C0, 'n', r, 0x20, ct === undefined ? -1 : Number(ct >> 32n), ct === undefined ? 0 : Number(ct & 0xffffffffn)).readBigUInt64LE(8);
    const ft = (ns: bigint) => filetimeFromUnixNs(ns);
    const withMask = (mask: number, bsec = 1_500_000_000, bnsec = 77_700) => {
      const r = row.slice();
      r[STAT.MASK] = mask;
      r[STAT.BTIME_SEC] = bsec;
      r[STAT.BTIME_NSEC] = bnsec;
      return r;
    };
    expect(creation(withMask(STATX_BTIME))).toBe(ft(1_500_000_000_000_077_700n));
    expect(creation(withMask(0))).toBe(ft(1_600_000_000_000_000_200n)); // no birth time: ctime is older here
    expect(creation(withMask(STATX_BTIME, 0, 0))).toBe(ft(1_600_000_000_000_000_200n));
    expect(creation(withMask(STATX_BTIME, 0, 1))).toBe(ft(1n));
    expect(creation(withMask(STATX_BTIME, -1, 999_999_999))).toBe(ft(1_600_000_000_000_000_200n));
    // A stored creation time, as fileMeta makes it the birth time (any value the blob can carry).
    for (const ct of [FILETIME_UNIX_EPOCH + 1n, FILETIME_UNIX_EPOCH, FILETIME_UNIX_EPOCH - 1n, 1n, 0x01d0aecbade5dad8n,
      0xffffffffffffffffn, 0x8000000000000000n, 0x19db1de00000000n, 0x19db1df00000000n]) {
      const asMeta = statRow({...(CASES[0]!.stat), mtimeNs: 1_600_000_000_000_000_300n, ctimeNs: 1_600_000_000_000_000_200n,
        birthtimeNs: unixNsFromFiletime(ct)});
      const old = entry(C0, 'n', asMeta, 0x20).readBigUInt64LE(8);
      for (const mask of [0, STATX_BTIME]) expect(creation(withMask(mask), ct), `${ct}`).toBe(old);
    }
  });

  it('names as Buffer writes UTF-16LE, lone surrogates and long names included', () => {
    const row = statRow(CASES[0]!.stat);
    for (const name of ['\ud800', 'a\udc00b', '\ud83d\ude00\ud83d', 'é'.repeat(33), 'z'.repeat(32), 'w'.repeat(31)]) {
      for (const cls of CLASSES) {
        const e = entry(cls, name, row, 0x20);
        expect(e.subarray(dirEntrySize(cls, '')).equals(Buffer.from(name, 'utf16le')), `${cls} ${name}`).toBe(true);
        expect(e.readUInt32LE(cls === C.FileNamesInformation ? 8 : 60)).toBe(name.length * 2);
      }
    }
  });
});
