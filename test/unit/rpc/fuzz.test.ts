// 10,000 random and mutated PDUs (seeded, so a failure replays) against bound pipes of every service:
// the pipe never throws, every answer is a well-formed bind_ack / bind_nak / alter_context_resp /
// response / fault, and the pipes go on serving afterwards.
import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {parseSid, sidAppend} from '../../../src/rpc/ndr.js';
import {NDR20, NDR64, PTYPE, encodeBind, encodeRequest} from '../../../src/rpc/pdu.js';
import type {RpcPipes} from '../../../src/rpc/pipe.js';
import {BUILTIN_SID} from '../../../src/rpc/services/accounts.js';
import {LSARPC, LSARPC_OP} from '../../../src/rpc/services/lsarpc.js';
import {SAMR, SAMR_OP} from '../../../src/rpc/services/samr.js';
import {SRVSVC, SRVSVC_OP} from '../../../src/rpc/services/srvsvc.js';
import {WKSSVC, WKSSVC_OP} from '../../../src/rpc/services/wkssvc.js';
import {DOMAIN_SID_TEXT, TestClient, newPipes} from './helpers.js';
import * as q from './requests.js';

const ITERATIONS = 10_000;
const ANSWERS = new Set<number>([PTYPE.BIND_ACK, PTYPE.BIND_NAK, PTYPE.ALTER_CONTEXT_RESP, PTYPE.RESPONSE, PTYPE.FAULT]);

/** xorshift32: small, seeded, good enough to pick mutations. */
function rng(seed: number) {
  let x = seed >>> 0 || 1;
  const next = () => {
    x ^= x << 13;
    x >>>= 0;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return x;
  };
  return {next, int: (n: number) => next() % n, pick: <T>(a: readonly T[]) => a[next() % a.length]!};
}

const DOMAIN = parseSid(DOMAIN_SID_TEXT)!;
const fixture = JSON.parse(readFileSync(new URL('./fixtures/rpcclient-samba-4.17.json', import.meta.url), 'utf8')) as {sessions: Array<{pdus: string[]}>};

interface Target {
  pipe: string;
  contexts: Array<{id: number; syntax: typeof SRVSVC.syntax}>;
  /** [contextId, opnum, stub] built once the pipe holds handles. */
  requests: (c: TestClient) => Array<[number, number, Buffer]>;
}

const TARGETS: Target[] = [
  {
    pipe: 'srvsvc',
    contexts: [{id: 0, syntax: SRVSVC.syntax}],
    requests: () => [
      ...[0, 1, 2, 501, 502].map((l) => [0, SRVSVC_OP.NetrShareEnum, q.netShareEnum(l)] as [number, number, Buffer]),
      [0, SRVSVC_OP.NetrShareGetInfo, q.netShareGetInfo('public', 2)],
      [0, SRVSVC_OP.NetrShareGetInfo, q.netShareGetInfo('IPC$', 1005)],
      [0, SRVSVC_OP.NetrServerGetInfo, q.levelOnly(102)],
    ],
  },
  {pipe: 'wkssvc', contexts: [{id: 0, syntax: WKSSVC.syntax}], requests: () => [[0, WKSSVC_OP.NetrWkstaGetInfo, q.levelOnly(102)]]},
  {
    pipe: 'lsarpc',
    contexts: [
      {id: 0, syntax: LSARPC.syntax},
      {id: 1, syntax: SAMR.syntax},
    ],
    requests: (c) => {
      const ph = c.ok(LSARPC_OP.LsarOpenPolicy2, q.lsaOpenPolicy2()).subarray(0, 20);
      const sh = c.ok(SAMR_OP.SamrConnect5, q.samrConnect5(), 1).subarray(16, 36);
      const dh = c.ok(SAMR_OP.SamrOpenDomain, q.samrOpenDomain(sh, DOMAIN), 1).subarray(0, 20);
      const uh = c.ok(SAMR_OP.SamrOpenUser, q.samrOpenUser(dh, 1001), 1).subarray(0, 20);
      const sids = [sidAppend(DOMAIN, 1001), sidAppend(BUILTIN_SID, 544), DOMAIN];
      return [
        [0, LSARPC_OP.LsarOpenPolicy, q.lsaOpenPolicy()],
        [0, LSARPC_OP.LsarQueryInformationPolicy, q.handleLevel(ph, 5)],
        [0, LSARPC_OP.LsarQueryInformationPolicy2, q.handleLevel(ph, 12)],
        [0, LSARPC_OP.LsarLookupSids, q.lsaLookupSids(ph, sids, 1)],
        [0, LSARPC_OP.LsarLookupSids2, q.lsaLookupSids(ph, sids, 2)],
        [0, LSARPC_OP.LsarLookupNames, q.lsaLookupNames(ph, ['alice', 'BUILTIN\\Users', 'x'], 1)],
        [0, LSARPC_OP.LsarLookupNames3, q.lsaLookupNames(ph, ['alice', 'KSMBDTEST'], 3)],
        [0, LSARPC_OP.LsarGetUserName, q.lsaGetUserName(true)],
        [1, SAMR_OP.SamrConnect, q.samrConnect()],
        [1, SAMR_OP.SamrEnumerateDomainsInSamServer, q.samrEnumDomains(sh)],
        [1, SAMR_OP.SamrLookupDomainInSamServer, q.samrLookupDomain(sh, 'Builtin')],
        [1, SAMR_OP.SamrQueryInformationDomain, q.handleLevel(dh, 2)],
        [1, SAMR_OP.SamrEnumerateUsersInDomain, q.samrEnumUsers(dh)],
        [1, SAMR_OP.SamrGetAliasMembership, q.samrGetAliasMembership(dh, sids)],
        [1, SAMR_OP.SamrLookupNamesInDomain, q.samrLookupNames(dh, ['alice', 'bob'])],
        [1, SAMR_OP.SamrLookupIdsInDomain, q.samrLookupIds(dh, [1000, 1001])],
        [1, SAMR_OP.SamrQueryInformationUser2, q.handleLevel(uh, 21)],
        [1, SAMR_OP.SamrGetGroupsForUser, q.handleOnly(uh)],
      ];
    },
  },
];

