// A small test-side DCE/RPC client over RpcPipes, and a server description to answer from.
import type {SessionIdentity, ShareInfo} from '../../../src/ipc/types.js';
import {Logger} from '../../../src/log/logger.js';
import {MemorySink} from '../../../src/log/sinks.js';
import {parseSid} from '../../../src/rpc/ndr.js';
import {NDR20, PFC, PTYPE, decodeBindAck, encodeBind, encodeRequest, type SyntaxId} from '../../../src/rpc/pdu.js';
import {RpcPipes} from '../../../src/rpc/pipe.js';
import type {RpcServerData} from '../../../src/rpc/service.js';
import {Reader} from '../../../src/wire/reader.js';
import {decodeHeader} from '../../../src/rpc/pdu.js';

export function share(name: string, over: Partial<ShareInfo> = {}): ShareInfo {
  return {
    name,
    ipc: name.toUpperCase() === 'IPC$',
    path: name.toUpperCase() === 'IPC$' ? '' : `/srv/${name}`,
    comment: '',
    browseable: true,
    readOnly: false,
    guestOk: false,
    hideDotFiles: true,
    storeDosAttributes: true,
    oplocks: true,
    followSymlinks: false,
    crossmnt: true,
    createMask: 0o744,
    directoryMask: 0o755,
    forceCreateMode: 0,
    forceDirectoryMode: 0,
    vetoFiles: '',
    vfsObjects: [],
    smb3Encryption: 'auto',
    maxConnections: 65536,
    timeMachine: false,
    ...over,
  };
}

export const DOMAIN_SID_TEXT = 'S-1-5-21-1653863276-1186138974-1525286651';

export function testServer(over: Partial<RpcServerData> = {}): RpcServerData {
  const shares = [
    share('IPC$', {comment: 'IPC Service'}),
    share('public', {comment: 'Public files'}),
    share('data', {comment: 'Team data'}),
    share('secret$', {comment: 'hidden'}),
    share('nobrowse', {browseable: false, comment: 'not listed'}),
  ];
  return {
    netbiosName: 'KSMBDTEST',
    serverString: 'ksmbd for Node',
    workgroup: 'WORKGROUP',
    domainSid: parseSid(DOMAIN_SID_TEXT)!,
    shares: () => shares,
    share: (n) => shares.find((s) => s.name.toUpperCase() === n.toUpperCase()),
    users: () => [
      {name: 'alice', rid: 1001},
      {name: 'testuser', rid: 1000},
    ],
    ...over,
  };
}

export const ALICE: SessionIdentity = {user: 'alice', guest: false, identity: {name: 'alice', uid: 1001, gid: 1001, groups: [1001]}};

export function newPipes(server = testServer()): {pipes: RpcPipes; log: Logger; sink: MemorySink} {
  const sink = new MemorySink();
  const log = new Logger(sink);
  log.debugSwitches.toggle('rpc');
  return {pipes: new RpcPipes(() => server, log), log, sink};
}

export interface Pdu {
  ptype: number;
  flags: number;
  callId: number;
  buf: Buffer;
}

export function parsePdu(buf: Buffer): Pdu {
  const h = decodeHeader(new Reader(buf));
  return {ptype: h.ptype, flags: h.flags, callId: h.callId, buf};
}

export type CallResult = {stub: Buffer; fault?: undefined; fragments: number} | {fault: number; stub?: undefined; fragments: number};

export class TestClient {
  callId = 1;
  readonly handle: number;

  constructor(
    readonly pipes: RpcPipes,
    pipe: string,
    session: SessionIdentity = ALICE,
  ) {
    const h = pipes.open(pipe, session);
    if (h === null) throw new Error(`pipe ${pipe} not served`);
    this.handle = h;
  }

  /** Every queued message, read in pieces of `chunk` octets and put back together. */
  drain(chunk = 4280): Buffer[] {
    const out: Buffer[] = [];
    let cur: Buffer[] = [];
    for (;;) {
      const r = this.pipes.read(this.handle, chunk)!;
      if (r.data.length === 0 && !r.more) break;
      cur.push(r.data);
      if (!r.more) {
        out.push(Buffer.concat(cur));
        cur = [];
      }
    }
    return out;
  }

  send(pdu: Buffer): Buffer[] {
    this.pipes.write(this.handle, pdu);
    return this.drain();
  }

  bind(syntax: SyntaxId, opts: {contextId?: number; transfer?: SyntaxId[]; maxRecvFrag?: number; ptype?: number} = {}) {
    const out = this.send(
      encodeBind(opts.ptype ?? PTYPE.BIND, this.callId++, {
        maxRecvFrag: opts.maxRecvFrag,
        contexts: [{contextId: opts.contextId ?? 0, abstract: syntax, transfer: opts.transfer ?? [NDR20]}],
      }),
    );
    if (out.length !== 1) throw new Error(`bind: ${out.length} PDUs back`);
    return decodeBindAck(out[0]!);
  }

  call(opnum: number, stub: Buffer, contextId = 0, maxFrag?: number): CallResult {
    const callId = this.callId++;
    for (const f of encodeRequest(callId, contextId, opnum, stub, maxFrag)) this.pipes.write(this.handle, f);
    const pdus = this.drain().map(parsePdu);
    if (pdus.length === 0) throw new Error('no response');
    for (const p of pdus) if (p.callId !== callId) throw new Error(`call id ${p.callId} != ${callId}`);
    if (pdus[0]!.ptype === PTYPE.FAULT) return {fault: pdus[0]!.buf.readUInt32LE(24), fragments: pdus.length};
    const parts = pdus.map((p) => {
      if (p.ptype !== PTYPE.RESPONSE) throw new Error(`ptype ${p.ptype}`);
      return p.buf.subarray(24);
    });
    if (!(pdus[0]!.flags & PFC.FIRST_FRAG) || !(pdus[pdus.length - 1]!.flags & PFC.LAST_FRAG)) throw new Error('fragment flags');
    return {stub: Buffer.concat(parts), fragments: pdus.length};
  }

  /** call() that must succeed. */
  ok(opnum: number, stub: Buffer, contextId = 0): Buffer {
    const r = this.call(opnum, stub, contextId);
    if (r.fault !== undefined) throw new Error(`fault 0x${r.fault.toString(16)}`);
    return r.stub;
  }
}
