// Unix accounts for tests that need a real identity (file ownership, permissions, SIDs with uid RIDs).
// Created once as system accounts without a home; the tests run as root, here and in CI.
import {execFileSync, spawnSync} from 'node:child_process';

export interface UnixUser {
  name: string;
  uid: number;
  gid: number;
}

function lookup(name: string): UnixUser | undefined {
  const r = spawnSync('id', ['-u', name], {encoding: 'utf8'});
  if (r.status !== 0) return undefined;
  const gid = Number(execFileSync('id', ['-g', name], {encoding: 'utf8'}).trim());
  return {name, uid: Number(r.stdout.trim()), gid};
}

export function ensureUnixUser(name: string): UnixUser {
  const existing = lookup(name);
  if (existing) return existing;
  const r = spawnSync('useradd', ['--system', '--no-create-home', '--user-group', '--shell', '/usr/sbin/nologin', name], {encoding: 'utf8'});
  // Parallel test files may race to create the same account: only a still-missing account is an error.
  const made = lookup(name);
  if (!made) throw new Error(`useradd ${name} failed: ${r.stderr}`);
  return made;
}