function checkAnswers(pipes: RpcPipes, handle: number): number {
  let n = 0;
  for (;;) {
    const r = pipes.read(handle, 0x10000)!;
    if (r.data.length === 0) break;
    expect(r.more).toBe(false);
    const b = r.data;
    expect(b.length).toBeGreaterThanOrEqual(16);
    expect(b[0]).toBe(5);
    expect(ANSWERS.has(b[2]!), `ptype ${b[2]}`).toBe(true);
    expect(b.readUInt16LE(8)).toBe(b.length);
    n++;
  }
  return n;
}

function mutate(r: ReturnType<typeof rng>, seed: Buffer): Buffer {
  const b = Buffer.from(seed);
  switch (r.int(8)) {
    case 0: // flip bits anywhere
      for (let i = r.int(8) + 1; i > 0; i--) b[r.int(b.length)]! ^= 1 << r.int(8);
      return b;
    case 1: // interesting values in the stub, header intact
      for (let i = r.int(6) + 1; i > 0 && b.length > 24; i--) b[24 + r.int(b.length - 24)] = r.pick([0, 0xff, 0x7f, 0x80, 0x01, 0xfe]);
      return b;
    case 2: // 32-bit counts and pointers in the stub set to extremes
      for (let i = r.int(4) + 1; i > 0 && b.length >= 28; i--) b.writeUInt32LE(r.pick([0, 1, 0xffffffff, 0x7fffffff, 0x20000, 1000, 20481]), 24 + 4 * r.int((b.length - 24) >> 2));
      return b;
    case 3: { // truncate (frag_length kept or fixed up)
      const cut = b.subarray(0, Math.max(16, r.int(b.length)));
      if (r.int(2)) cut.writeUInt16LE(cut.length, 8);
      return Buffer.from(cut);
    }
    case 4: { // extend with junk
      const out = Buffer.concat([b, Buffer.from(Array.from({length: r.int(64) + 1}, () => r.int(256)))]);
      if (r.int(2)) out.writeUInt16LE(out.length, 8);
      return out;
    }
    case 5: // header fields
      switch (r.int(6)) {
        case 0: b.writeUInt16LE(r.int(0x10000), 8); break; // frag_length
        case 1: b.writeUInt16LE(r.pick([0, 1, 8, 16, 0xffff]), 10); break; // auth_length
        case 2: b[2] = r.int(24); break; // ptype
        case 3: b[3] = r.int(256); break; // flags
        case 4: b.writeUInt16LE(r.int(8), 20); break; // context id
        default: b.writeUInt16LE(r.int(80), 22); // opnum
      }
      return b;
    case 6: // random bytes behind a plausible header
      return Buffer.concat([b.subarray(0, 16), Buffer.from(Array.from({length: r.int(200)}, () => r.int(256)))]).fill(0, 8, 8);
    default: // random length-consistent PDU of any type
      {
        const out = Buffer.from(Array.from({length: 16 + r.int(120)}, () => r.int(256)));
        out[0] = 5;
        out[1] = r.int(2);
        out[4] = 0x10;
        out[5] = 0;
        out.writeUInt16LE(out.length, 8);
        out.writeUInt16LE(0, 10);
        return out;
      }
  }
}

