// Which SMB server a raw-frame suite runs against: ours by default (test/helpers/smb-server.ts), or any other
// server named by SMB_TARGET=host:port (for instance a private Samba, to check the suite's expectations
// against a reference implementation), with SMB_TARGET_USER, SMB_TARGET_PASS, SMB_TARGET_SHARE and
// SMB_TARGET_SHARE_PATH (a local directory backing that share, for seeding files).
import {spawnSync} from 'node:child_process';
import {chmodSync, mkdirSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {RawClient, type LoginOptions} from './raw-client.js';
import {startSmbServer, type SmbServer} from './smb-server.js';

export interface SmbTarget {
  name: string;
  host: string;
  port: number;
  user: string;
  password: string;
  share: string;
  /** Local directory behind `share`. */
  sharePath: string;
  /** False once our server process has exited (always true for an external target). */
  alive(): boolean;
  log(): string;
  stop(): Promise<void>;
}

export async function startTarget(): Promise<SmbTarget> {
  const ext = process.env.SMB_TARGET;
  if (ext) {
    const [host, port] = ext.split(':');
    const sharePath = process.env.SMB_TARGET_SHARE_PATH;
    if (!sharePath) throw new Error('SMB_TARGET needs SMB_TARGET_SHARE_PATH (the directory behind the share)');
    return {
      name: `external ${ext}`,
      host: host || '127.0.0.1',
      port: Number(port),
      user: process.env.SMB_TARGET_USER ?? 'testuser',
      password: process.env.SMB_TARGET_PASS ?? '1234',
      share: process.env.SMB_TARGET_SHARE ?? 'test',
      sharePath,
      alive: () => true,
      log: () => '',
      stop: async () => {},
    };
  }
  const server: SmbServer = await startSmbServer({users: {testuser: '1234'}, shares: {test: {'read only': 'no'}}});
  return {
    name: 'ours',
    host: '127.0.0.1',
    port: server.port,
    user: 'testuser',
    password: '1234',
    share: 'test',
    sharePath: server.sharePath('test'),
    alive: () => server.alive(),
    log: () => server.log(),
    stop: () => server.stop(),
  };
}

/** Files every case may rely on: data.bin (200 KiB), dir/inner.txt, and fuzz.bin and fuzzdir/ for the fuzzers. */
export function seedShare(t: SmbTarget): void {
  const data = Buffer.alloc(200 * 1024);
  for (let i = 0; i < data.length; i++) data[i] = (i * 7) & 0xff;
  const file = (name: string, body: Buffer | string) => {
    writeFileSync(join(t.sharePath, name), body);
    chmodSync(join(t.sharePath, name), 0o666);
  };
  const dir = (name: string) => {
    mkdirSync(join(t.sharePath, name), {recursive: true});
    chmodSync(join(t.sharePath, name), 0o777);
  };
  // The share root itself: whoever created it, the logged-in user must be able to create scratch files.
  chmodSync(t.sharePath, 0o777);
  file('data.bin', data);
  dir('dir');
  file('dir/inner.txt', 'inner\n');
  file('fuzz.bin', data.subarray(0, 8192));
  dir('fuzzdir');
}

export function loginOf(t: SmbTarget): LoginOptions {
  return {user: t.user, password: t.password};
}

/** A new connection, negotiated, logged in and (unless share is null) tree-connected. */
export async function politeSession(
  t: SmbTarget,
  o: {dialects?: number[]; sign?: boolean; encrypt?: boolean; share?: string | null; ciphers?: number[]} = {},
): Promise<RawClient> {
  const c = await RawClient.connect({host: t.host, port: t.port});
  try {
    await c.setup({
      ...loginOf(t),
      sign: o.sign,
      encrypt: o.encrypt,
      share: o.share === null ? undefined : (o.share ?? t.share),
      negotiate: {dialects: o.dialects, ciphers: o.ciphers},
    });
  } catch (e) {
    await c.close();
    throw e;
  }
  return c;
}

/** `smbclient //host/share -c ls` as a polite third party; returns its exit code and output. */
export function smbclientLs(t: SmbTarget, extra: string[] = []): {code: number | null; out: string} {
  const r = spawnSync(
    'smbclient',
    [`//${t.host}/${t.share}`, '-p', String(t.port), '-U', `${t.user}%${t.password}`, ...extra, '-c', 'ls'],
    {encoding: 'utf8', timeout: 30_000},
  );
  return {code: r.status, out: `${r.stdout}${r.stderr}`};
}
