/**
 * From a file system error (errno code) to the NTSTATUS Windows gives for the same situation.
 * `missingIsPath` tells whether a missing object is the last component (OBJECT_NAME_NOT_FOUND) or a
 * directory on the way (OBJECT_PATH_NOT_FOUND), which only the caller knows.
 */
import {NtStatus, NtStatusError} from '../smb2/ntstatus.js';

export function errnoStatus(e: unknown, missingIsPath = false): number {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  switch (code) {
    case 'ENOENT':
      return missingIsPath ? NtStatus.OBJECT_PATH_NOT_FOUND : NtStatus.OBJECT_NAME_NOT_FOUND;
    case 'ENOTDIR':
      return NtStatus.OBJECT_PATH_NOT_FOUND;
    case 'EACCES':
    case 'EPERM':
      return NtStatus.ACCESS_DENIED;
    case 'EEXIST':
      return NtStatus.OBJECT_NAME_COLLISION;
    case 'EISDIR':
      return NtStatus.FILE_IS_A_DIRECTORY;
    case 'ENOTEMPTY':
      return NtStatus.DIRECTORY_NOT_EMPTY;
    case 'ENOSPC':
      return NtStatus.DISK_FULL;
    case 'EDQUOT':
      return NtStatus.QUOTA_EXCEEDED;
    case 'EROFS':
      return NtStatus.MEDIA_WRITE_PROTECTED;
    case 'ENAMETOOLONG':
      return NtStatus.OBJECT_NAME_INVALID;
    case 'ELOOP':
    case 'ENOENT_PATH':
      return NtStatus.OBJECT_PATH_NOT_FOUND;
    case 'EXDEV':
      // openat2 RESOLVE_BENEATH: the path (or a symlink on it) leads out of the share.
      return NtStatus.ACCESS_DENIED;
    case 'EAGAIN':
      // A conflicting lease on the file (another server's oplock): what Windows says of a held file.
      return NtStatus.SHARING_VIOLATION;
    case 'EFBIG':
      return NtStatus.DISK_FULL;
    case 'EBADF':
      return NtStatus.INVALID_HANDLE;
    case 'EINVAL':
      return NtStatus.INVALID_PARAMETER;
    case 'ENOTSUP':
    case 'EOPNOTSUPP':
      return NtStatus.NOT_SUPPORTED;
    case 'EMFILE':
    case 'ENFILE':
      return NtStatus.TOO_MANY_OPENED_FILES;
    case 'EBUSY':
      return NtStatus.SHARING_VIOLATION;
    default:
      return NtStatus.UNEXPECTED_IO_ERROR;
  }
}

/** True for the errors that are plain file system answers (not bugs): they fail a request, quietly. */
export function isFsError(e: unknown): boolean {
  const code = (e as NodeJS.ErrnoException | undefined)?.code;
  return typeof code === 'string' && code.startsWith('E');
}

export function fsError(e: unknown, missingIsPath = false): NtStatusError {
  const code = (e as NodeJS.ErrnoException | undefined)?.code ?? 'unknown';
  return new NtStatusError(errnoStatus(e, missingIsPath), code);
}