describe('fuzzing the pipe', () => {
  it(`${ITERATIONS} random and mutated PDUs: faults and naks only, never a throw`, () => {
    const r = rng(Number(process.env.RPC_FUZZ_SEED ?? 0x5eed)); // RPC_FUZZ_SEED=n to explore further
    const {pipes, sink, log} = newPipes();
    log.debugSwitches.toggle('rpc'); // off: the memory sink keeps 1000 lines and must show every error
    const started = Date.now();
    let answers = 0;
    let i = 0;
    const fixturePdus = fixture.sessions.flatMap((s) => s.pdus.map((h) => Buffer.from(h, 'hex')));
    while (i < ITERATIONS) {
      // A fresh set of bound pipes every 100 PDUs, so state (handles, half-reassembled calls) varies.
      for (const t of TARGETS) {
        const c = new TestClient(pipes, t.pipe);
        c.bind(t.contexts[0]!.syntax, {contextId: t.contexts[0]!.id});
        for (const extra of t.contexts.slice(1)) c.bind(extra.syntax, {contextId: extra.id, ptype: PTYPE.ALTER_CONTEXT});
        const corpus: Buffer[] = [
          ...t.requests(c).flatMap(([ctx, op, stub]) => encodeRequest(c.callId++, ctx, op, stub, r.int(4) === 0 ? 1432 : 4280)),
          encodeBind(PTYPE.ALTER_CONTEXT, 99, {contexts: [{contextId: 5, abstract: t.contexts[0]!.syntax, transfer: [NDR64, NDR20]}]}),
          encodeBind(PTYPE.BIND, 98, {contexts: [{contextId: 0, abstract: t.contexts[0]!.syntax, transfer: [NDR20]}]}),
          ...fixturePdus,
        ];
        for (let k = 0; k < 34 && i < ITERATIONS; k++, i++) {
          const pdu = r.int(10) === 0 ? r.pick(corpus) : mutate(r, r.pick(corpus));
          // Sometimes split the write, sometimes glue two.
          if (r.int(5) === 0 && pdu.length > 2) {
            const at = 1 + r.int(pdu.length - 1);
            expect(() => pipes.write(c.handle, pdu.subarray(0, at))).not.toThrow();
            expect(() => pipes.write(c.handle, pdu.subarray(at))).not.toThrow();
          } else {
            expect(() => pipes.write(c.handle, pdu)).not.toThrow();
          }
          answers += checkAnswers(pipes, c.handle);
        }
        // Still serving: a clean pipe of the same kind answers a real request.
        const fresh = new TestClient(pipes, t.pipe);
        fresh.bind(t.contexts[0]!.syntax, {contextId: t.contexts[0]!.id});
        for (const extra of t.contexts.slice(1)) fresh.bind(extra.syntax, {contextId: extra.id, ptype: PTYPE.ALTER_CONTEXT});
        const [ctx, op, stub] = t.requests(fresh)[0]!;
        expect(fresh.call(op, stub, ctx).stub).toBeDefined();
        pipes.close(fresh.handle);
        pipes.close(c.handle);
      }
    }
    expect(answers).toBeGreaterThan(ITERATIONS / 4);
    expect(pipes.count).toBe(0);
    // A handler bug would log at error level with a stack; there must be none.
    expect(sink.lines.filter(([level]) => level === 'error')).toEqual([]);
    expect(Date.now() - started).toBeLessThan(30_000);
  });
});
