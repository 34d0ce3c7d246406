// Directory entries (MS-FSCC 2.4) as QUERY_DIRECTORY writes them, for every class it answers: the bytes must
// stay exactly what they were when fixtures/dir-info-golden.json was recorded from the encoder of commit
// c0a1fed (times before 1970 and before 1601, sizes and allocation above 2^53, 64-bit file ids, odd and
// non-BMP name lengths, the creation time falling back to the older of mtime and ctime).
import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {FileInfoClass} from '../../../src/smb2/constants.js';
import {dirEntrySize, writeDirEntry} from '../../../src/smb2/fscc/dir-info.js';
import type {VfsStat} from '../../../src/vfs/types.js';
import {Writer} from '../../../src/wire/writer.js';

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

describe('directory entries (MS-FSCC 2.4)', () => {
  for (const c of CASES) {
    it(`${c.id}: the recorded bytes for every class`, () => {
      for (const cls of CLASSES) {
        const w = new Writer(16);
        writeDirEntry(w, cls, {name: c.name, stat: c.stat, attributes: c.attributes});
        const got = w.finish();
        expect(got.toString('hex'), `class ${cls}`).toBe(GOLDEN[`${c.id}/${cls}`]);
        expect(got.length, `class ${cls}`).toBe(dirEntrySize(cls, c.name));
      }
    });
  }
});
