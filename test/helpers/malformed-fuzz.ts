// Seeded fuzzers for test/integration/malformed.test.ts. Each iteration sends one bad frame on a logged-in
// connection and then an ECHO as a probe: the probe must be answered, or the connection must be closed by the
// server; a probe that times out on an open connection means the bad frame wedged it ("hung"). A response the
// raw client cannot parse is recorded too ("badResponses"): the server must never send malformed SMB2.
import {Command, Dialect, FileInfoClass, Fsctl, InfoType, LockFlags} from '../../src/smb2/constants.js';
import {encodeFlushRequest} from '../../src/smb2/messages/flush.js';
import {encodeLockRequest} from '../../src/smb2/messages/lock.js';
import type {FileId} from '../../src/smb2/messages/common.js';
import {HDR, RawClient, outcomeName, outcomeOf, type Body} from './raw-client.js';
import {DIRECTORY, closeBody, createBody, echoBody, ioctlBody, open, queryDirectoryBody, queryInfoBody, readBody, setInfoBody, writeBody} from './raw-ops.js';
import {SeededRandom} from './seeded-random.js';
import {politeSession, type SmbTarget} from './smb-target.js';

export interface FuzzResult {
  outcomes: Map<string, number>;
  hung: string[];
  badResponses: string[];
  reconnects: number;
  summary: string;
}

function summarize(r: Omit<FuzzResult, 'summary'>): string {
  const top = [...r.outcomes.entries()].sort((a, b) => b[1] - a[1]).map(([k, v]) => `${k} x${v}`);
  return `${top.join(', ')}; reconnects ${r.reconnects}; hung ${r.hung.length}; bad responses ${r.badResponses.length}`;
}

interface Fixture {
  c: RawClient;
  file: FileId;
  dir: FileId;
}

async function fixture(t: SmbTarget, dialects: number[], sign: boolean): Promise<Fixture> {
  const c = await politeSession(t, {dialects, sign});
  c.timeoutMs = 3000;
  return {c, file: await open(c, 'fuzz.bin', {createDisposition: 1}), dir: await open(c, 'fuzzdir', DIRECTORY)};
}

/**
 * Send `frame` (built by `make`) then an ECHO probe; classify. `make` may send by itself and return nothing.
 */
async function probe(f: Fixture, i: number, res: Omit<FuzzResult, 'summary'>, make: () => void): Promise<boolean> {
  try {
    make();
  } catch (e) {
    res.badResponses.push(`#${i}: client failed to build: ${(e as Error).message}`);
    return false;
  }
  let kind: string;
  try {
    const id = f.c.send(Command.ECHO, echoBody());
    const o = await outcomeOf(f.c.response(id, 3000));
    kind = o.kind === 'status' ? 'answered' : o.kind;
  } catch (e) {
    // The raw client could not parse something the server sent.
    res.badResponses.push(`#${i}: ${(e as Error).message}`);
    kind = 'bad-response';
  }
  // Keep the first-answer statuses of the fuzzed frames for the summary.
  for (const m of f.c.unmatched.splice(0)) {
    const k = outcomeName({kind: 'status', status: m.status, msg: m});
    res.outcomes.set(k, (res.outcomes.get(k) ?? 0) + 1);
  }
  res.outcomes.set(`probe ${kind}`, (res.outcomes.get(`probe ${kind}`) ?? 0) + 1);
  if (kind === 'timeout') res.hung.push(`#${i}`);
  return kind === 'answered';
}

/** Random frames: pure noise, noise behind a valid ProtocolId, and random bodies behind a valid header. */
export async function fuzzRandom(t: SmbTarget, seed: number, count: number): Promise<FuzzResult> {
  const rnd = new SeededRandom(seed);
  const res = {outcomes: new Map<string, number>(), hung: [] as string[], badResponses: [] as string[], reconnects: 0};
  let f: Fixture | undefined;
  for (let i = 0; i < count; i++) {
    if (!f) {
      f = await fixture(t, [Dialect.SMB3_0_2], false);
      res.reconnects++;
    }
    const fx = f;
    const kind = rnd.int(3);
    const ok = await probe(fx, i, res, () => {
      if (kind === 0) {
        fx.c.sendFrame(rnd.bytes(rnd.range(1, 300)));
      } else if (kind === 1) {
        const m = rnd.bytes(rnd.range(64, 400));
        m.writeUInt32LE(0x424d53fe, 0);
        if (rnd.chance(0.7)) m.writeUInt16LE(64, HDR.structureSize);
        if (rnd.chance(0.5)) m.writeUInt32LE(0, HDR.nextCommand);
        fx.c.sendFrame(m);
      } else {
        // A proper header (session, tree, the next MessageId) with a random command and a random body.
        const command = rnd.int(0x13);
        const body = rnd.bytes(rnd.range(0, 200));
        if (body.length >= 2 && rnd.chance(0.5)) body.writeUInt16LE(rnd.pick([4, 9, 24, 25, 33, 36, 41, 48, 49, 57]), 0);
        fx.c.send(command === Command.NEGOTIATE || command === Command.SESSION_SETUP ? Command.ECHO : command, body, {creditCharge: 1});
      }
    });
    if (!ok) {
      await fx.c.close();
      f = undefined;
    }
  }
  await f?.c.close();
  return {...res, summary: summarize(res)};
}

