// Replays the requests Samba's rpcclient and smbclient sent (captured against Samba 4.17, see the
// fixture's `source`) through our pipes: every bind is accepted, every request decodes and gets a
// response, and what comes back is what the command needs.
import {readFileSync} from 'node:fs';
import {describe, expect, it} from 'vitest';
import {NdrReader} from '../../../src/rpc/ndr.js';
import {PTYPE, RESULT, decodeBindAck} from '../../../src/rpc/pdu.js';
import {NT} from '../../../src/rpc/service.js';
import {SAMR_OP} from '../../../src/rpc/services/samr.js';
import {LSARPC_OP} from '../../../src/rpc/services/lsarpc.js';
import {TestClient, newPipes, parsePdu, share, testServer} from './helpers.js';

interface Session {
  command: string;
  pipe: string;
  pdus: string[];
  responses: string[];
}
const fixture = JSON.parse(readFileSync(new URL('./fixtures/rpcclient-samba-4.17.json', import.meta.url), 'utf8')) as {sessions: Session[]};

/** Where an opener's response stub carries the new handle. */
function handleOffset(pipe: string, opnum: number): number | undefined {
  if (pipe === 'lsarpc' && (opnum === LSARPC_OP.LsarOpenPolicy || opnum === LSARPC_OP.LsarOpenPolicy2)) return 0;
  if (pipe === 'samr' && opnum === SAMR_OP.SamrConnect5) return 16;
  if (pipe === 'samr' && (opnum === SAMR_OP.SamrOpenDomain || opnum === SAMR_OP.SamrOpenUser)) return 0;
  return undefined;
}

interface Reply {
  command: string;
  opnum: number;
  ptype: number;
  stub: Buffer;
}

// The captured server's names: the requests carry them (LookupDomain TORTURESRV, share `test`).
const shares = [...testServer().shares(), share('test', {comment: 'like ksmbd CI'})];
const server = testServer({netbiosName: 'TORTURESRV', shares: () => shares, share: (n) => shares.find((x) => x.name.toUpperCase() === n.toUpperCase())});

function replay(s: Session): Reply[] {
  const {pipes} = newPipes(server);
  const c = new TestClient(pipes, s.pipe);
  const map = new Map<string, Buffer>(); // Samba's handle (hex) -> ours
  const replies: Reply[] = [];
  s.pdus.forEach((hex, i) => {
    let pdu = Buffer.from(hex, 'hex');
    const opnum = pdu[2] === PTYPE.REQUEST ? pdu.readUInt16LE(22) : -1;
    if (opnum >= 0) {
      pdu = Buffer.from(pdu);
      for (const [samba, ours] of map) {
        const at = pdu.indexOf(Buffer.from(samba, 'hex'), 24);
        if (at >= 0) ours.copy(pdu, at);
      }
    }
    const out = c.send(pdu);
    expect(out.length, `${s.command}: PDU ${i}`).toBeGreaterThan(0);
    const first = parsePdu(out[0]!);
    if (first.ptype === PTYPE.BIND_ACK) {
      const ack = decodeBindAck(out[0]!);
      expect(ack.results.every((r) => r.result === RESULT.ACCEPTANCE)).toBe(true);
      return;
    }
    const stub = Buffer.concat(out.map((b) => b.subarray(24)));
    replies.push({command: s.command, opnum, ptype: first.ptype, stub});
    const off = handleOffset(s.pipe, opnum);
    const sambaResp = s.responses[i] ? Buffer.from(s.responses[i]!, 'hex') : undefined;
    if (off !== undefined && sambaResp && sambaResp[2] === PTYPE.RESPONSE) {
      map.set(sambaResp.subarray(24 + off, 24 + off + 20).toString('hex'), stub.subarray(off, off + 20));
    }
  });
  return replies;
}

const status = (r: Reply) => r.stub.readUInt32LE(r.stub.length - 4);

describe('captured rpcclient / smbclient requests', () => {
  for (const s of fixture.sessions) {
    it(`${s.command} (${s.pipe})`, () => {
      const replies = replay(s);
      for (const r of replies) expect(r.ptype, `opnum ${r.opnum}`).toBe(PTYPE.RESPONSE);
      // Every call but LookupNames4 (a TCP-only method in MS-LSAT, answered here all the same) succeeds
      // or reports names it cannot map.
      for (const r of replies) expect([NT.SUCCESS, NT.SOME_NOT_MAPPED, NT.NONE_MAPPED], `${s.command} opnum ${r.opnum}`).toContain(status(r));
    });
  }

  it('netshareenumall lists the browseable shares with IPC$', () => {
    const r = replay(fixture.sessions.find((s) => s.command === 'netshareenumall')!)[0]!;
    const text = r.stub.toString('utf16le');
    for (const name of ['IPC$', 'public', 'data']) expect(text).toContain(name);
    expect(text).not.toContain('secret$');
    expect(text).not.toContain('nobrowse');
  });

  it('lookupsids of the captured SID names testuser', () => {
    const r = replay(fixture.sessions.find((s) => s.command.startsWith('lookupsids'))!).find((x) => x.opnum === LSARPC_OP.LsarLookupSids)!;
    expect(r.stub.toString('utf16le')).toContain('testuser');
    expect(status(r)).toBe(NT.SUCCESS);
  });

  it('queryuser answers level 21 for RID 1000', () => {
    const r = replay(fixture.sessions.find((s) => s.command === 'queryuser 0x3e8')!).find((x) => x.opnum === SAMR_OP.SamrQueryInformationUser)!;
    expect(status(r)).toBe(NT.SUCCESS);
    const n = new NdrReader(r.stub);
    expect(n.pointerId()).not.toBe(0);
    expect(n.enum16()).toBe(21);
    expect(r.stub.toString('utf16le')).toContain('testuser');
  });
});
