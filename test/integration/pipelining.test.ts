// Requests of one connection in flight at once (src/engine/connection.ts): READs, WRITEs, FLUSH and
// QUERY_INFO sent back to back without waiting are all answered, correctly, whatever order the answers come
// in; a CLOSE sent right behind them waits for them (its answer comes last and the data is all there); and
// READ payloads that go out beside the fixed part are signed over both and sealed in pieces (GCM) or whole
// (CCM) as the client expects.
import {randomBytes} from 'node:crypto';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {CIPHER_AES_128_CCM, CIPHER_AES_128_GCM} from '../../src/crypto/seal.js';
import {Command, Dialect, FileInfoClass, InfoType} from '../../src/smb2/constants.js';
import {decodeReadResponse} from '../../src/smb2/messages/read.js';
import {decodeWriteResponse} from '../../src/smb2/messages/write.js';
import {NtStatus} from '../../src/smb2/ntstatus.js';
import {encodeFlushRequest} from '../../src/smb2/messages/flush.js';
import {bodyReader, RawClient, type Smb2Message} from '../helpers/raw-client.js';
import {closeBody, open, queryInfoBody, readBody, writeBody} from '../helpers/raw-ops.js';
import {startSmbServer, type SmbServer} from '../helpers/smb-server.js';
import {ensureTestAccount} from '../helpers/test-account.js';

const USER = 'ksmbdpipe';
const PASS = 'Pipe-pw1';
const CHUNK = 65536;
const COUNT = 24;

let server: SmbServer;

beforeAll(async () => {
  ensureTestAccount(USER);
  server = await startSmbServer({users: {[USER]: PASS}, shares: {share: {'read only': 'no'}}});
});

afterAll(async () => {
  await server?.stop();
});

/** Wait for the answers to `ids`, in whatever order they come; returns them by id and in arrival order. */
async function collect(c: RawClient, ids: bigint[]): Promise<{byId: Map<bigint, Smb2Message>; order: bigint[]}> {
  const byId = new Map<bigint, Smb2Message>();
  const order: bigint[] = [];
  while (byId.size < ids.length) {
    const m = await c.recv();
    if (m.status === NtStatus.PENDING) continue;
    expect(ids).toContain(m.header.messageId);
    byId.set(m.header.messageId, m);
    order.push(m.header.messageId);
  }
  return {byId, order};
}

const variants: [string, {sign?: boolean; encrypt?: boolean; ciphers?: number[]}][] = [
  ['plain', {}],
  ['signed', {sign: true}],
  ['encrypted AES-128-GCM', {encrypt: true, ciphers: [CIPHER_AES_128_GCM]}],
  ['encrypted AES-128-CCM', {encrypt: true, ciphers: [CIPHER_AES_128_CCM]}],
];

