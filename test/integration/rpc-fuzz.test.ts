// Issue 7 acceptance 4: 10,000 random and mutated DCE/RPC PDUs written to the pipes of the running daemon
// over SMB (WRITE, split WRITEs and FSCTL_PIPE_TRANSCEIVE, answers drained with READs of varying size), seeded
// so a failure replays (RPC_FUZZ_SEED=n explores others) and bounded in time. Every answer must be a whole,
// well-formed bind_ack / bind_nak / alter_context_resp / response / fault; afterwards the daemon still serves
// smbclient -L and rpcclient, and logged no error.
import {spawnSync} from 'node:child_process';
import {readFileSync} from 'node:fs';
import {afterAll, beforeAll, expect, it} from 'vitest';
import {NDR20, NDR64, PTYPE, encodeBind, encodeRequest, type SyntaxId} from '../../src/rpc/pdu.js';
import {LSARPC, LSARPC_OP} from '../../src/rpc/services/lsarpc.js';
import {SAMR, SAMR_OP} from '../../src/rpc/services/samr.js';
import {SRVSVC, SRVSVC_OP} from '../../src/rpc/services/srvsvc.js';
import {WKSSVC, WKSSVC_OP} from '../../src/rpc/services/wkssvc.js';
import {Command, FileInfoClass, Fsctl} from '../../src/smb2/constants.js';
import type {FileId} from '../../src/smb2/messages/common.js';
import {NtStatus, ntStatusName} from '../../src/smb2/ntstatus.js';
import * as q from '../unit/rpc/requests.js';
import {RawClient} from '../helpers/raw-client.js';
import {close, setInfo} from '../helpers/raw-ops.js';
import {openPipe, pipeIoctl, pipeRead, pipeWrite} from '../helpers/raw-pipe.js';
import {SeededRandom} from '../helpers/seeded-random.js';
import {startSmbServer, type SmbServer} from '../helpers/smb-server.js';

const ITERATIONS = 10_000;
const PER_OPEN = 100;
const TIME_LIMIT_MS = 150_000;
const SEED = Number(process.env.RPC_FUZZ_SEED ?? 0x7e57c0de);
const ANSWERS = new Set<number>([PTYPE.BIND_ACK, PTYPE.BIND_NAK, PTYPE.ALTER_CONTEXT_RESP, PTYPE.RESPONSE, PTYPE.FAULT]);
const ZERO_HANDLE = Buffer.alloc(20);

interface Target {
  pipe: string;
  syntax: SyntaxId;
  calls: [number, Buffer][];
}

const TARGETS: Target[] = [
  {
    pipe: 'srvsvc',
    syntax: SRVSVC.syntax,
    calls: [
      ...[0, 1, 2, 501, 502].map((l): [number, Buffer] => [SRVSVC_OP.NetrShareEnum, q.netShareEnum(l)]),
      [SRVSVC_OP.NetrShareGetInfo, q.netShareGetInfo('public', 502)],
      [SRVSVC_OP.NetrShareGetInfo, q.netShareGetInfo('IPC$', 1005)],
      [SRVSVC_OP.NetrServerGetInfo, q.levelOnly(102)],
    ],
  },
  {pipe: 'wkssvc', syntax: WKSSVC.syntax, calls: [[WKSSVC_OP.NetrWkstaGetInfo, q.levelOnly(100)], [WKSSVC_OP.NetrWkstaGetInfo, q.levelOnly(102)]]},
  {
    pipe: 'lsarpc',
    syntax: LSARPC.syntax,
    calls: [
      [LSARPC_OP.LsarOpenPolicy2, q.lsaOpenPolicy2()],
      [LSARPC_OP.LsarGetUserName, q.lsaGetUserName(true)],
      [LSARPC_OP.LsarLookupNames, q.lsaLookupNames(ZERO_HANDLE, ['alice', 'nobody'], 1)],
      [LSARPC_OP.LsarQueryInformationPolicy, q.handleLevel(ZERO_HANDLE, 5)],
    ],
  },
  {
    pipe: 'samr',
    syntax: SAMR.syntax,
    calls: [
      [SAMR_OP.SamrConnect5, q.samrConnect5()],
      [SAMR_OP.SamrConnect2, q.samrConnect2()],
      [SAMR_OP.SamrEnumerateDomainsInSamServer, q.samrEnumDomains(ZERO_HANDLE)],
      [SAMR_OP.SamrEnumerateUsersInDomain, q.samrEnumUsers(ZERO_HANDLE)],
    ],
  },
];

