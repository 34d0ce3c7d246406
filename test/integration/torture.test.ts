// smbtorture's core list (test/fixtures/smbtorture/core.list) against the real daemon: every test that
// Samba 4.17's smbd passes on this machine must pass here too. One smbtorture process per test, each on
// its own freshly emptied share, SLOTS at a time; one line per test and the totals are printed.
import {chownSync, readdirSync, rmSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {ROOT} from '../helpers/cli.js';
import {startSmbServer, type SmbServer} from '../helpers/smb-server.js';
import {readTortureList, runTorture, type TortureResult} from '../helpers/torture.js';
import {ensureUnixUser} from '../helpers/unix-user.js';

const SLOTS = 4;
const USER = 'ksmbdtorture';
const PASSWORD = 'torture-pw-1';
const required = readTortureList(join(ROOT, 'test/fixtures/smbtorture/core.list')).filter((t) => t.samba === 'PASS');

/**
 * Tests Samba passes that still fail here, each with the missing feature. A ratchet, not a skip: they
 * run every time, and one that starts passing fails the suite until it is removed from this list.
 * Issue 6's acceptance holds when this list is empty.
 */
const PENDING: Record<string, string> = {
};

let server: SmbServer;
let clientConf: string;
const free: string[] = [];
const waiting: Array<(share: string) => void> = [];
const results: TortureResult[] = [];

async function takeShare(): Promise<string> {
  const s = free.pop();
  if (s !== undefined) return s;
  return new Promise((resolve) => waiting.push(resolve));
}

function giveShare(share: string): void {
  const w = waiting.shift();
  if (w) w(share);
  else free.push(share);
}

beforeAll(async () => {
  const account = ensureUnixUser(USER);
  const shares: Record<string, Record<string, string>> = {};
  // Like Samba's and ksmbd's test shares: named streams in xattrs (smb2.compound.compound-padding reads one).
  for (let i = 0; i < SLOTS; i++) shares[`torture${i}`] = {'read only': 'no', 'vfs objects': 'streams_xattr'};
  server = await startSmbServer({shares, users: {[USER]: PASSWORD}});
  for (let i = 0; i < SLOTS; i++) {
    chownSync(server.sharePath(`torture${i}`), account.uid, account.gid);
    free.push(`torture${i}`);
  }
  clientConf = join(server.dir, 'client.conf');
  writeFileSync(clientConf, '[global]\n');
});

afterAll(async () => {
  const passed = results.filter((r) => r.status === 'PASS').length;
  for (const r of [...results].sort((a, b) => a.name.localeCompare(b.name))) console.log(`${r.status.padEnd(7)} ${r.name} ${r.seconds.toFixed(1)}s`);
  console.log(`smbtorture core: ${passed} passed, ${results.length - passed} failed (pending: ${Object.keys(PENDING).join(', ') || 'none'})`);
  await server?.stop();
});

describe.concurrent('smbtorture core list (tests Samba 4.17 passes)', () => {
  it('the list has the tests Samba passes', () => {
    expect(required.length).toBeGreaterThanOrEqual(40);
    for (const name of Object.keys(PENDING)) expect(required.map((t) => t.name)).toContain(name);
  });
  for (const t of required) {
    it(t.name, async () => {
      const share = await takeShare();
      try {
        const dir = server.sharePath(share);
        for (const f of readdirSync(dir)) rmSync(join(dir, f), {recursive: true, force: true});
        const r = await runTorture({name: t.name, port: server.port, share, user: USER, password: PASSWORD, clientConf});
        results.push(r);
        const pending = PENDING[t.name];
        if (pending) expect(r.status, `${t.name} now passes: remove it from PENDING (${pending})`).not.toBe('PASS');
        else expect(r.status, `${t.name}: ${r.status}\n${r.output.slice(-3000)}`).toBe('PASS');
      } finally {
        giveShare(share);
      }
    }, 180_000);
  }
});
