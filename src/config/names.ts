// Share and user name rules shared by the config parser, addshare and adduser (ksmbd-tools 3.5.x).

function controlChar(s: string, extra: string): string | undefined {
  for (const ch of s) {
    const c = ch.codePointAt(0)!;
    if ((c < 0x20 && c !== 0x09) || c === 0x7f || extra.includes(ch)) return ch;
  }
  return undefined;
}

function describeChar(ch: string): string {
  const hex = ch.codePointAt(0)!.toString(16).toUpperCase().padStart(2, '0');
  return `\`${ch}' [0x${hex}]`;
}

/**
 * Why a share name is invalid, or undefined if it is fine: 1-63 bytes of UTF-8, no control
 * characters, no brackets. Node decodes argv as UTF-8 and turns bad bytes into U+FFFD.
 */
export function shareNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'Share name is missing';
  if (Buffer.byteLength(name, 'utf8') > 63) return 'Share name exceeds 63 bytes';
  if (name.includes('\uFFFD')) return 'Share name is not UTF-8';
  const ch = controlChar(name, '[]');
  if (ch !== undefined) return `Share name contains ${describeChar(ch)}`;
  return undefined;
}

/** Why a user name is invalid: 1-47 bytes of UTF-8, no control characters (tab allowed), no `:`. */
export function userNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'User name is missing';
  if (Buffer.byteLength(name, 'utf8') > 47) return 'User name exceeds 47 bytes';
  if (name.includes('\uFFFD')) return 'User name is not UTF-8';
  const ch = controlChar(name, ':');
  if (ch !== undefined) return `User name contains ${describeChar(ch)}`;
  return undefined;
}

/** Section names compare like ksmbd-tools: case-insensitively after canonical decomposition. */
export function shareKey(name: string): string {
  return name.normalize('NFD').toUpperCase().toLowerCase();
}

export const IPC_SHARE = 'IPC$';
export const GLOBAL_SECTION = 'global';

export function isGlobalName(name: string): boolean {
  return shareKey(name) === GLOBAL_SECTION;
}

export function isIpcName(name: string): boolean {
  return shareKey(name) === 'ipc$';
}