describe('pipelined requests on one connection', () => {
  for (const [label, v] of variants) {
    it(`${label}: ${COUNT} WRITEs, then ${COUNT} READs with QUERY_INFO and FLUSH, then CLOSE, none waited for`, async () => {
      const c = await RawClient.connect({port: server.port});
      try {
        await c.setup({user: USER, password: PASS, share: 'share', sign: v.sign, encrypt: v.encrypt, negotiate: {dialects: [Dialect.SMB3_1_1], ciphers: v.ciphers}});
        const fid = await open(c, `pipe-${label.replace(/\W+/g, '-')}.bin`, {createDisposition: 5});
        const data = randomBytes(CHUNK * COUNT);
        const charge = c.multiCredit ? 1 : 0;

        const writes: bigint[] = [];
        for (let i = 0; i < COUNT; i++) {
          writes.push(c.send(Command.WRITE, writeBody(fid, BigInt(i * CHUNK), data.subarray(i * CHUNK, (i + 1) * CHUNK)), {creditCharge: charge}));
        }
        const w = await collect(c, writes);
        for (const id of writes) {
          const m = w.byId.get(id)!;
          expect(m.status).toBe(NtStatus.SUCCESS);
          expect(decodeWriteResponse(bodyReader(m)).count).toBe(CHUNK);
          if (v.sign) expect(m.signatureOk).toBe(true);
          if (v.encrypt) expect(m.encrypted).toBe(true);
        }

        const reads: bigint[] = [];
        for (let i = COUNT - 1; i >= 0; i--) reads.push(c.send(Command.READ, readBody(fid, BigInt(i * CHUNK), CHUNK), {creditCharge: charge}));
        const qi = c.send(Command.QUERY_INFO, queryInfoBody(fid, InfoType.FILE, FileInfoClass.FileStandardInformation));
        const flush = c.send(Command.FLUSH, (wr) => encodeFlushRequest(wr, {fileId: fid}));
        const close = c.send(Command.CLOSE, closeBody(fid));
        const all = [...reads, qi, flush, close];
        const r = await collect(c, all);
        // CLOSE is not run until everything before it on the connection has finished.
        expect(r.order[r.order.length - 1]).toBe(close);
        for (const id of all) expect(r.byId.get(id)!.status, `mid ${id}`).toBe(NtStatus.SUCCESS);
        reads.forEach((id, k) => {
          const i = COUNT - 1 - k;
          const m = r.byId.get(id)!;
          if (v.sign) expect(m.signatureOk, `READ ${i} signature`).toBe(true);
          if (v.encrypt) expect(m.encrypted).toBe(true);
          const got = Buffer.from(decodeReadResponse(bodyReader(m)).data);
          expect(got.equals(data.subarray(i * CHUNK, (i + 1) * CHUNK)), `READ ${i} data`).toBe(true);
        });
        // The connection still works after it all.
        const e = await c.request(Command.ECHO, Buffer.from([4, 0, 0, 0]));
        expect(e.status).toBe(NtStatus.SUCCESS);
      } finally {
        await c.close();
      }
    });
  }
  for (const [label, v] of variants) {
    it(`${label}: 2 MiB WRITEs and READs in flight, three rounds (pooled frame and payload buffers reused)`, async () => {
      const c = await RawClient.connect({port: server.port});
      try {
        await c.setup({user: USER, password: PASS, share: 'share', sign: v.sign, encrypt: v.encrypt, negotiate: {dialects: [Dialect.SMB3_1_1], ciphers: v.ciphers}});
        const fid = await open(c, `big-${label.replace(/\W+/g, '-')}.bin`, {createDisposition: 5});
        const BIG = 2 * 1024 * 1024;
        const charge = BIG / 65536;
        for (let round = 0; round < 3; round++) {
          const data = randomBytes(BIG * 3);
          const writes = [0, 1, 2].map((i) => c.send(Command.WRITE, writeBody(fid, BigInt(i * BIG), data.subarray(i * BIG, (i + 1) * BIG)), {creditCharge: charge}));
          const w = await collect(c, writes);
          for (const id of writes) expect(w.byId.get(id)!.status).toBe(NtStatus.SUCCESS);
          const reads = [2, 0, 1].map((i) => c.send(Command.READ, readBody(fid, BigInt(i * BIG), BIG), {creditCharge: charge}));
          const r = await collect(c, reads);
          [2, 0, 1].forEach((i, k) => {
            const m = r.byId.get(reads[k]!)!;
            expect(m.status).toBe(NtStatus.SUCCESS);
            if (v.sign) expect(m.signatureOk).toBe(true);
            const got = Buffer.from(decodeReadResponse(bodyReader(m)).data);
            expect(got.equals(data.subarray(i * BIG, (i + 1) * BIG)), `round ${round} READ ${i}`).toBe(true);
          });
        }
        expect((await c.request(Command.CLOSE, closeBody(fid))).status).toBe(NtStatus.SUCCESS);
      } finally {
        await c.close();
      }
    });
  }
});
