/**
 * From an SMB2 path (relative to the share root, backslash-separated, MS-SMB2 2.2.13 "The file name ...
 * relative to the share") to validated components and a host path that cannot leave the share by name.
 * Symlinks are the other way out; Vfs.contained() checks those after resolution.
 */
import {join} from 'node:path';
import {NtStatus, NtStatusError} from '../smb2/ntstatus.js';
import {splitStream} from './streams.js';

/** MS-FSCC 2.1.5.2 (file names): characters that are never part of a name. Wildcards are reserved too. */
const INVALID_CHARS = /[\x00-\x1f"*/:<>?|\\]/;
const MAX_COMPONENT = 255;

export interface SmbPath {
  /** Path components, [] for the share root. */
  components: string[];
  /** `name::$DATA` / `name:$DATA` named the default data stream explicitly. */
  defaultStream: boolean;
  /** `name:stream[:$DATA]`: the named data stream (src/vfs/streams.ts). */
  stream?: string;
  /** `name::$INDEX_ALLOCATION` (or `:$I30:$INDEX_ALLOCATION`): the directory itself. */
  directoryStream?: boolean;
}

/** Validate a CREATE name; throws NtStatusError with the status Windows gives. */
export function parseSmbPath(name: string): SmbPath {
  if (name === '') return {components: [], defaultStream: false};
  // 3.3.5.9: "If the file name length is greater than zero and the first character is a path separator
  // character, the server MUST fail the request with STATUS_INVALID_PARAMETER."
  if (name[0] === '\\' || name[0] === '/') throw new NtStatusError(NtStatus.INVALID_PARAMETER, 'absolute path');
  let s = name;
  if (s.endsWith('\\')) s = s.slice(0, -1);
  const parts = s.split('\\');
  const split = splitStream(parts[parts.length - 1]!);
  parts[parts.length - 1] = split.name;
  const last: Omit<SmbPath, 'components'> = {defaultStream: split.stream.kind === 'default'};
  if (split.stream.kind === 'named') last.stream = split.stream.name;
  if (split.stream.kind === 'directory') last.directoryStream = true;
  if (split.name === '' && parts.length === 1) {
    // The share root's streams (`:stream`) are the root directory's.
    return {components: [], ...last};
  }
  const components: string[] = [];
  for (const p of parts) {
    if (p === '..') throw new NtStatusError(NtStatus.OBJECT_PATH_SYNTAX_BAD, 'path climbs out with ..');
    if (p === '') throw new NtStatusError(NtStatus.OBJECT_NAME_INVALID, 'empty component');
    // `dir\.` names dir itself (clients send it for `allinfo .`); it can never lead anywhere else.
    if (p === '.') continue;
    if (p.length > MAX_COMPONENT || INVALID_CHARS.test(p)) throw new NtStatusError(NtStatus.OBJECT_NAME_INVALID, 'invalid name');
    components.push(p);
  }
  return {components, ...last};
}

/** The host path of validated components under `root`. */
export function hostPath(root: string, components: readonly string[]): string {
  return components.length === 0 ? root : join(root, ...components);
}

/** The path as clients see it in FileNameInformation: a leading backslash, components joined by `\`. */
export function smbDisplayPath(components: readonly string[]): string {
  return '\\' + components.join('\\');
}
