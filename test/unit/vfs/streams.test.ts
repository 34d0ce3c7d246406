// Named streams in xattrs, as Samba's vfs_streams_xattr and ksmbd store them (src/vfs/streams.ts).
import {describe, expect, it} from 'vitest';
import {NtStatus, NtStatusError} from '../../../src/smb2/ntstatus.js';
import {
  decodeStreamValue,
  encodeStreamValue,
  sameStreamName,
  splitStream,
  STREAM_SIZE_MAX,
  streamNameOfXattr,
  streamStat,
  streamXattrName,
} from '../../../src/vfs/streams.js';
import type {VfsStat} from '../../../src/vfs/types.js';

function status(fn: () => unknown): number | undefined {
  try {
    fn();
  } catch (e) {
    if (e instanceof NtStatusError) return e.status;
    throw e;
  }
  return undefined;
}

describe('stream names (MS-FSCC 2.1.5.1)', () => {
  it('splits name:stream:type', () => {
    expect(splitStream('file')).toEqual({name: 'file', stream: {kind: 'none'}});
    expect(splitStream('file:s')).toEqual({name: 'file', stream: {kind: 'named', name: 's'}});
    expect(splitStream('file:Zone.Identifier:$DATA')).toEqual({name: 'file', stream: {kind: 'named', name: 'Zone.Identifier'}});
    expect(splitStream('file:MStream Two:$DaTa')).toEqual({name: 'file', stream: {kind: 'named', name: 'MStream Two'}});
    expect(splitStream('file::$DATA')).toEqual({name: 'file', stream: {kind: 'default'}});
    expect(splitStream('file::$data')).toEqual({name: 'file', stream: {kind: 'default'}});
    expect(splitStream('dir::$INDEX_ALLOCATION')).toEqual({name: 'dir', stream: {kind: 'directory'}});
    expect(splitStream('dir:$I30:$INDEX_ALLOCATION')).toEqual({name: 'dir', stream: {kind: 'directory'}});
    // Characters file names may not hold are fine in stream names (smbtorture smb2.streams.names).
    expect(splitStream('f:?Stream*:$DATA').stream).toEqual({kind: 'named', name: '?Stream*'});
    expect(splitStream('f:\x05Stream\n One').stream).toEqual({kind: 'named', name: '\x05Stream\n One'});
  });

  it('refuses other types, empty names and separators with OBJECT_NAME_INVALID', () => {
    for (const bad of ['f:s:$FOO', 'f:s:', 'f:', 'f:s:?D*a', 'f:a:b:c', 'f:s:$INDEX_ALLOCATION', 'f:a/b', 'f:a\x00b', `f:${'x'.repeat(256)}`]) {
      expect(status(() => splitStream(bad)), bad).toBe(NtStatus.OBJECT_NAME_INVALID);
    }
  });

  it('maps stream names to Samba and ksmbd xattr names and back', () => {
    expect(streamXattrName('Zone.Identifier')).toBe('user.DosStream.Zone.Identifier:$DATA');
    expect(streamXattrName('AFP_AfpInfo')).toBe('user.DosStream.AFP_AfpInfo:$DATA');
    expect(streamNameOfXattr('user.DosStream.Zone.Identifier:$DATA')).toBe('Zone.Identifier');
    // streams_xattr:store_stream_type = no writes the name alone.
    expect(streamNameOfXattr('user.DosStream.plain')).toBe('plain');
    expect(streamNameOfXattr('user.DOSATTRIB')).toBeUndefined();
    expect(streamNameOfXattr('user.DosStream.')).toBeUndefined();
    expect(streamNameOfXattr('user.DosStream.:$DATA')).toBeUndefined();
    expect(streamNameOfXattr('user.DosStream.d:$INDEX_ALLOCATION')).toBeUndefined();
    expect(sameStreamName('Stream One', 'STREAM one')).toBe(true);
    expect(sameStreamName('a', 'b')).toBe(false);
  });
});

describe('stream values', () => {
  it('keep Samba\'s trailing NUL', () => {
    const v = encodeStreamValue(Buffer.from('456'));
    expect([...v]).toEqual([0x34, 0x35, 0x36, 0]);
    expect(decodeStreamValue(v).toString()).toBe('456');
    expect([...encodeStreamValue(Buffer.alloc(0))]).toEqual([0]);
    expect(decodeStreamValue(Buffer.from([0])).length).toBe(0);
    // A value with no NUL at all (nothing wrote it) is empty, not an error.
    expect(decodeStreamValue(Buffer.alloc(0)).length).toBe(0);
    expect(STREAM_SIZE_MAX).toBe(65535);
  });

  it('look like regular files of their own size', () => {
    const base: VfsStat = {
      dev: 1n, ino: 2n, mode: 0o40755, nlink: 2, uid: 1, gid: 1, size: 4096n, blocks: 8n, blksize: 4096,
      atimeNs: 1n, mtimeNs: 2n, ctimeNs: 3n, birthtimeNs: 4n, isDirectory: true, isFile: false, isSymlink: false,
    };
    const s = streamStat(base, 1000);
    expect(s).toMatchObject({size: 1000n, blocks: 2n, isDirectory: false, isFile: true, mode: 0o100755, mtimeNs: 2n, ino: 2n});
  });
});
