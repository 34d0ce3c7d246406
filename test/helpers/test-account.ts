// A real Unix account for tests that need one (SAM users are ksmbdpwd.db users with a Unix account; the
// RID is the uid). Created as a system account without a home when missing, and removed afterwards only
// if this run created it, so an account that existed before is left alone.
import {spawnSync} from 'node:child_process';

export interface TestAccount {
  name: string;
  uid: number;
  gid: number;
  /** This run made the account (and dropTestAccount removes it). */
  created: boolean;
}

function lookup(name: string): {uid: number; gid: number} | undefined {
  const u = spawnSync('id', ['-u', name], {encoding: 'utf8'});
  const g = spawnSync('id', ['-g', name], {encoding: 'utf8'});
  if (u.status !== 0 || g.status !== 0) return undefined;
  return {uid: Number(u.stdout.trim()), gid: Number(g.stdout.trim())};
}

export function ensureTestAccount(name: string): TestAccount {
  const existing = lookup(name);
  if (existing) return {name, ...existing, created: false};
  const r = spawnSync('useradd', ['--system', '--no-create-home', '--user-group', '--shell', '/usr/sbin/nologin', name], {encoding: 'utf8'});
  const made = lookup(name);
  // Another test file may have created it at the same moment: only a still-missing account is an error.
  if (!made) throw new Error(`useradd ${name} failed (the tests run as root): ${r.stderr}`);
  return {name, ...made, created: r.status === 0};
}

export function dropTestAccount(a: TestAccount): void {
  if (!a.created) return;
  const r = spawnSync('userdel', [a.name], {encoding: 'utf8'});
  if (r.status !== 0) throw new Error(`userdel ${a.name} failed: ${r.stderr}`);
}
