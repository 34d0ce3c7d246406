// Large WRITEs on the receive path (issue 8): frames read by the kernel straight into their assembly
// buffer (src/engine/receive.ts, framing.ts target/advance), GCM messages decrypted in place piece by piece
// (src/crypto/seal.ts), the frame buffers recycled once a WRITE is answered. smbclient puts files of several
// 8 MiB WRITEs plain, signed and encrypted with each cipher, and the bytes on disk must be the file's; a
// WRITE whose ciphertext was altered late in the message drops the connection and writes nothing.
import {spawnSync} from 'node:child_process';
import {randomBytes} from 'node:crypto';
import {mkdtempSync, readFileSync, rmSync, writeFileSync} from 'node:fs';
import {tmpdir} from 'node:os';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {CIPHER_AES_128_CCM, CIPHER_AES_128_GCM} from '../../src/crypto/seal.js';
import {Command, Dialect} from '../../src/smb2/constants.js';
import {decodeWriteResponse} from '../../src/smb2/messages/write.js';
import {NtStatus} from '../../src/smb2/ntstatus.js';
import {bodyReader, RawClient} from '../helpers/raw-client.js';
import {closeBody, open, writeBody} from '../helpers/raw-ops.js';
import {outcomeName} from '../helpers/raw-outcome.js';
import {startSmbServer, type SmbServer} from '../helpers/smb-server.js';
import {ensureTestAccount} from '../helpers/test-account.js';

const USER = 'ksmbdbigw';
const PASS = 'Bigw-pw1';
/** Three full 8 MiB WRITEs and a short one, with an odd length so the last WRITE ends mid-page. */
const SIZE = 3 * 8 * 1024 * 1024 + 123_457;

let server: SmbServer;
let local: string;
let source: Buffer;

beforeAll(async () => {
  ensureTestAccount(USER);
  server = await startSmbServer({users: {[USER]: PASS}, shares: {share: {'read only': 'no'}}});
  local = mkdtempSync(join(tmpdir(), 'ksmbd-bigw-'));
  source = randomBytes(SIZE);
  writeFileSync(join(local, 'src.bin'), source);
});

afterAll(async () => {
  await server?.stop();
  if (local) rmSync(local, {recursive: true, force: true});
});

const variants: [string, string[]][] = [
  ['plain', ['--option=client signing=if_required', '--option=client smb encrypt=off']],
  ['signed', ['--option=client signing=required', '--option=client smb encrypt=off']],
  ['AES-128-GCM', ['--option=client smb encrypt=required', '--option=client smb3 encryption algorithms=AES-128-GCM']],
  ['AES-256-GCM', ['--option=client smb encrypt=required', '--option=client smb3 encryption algorithms=AES-256-GCM']],
  ['AES-128-CCM', ['--option=client smb encrypt=required', '--option=client smb3 encryption algorithms=AES-128-CCM']],
];

describe('large READs to smbclient (pooled payloads, GCM sealed in pieces, CCM sealed in place)', () => {
  for (const [label, opts] of variants) {
    it(`${label}: a ${SIZE}-byte get arrives byte for byte, twice over the same connection`, () => {
      const name = `get-${label}.bin`;
      writeFileSync(join(server.sharePath('share'), name), source);
      const a = join(local, `a-${label}.bin`);
      const b = join(local, `b-${label}.bin`);
      const r = spawnSync(
        'smbclient',
        [`//127.0.0.1/share`, '-p', String(server.port), '-U', `${USER}%${PASS}`, '-m', 'SMB3_11', ...opts,
          '-c', `get ${name} ${a}; get ${name} ${b}`],
        {encoding: 'utf8', timeout: 60_000},
      );
      expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
      for (const f of [a, b]) {
        const got = readFileSync(f);
        expect(got.length, f).toBe(SIZE);
        expect(got.equals(source), `${f}: bytes differ`).toBe(true);
      }
      expect(server.alive()).toBe(true);
    });
  }
});

describe('large WRITEs from smbclient', () => {
  for (const [label, opts] of variants) {
    it(`${label}: a ${SIZE}-byte put lands byte for byte, twice over the same connection`, () => {
      const name = `put-${label}.bin`;
      const r = spawnSync(
        'smbclient',
        [`//127.0.0.1/share`, '-p', String(server.port), '-U', `${USER}%${PASS}`, '-m', 'SMB3_11', ...opts,
          '-c', `put ${join(local, 'src.bin')} ${name}; put ${join(local, 'src.bin')} again-${name}`],
        {encoding: 'utf8', timeout: 60_000},
      );
      expect(r.status, `${r.stdout}${r.stderr}`).toBe(0);
      for (const n of [name, `again-${name}`]) {
        const got = readFileSync(join(server.sharePath('share'), n));
        expect(got.length, n).toBe(SIZE);
        expect(got.equals(source), `${n}: bytes differ`).toBe(true);
      }
      expect(server.alive()).toBe(true);
    });
  }
});

describe('an altered encrypted WRITE', () => {
  for (const [label, cipher] of [['AES-128-GCM', CIPHER_AES_128_GCM], ['AES-128-CCM', CIPHER_AES_128_CCM]] as const) {
    it(`${label}: a 3 MiB WRITE with one ciphertext byte flipped near its end drops the connection and writes nothing`, async () => {
      const name = `tampered-${label}.bin`;
      const first = randomBytes(3 * 1024 * 1024);
      const c = await RawClient.connect({port: server.port});
      try {
        await c.setup({user: USER, password: PASS, share: 'share', encrypt: true, negotiate: {dialects: [Dialect.SMB3_1_1], ciphers: [cipher]}});
        const fid = await open(c, name, {createDisposition: 5});
        const charge = first.length / 65536;
        const ok = await c.request(Command.WRITE, writeBody(fid, 0n, first), {creditCharge: charge});
        expect(ok.status).toBe(NtStatus.SUCCESS);
        expect(ok.encrypted).toBe(true);
        expect(decodeWriteResponse(bodyReader(ok)).count).toBe(first.length);
        // The same range again, other bytes, one of them altered in transit 100 bytes before the end.
        const second = randomBytes(first.length);
        const outcome = await c.attempt(Command.WRITE, writeBody(fid, 0n, second), {
          creditCharge: charge,
          transform: (f) => void (f[f.length - 100]! ^= 0x01),
        });
        expect(outcomeName(outcome)).toBe('closed');
      } finally {
        await c.close();
      }
      // The file holds the first WRITE, untouched.
      const got = readFileSync(join(server.sharePath('share'), name));
      expect(got.equals(first)).toBe(true);
      expect(server.alive()).toBe(true);
      // The server goes on: a new connection writes and closes normally.
      const d = await RawClient.connect({port: server.port});
      try {
        await d.setup({user: USER, password: PASS, share: 'share', encrypt: true, negotiate: {dialects: [Dialect.SMB3_1_1], ciphers: [cipher]}});
        const fid = await open(d, name, {createDisposition: 5});
        const third = randomBytes(2 * 1024 * 1024 + 5);
        const w = await d.request(Command.WRITE, writeBody(fid, 0n, third), {creditCharge: Math.ceil(third.length / 65536)});
        expect(w.status).toBe(NtStatus.SUCCESS);
        expect((await d.request(Command.CLOSE, closeBody(fid))).status).toBe(NtStatus.SUCCESS);
        expect(readFileSync(join(server.sharePath('share'), name)).equals(third)).toBe(true);
      } finally {
        await d.close();
      }
    });
  }
});