/** Valid requests for the fixture's state, to be mutated. */
function corpus(f: Fixture, rnd: SeededRandom): {command: number; body: Body; charge?: number}[] {
  return [
    {command: Command.ECHO, body: echoBody()},
    {command: Command.CREATE, body: createBody('fuzz.bin', {createContexts: rnd.chance(0.5) ? [{name: 'MxAc', data: Buffer.alloc(0)}, {name: 'QFid', data: Buffer.alloc(0)}] : []})},
    {command: Command.CREATE, body: createBody('fuzzdir\\x', {createDisposition: 3})},
    {command: Command.READ, body: readBody(f.file, 0n, 4096)},
    {command: Command.WRITE, body: writeBody(f.file, 0n, Buffer.alloc(64, 0x33))},
    {command: Command.QUERY_DIRECTORY, body: queryDirectoryBody(f.dir, '*', {flags: 1})},
    {command: Command.QUERY_INFO, body: queryInfoBody(f.file, InfoType.FILE, FileInfoClass.FileAllInformation)},
    {command: Command.QUERY_INFO, body: queryInfoBody(f.file, InfoType.FILESYSTEM, 1)},
    {command: Command.SET_INFO, body: setInfoBody(f.file, InfoType.FILE, FileInfoClass.FileBasicInformation, Buffer.alloc(40))},
    {command: Command.IOCTL, body: ioctlBody(f.file, Fsctl.SRV_REQUEST_RESUME_KEY, Buffer.alloc(0), {maxOutputResponse: 32})},
    {command: Command.FLUSH, body: (w) => encodeFlushRequest(w, {fileId: f.file})},
    {command: Command.LOCK, body: (w) => encodeLockRequest(w, {lockSequenceNumber: 0, lockSequenceIndex: 0, fileId: f.file, locks: [{offset: 0n, length: 1n, flags: LockFlags.UNLOCK}]})},
    {command: Command.CLOSE, body: closeBody({persistent: 1n, volatile: 1n})},
  ];
}

/** Valid requests with a few bytes changed, truncated or extended, then signed as if they were fine. */
export async function fuzzMutated(t: SmbTarget, seed: number, count: number): Promise<FuzzResult> {
  const rnd = new SeededRandom(seed);
  const res = {outcomes: new Map<string, number>(), hung: [] as string[], badResponses: [] as string[], reconnects: 0};
  let f: Fixture | undefined;
  for (let i = 0; i < count; i++) {
    if (!f) {
      f = await fixture(t, [Dialect.SMB3_1_1], true);
      res.reconnects++;
    }
    const fx = f;
    const item = rnd.pick(corpus(fx, rnd));
    const ok = await probe(fx, i, res, () => {
      fx.c.send(item.command, item.body, {
        mutate: (m) => {
          const how = rnd.int(10);
          if (how === 0) return m.subarray(0, rnd.range(1, m.length - 1));
          if (how === 1) return Buffer.concat([m, rnd.bytes(rnd.range(1, 64))]);
          const n = rnd.range(1, 4);
          for (let k = 0; k < n; k++) {
            // Mostly the header's length-bearing fields and the body's fixed part, sometimes anywhere.
            const at = rnd.chance(0.3) ? rnd.int(m.length) : rnd.chance(0.5) ? rnd.pick([4, 5, 6, 7, 12, 13, 20, 21]) : 64 + rnd.int(Math.min(64, m.length - 64));
            m[at] = rnd.chance(0.5) ? rnd.u32() & 0xff : m[at]! ^ (1 << rnd.int(8));
          }
          return m;
        },
      });
    });
    if (!ok) {
      await fx.c.close();
      f = undefined;
    }
  }
  await f?.c.close();
  return {...res, summary: summarize(res)};
}