const fixture = JSON.parse(readFileSync(new URL('../unit/rpc/fixtures/rpcclient-samba-4.17.json', import.meta.url), 'utf8')) as {sessions: {pdus: string[]}[]};
const CAPTURED = fixture.sessions.flatMap((s) => s.pdus.map((h) => Buffer.from(h, 'hex')));

function corpus(t: Target, r: SeededRandom): Buffer[] {
  let callId = 10;
  return [
    ...t.calls.flatMap(([op, stub]) => encodeRequest(callId++, 0, op, stub, r.chance(0.25) ? 1432 : 4280)),
    encodeBind(PTYPE.BIND, callId++, {contexts: [{contextId: 0, abstract: t.syntax, transfer: [NDR20]}]}),
    encodeBind(PTYPE.ALTER_CONTEXT, callId++, {contexts: [{contextId: 1, abstract: t.syntax, transfer: [NDR64, NDR20]}]}),
    encodeBind(PTYPE.ALTER_CONTEXT, callId++, {contexts: [{contextId: 2, abstract: SAMR.syntax, transfer: [NDR20]}]}),
    ...CAPTURED,
  ];
}

function mutate(r: SeededRandom, seed: Buffer): Buffer {
  const b = Buffer.from(seed);
  switch (r.int(8)) {
    case 0: // flipped bits anywhere
      for (let i = r.range(1, 8); i > 0; i--) b[r.int(b.length)]! ^= 1 << r.int(8);
      return b;
    case 1: // boundary octets in the body, header intact
      for (let i = r.range(1, 6); i > 0 && b.length > 24; i--) b[24 + r.int(b.length - 24)] = r.pick([0, 0xff, 0x7f, 0x80, 1, 0xfe]);
      return b;
    case 2: // 32-bit counts, offsets and pointers at extremes
      for (let i = r.range(1, 4); i > 0 && b.length >= 28; i--) b.writeUInt32LE(r.pick([0, 1, 0xffffffff, 0x7fffffff, 0x10000, 4281, 1 << 20]), 24 + 4 * r.int((b.length - 24) >> 2));
      return b;
    case 3: { // cut short, frag_length kept or fixed up
      const cut = Buffer.from(b.subarray(0, Math.max(10, r.int(b.length))));
      if (cut.length >= 10 && r.chance(0.5)) cut.writeUInt16LE(cut.length, 8);
      return cut;
    }
    case 4: { // junk appended
      const out = Buffer.concat([b, r.bytes(r.range(1, 80))]);
      if (r.chance(0.5)) out.writeUInt16LE(out.length, 8);
      return out;
    }
    case 5: // one header field
      switch (r.int(7)) {
        case 0: b.writeUInt16LE(r.int(0x10000), 8); break; // frag_length
        case 1: b.writeUInt16LE(r.pick([0, 1, 8, 16, 0xffff]), 10); break; // auth_length
        case 2: b[2] = r.int(24); break; // ptype
        case 3: b[3] = r.int(256); break; // pfc_flags
        case 4: b[r.range(4, 7)] = r.int(256); break; // drep
        case 5: b[1] = r.int(3); break; // minor version
        default: if (b.length >= 24) b.writeUInt16LE(r.int(80), 22); // opnum
      }
      return b;
    case 6: // random body behind a real header
      return Buffer.concat([b.subarray(0, 16), r.bytes(r.int(300))]);
    default: { // a random PDU of any type with a consistent length
      const out = r.bytes(16 + r.int(200));
      out[0] = 5;
      out[1] = r.int(2);
      out[4] = 0x10;
      out.writeUInt16LE(out.length, 8);
      out.writeUInt16LE(0, 10);
      return out;
    }
  }
}

let server: SmbServer;
beforeAll(async () => {
  server = await startSmbServer({users: {alice: 'pw'}, shares: {public: {comment: 'Public files'}}});
});
afterAll(async () => {
  await server?.stop();
});

/** Check one whole answer message. */
function checkAnswer(m: Buffer, where: string): void {
  expect(m.length, where).toBeGreaterThanOrEqual(16);
  expect(m[0], where).toBe(5);
  expect(ANSWERS.has(m[2]!), `${where}: ptype ${m[2]}`).toBe(true);
  expect(m.readUInt16LE(8), where).toBe(m.length);
}

it(`acceptance 4: ${ITERATIONS} random and mutated PDUs through the pipes, then the daemon still serves`, {timeout: TIME_LIMIT_MS + 60_000}, async () => {
  const r = new SeededRandom(SEED);
  const c = await RawClient.connect({port: server.port, timeoutMs: 5000});
  await c.setup({user: 'alice', password: 'pw', share: 'IPC$'});
  const started = Date.now();
  let answers = 0;
  let partial: Buffer[] = [];
  const nonBlocking = Buffer.from([1, 0, 0, 0, 1, 0, 0, 0]); // message mode, complete operation

  /** READ until STATUS_PIPE_EMPTY, reassembling messages cut by STATUS_BUFFER_OVERFLOW. */
  const drain = async (fid: FileId, where: string) => {
    for (;;) {
      const got = await pipeRead(c, fid, r.chance(0.2) ? r.range(1, 64) : 4280);
      if (got.status === NtStatus.PIPE_EMPTY) break;
      expect(ntStatusName(got.status), where).toMatch(/^STATUS_(SUCCESS|BUFFER_OVERFLOW)$/);
      partial.push(got.data);
      if (got.status === NtStatus.SUCCESS) {
        checkAnswer(Buffer.concat(partial), where);
        partial = [];
        answers++;
      }
    }
    expect(partial, `${where}: a message left half read`).toEqual([]);
  };

  for (let i = 0; i < ITERATIONS; ) {
    const t = r.pick(TARGETS);
    const fid = await openPipe(c, r.chance(0.5) ? t.pipe : `\\PIPE\\${t.pipe}`);
    expect(ntStatusName((await setInfo(c, fid, FileInfoClass.FilePipeInformation, nonBlocking)).status)).toBe('STATUS_SUCCESS');
    const pdus = corpus(t, r);
    // Most pipes start bound, so requests reach the services; some stay unbound.
    if (r.chance(0.8)) {
      expect(ntStatusName(await pipeWrite(c, fid, pdus.find((p) => p[2] === PTYPE.BIND)!))).toBe('STATUS_SUCCESS');
      await drain(fid, `seed ${SEED} bind`);
    }
    for (let k = 0; k < PER_OPEN && i < ITERATIONS; k++, i++) {
      const where = `seed ${SEED} iteration ${i}`;
      const original = r.pick(pdus);
      const pdu = r.chance(0.1) ? original : mutate(r, original);
      const how = r.int(10);
      if (how < 2 && pdu.length > 1) {
        const at = r.range(1, pdu.length - 1);
        expect(ntStatusName(await pipeWrite(c, fid, pdu.subarray(0, at))), where).toBe('STATUS_SUCCESS');
        expect(ntStatusName(await pipeWrite(c, fid, pdu.subarray(at))), where).toBe('STATUS_SUCCESS');
      } else if (how < 4) {
        const x = await pipeIoctl(c, fid, Fsctl.PIPE_TRANSCEIVE, pdu, r.chance(0.3) ? r.range(16, 200) : 4280);
        expect(ntStatusName(x.status), where).toMatch(/^STATUS_(SUCCESS|BUFFER_OVERFLOW)$/);
        if (x.output.length > 0) partial.push(x.output);
        if (x.status === NtStatus.SUCCESS && x.output.length > 0) {
          checkAnswer(Buffer.concat(partial), where);
          partial = [];
          answers++;
        }
      } else {
        expect(ntStatusName(await pipeWrite(c, fid, pdu)), where).toBe('STATUS_SUCCESS');
      }
      await drain(fid, where);
      expect(Date.now() - started, `${where}: over the time bound`).toBeLessThan(TIME_LIMIT_MS);
    }
    expect(ntStatusName((await close(c, fid)).status)).toBe('STATUS_SUCCESS');
  }
  expect(answers).toBeGreaterThan(ITERATIONS / 4);
  // The same connection still works for an ordinary request.
  expect(ntStatusName((await c.request(Command.ECHO, (w) => w.u16(4).u16(0))).status)).toBe('STATUS_SUCCESS');
  await c.close();

  expect(server.alive()).toBe(true);
  const list = spawnSync('smbclient', ['-L', '//127.0.0.1', '-p', String(server.port), '-U', 'alice%pw'], {encoding: 'utf8', timeout: 30_000});
  expect(list.status, `${list.stdout}${list.stderr}`).toBe(0);
  expect(list.stdout).toMatch(/^\tpublic\s+Disk\s+Public files$/m);
  const rpc = spawnSync('rpcclient', ['-U', 'alice%pw', '-p', String(server.port), '127.0.0.1', '-c', 'srvinfo; netshareenumall'], {encoding: 'utf8', timeout: 30_000});
  expect(rpc.status, `${rpc.stdout}${rpc.stderr}`).toBe(0);
  expect(rpc.stdout).toContain('netname: public');
  // A handler bug would be logged at error level (STATUS_INTERNAL_ERROR, RPC_S_CALL_FAILED) with its stack.
  expect(server.log()).not.toMatch(/ERROR|failed unexpectedly/);
});
