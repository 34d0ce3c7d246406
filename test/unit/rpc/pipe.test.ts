import {describe, expect, it} from 'vitest';
import {NdrReader} from '../../../src/rpc/ndr.js';
import {
  BIND_NAK_REASON,
  DREP,
  FAULT,
  MIN_FRAG,
  NDR20,
  NDR64,
  PFC,
  PROVIDER_REASON,
  PTYPE,
  RESULT,
  decodeBindAck,
  encodeBind,
  encodeRequest,
  type SyntaxId,
} from '../../../src/rpc/pdu.js';
import {canonicalPipeName, isKnownPipe, MAX_CALL_STUB} from '../../../src/rpc/pipe.js';
import {LSARPC, LSARPC_OP} from '../../../src/rpc/services/lsarpc.js';
import {SAMR} from '../../../src/rpc/services/samr.js';
import {SRVSVC, SRVSVC_OP} from '../../../src/rpc/services/srvsvc.js';
import {TestClient, newPipes, parsePdu, share, testServer} from './helpers.js';
import * as q from './requests.js';

const SPOOLSS: SyntaxId = {uuid: '12345678-1234-abcd-ef00-0123456789ab', major: 1, minor: 0};
const BTFN: SyntaxId = {uuid: '6cb71c2c-9812-4540-0300-000000000000', major: 1, minor: 0};

function client(pipe = 'srvsvc') {
  const {pipes, sink} = newPipes();
  return {c: new TestClient(pipes, pipe), pipes, sink};
}

describe('pipe names', () => {
  it('knows srvsvc, wkssvc, lsarpc, lsass, samr in any spelling; nothing else', () => {
    for (const n of ['srvsvc', '\\PIPE\\srvsvc', '\\pipe\\SRVSVC', 'WKSSVC', 'lsarpc', 'lsass', '\\PIPE\\samr']) expect(isKnownPipe(n), n).toBe(true);
    for (const n of ['mdssvc', 'spoolss', 'winreg', 'netlogon', '\\PIPE\\', '', 'srvsvc2']) expect(isKnownPipe(n), n).toBe(false);
    expect(canonicalPipeName('\\PIPE\\LsaRpc')).toBe('lsarpc');
  });

  it('open returns null for unknown pipes and never reuses a handle', () => {
    const {pipes} = newPipes();
    expect(pipes.open('spoolss')).toBeNull();
    const a = pipes.open('srvsvc')!;
    pipes.close(a);
    const b = pipes.open('srvsvc')!;
    expect(b).not.toBe(a);
    expect(pipes.read(a, 10)).toBeNull();
    expect(pipes.write(a, Buffer.alloc(1))).toBeNull();
    expect(pipes.transceive(a, Buffer.alloc(1), 10)).toBeNull();
    expect(pipes.close(a)).toBe(false);
    expect(pipes.count).toBe(1);
  });
});

describe('bind and alter_context', () => {
  it('accepts NDR 2.0 for the pipe interface, names the endpoint, negotiates the fragment size', () => {
    const {c} = client();
    const ack = c.bind(SRVSVC.syntax, {maxRecvFrag: 2048});
    expect(ack.hdr.ptype).toBe(PTYPE.BIND_ACK);
    expect(ack.secondaryAddress).toBe('\\PIPE\\srvsvc');
    expect(ack.maxXmitFrag).toBe(2048);
    expect(ack.assocGroupId).not.toBe(0);
    expect(ack.results).toEqual([{result: RESULT.ACCEPTANCE, reason: 0, transfer: NDR20}]);
  });

  it('refuses NDR64 per context, accepts NDR20 in another, acknowledges bind time feature negotiation', () => {
    const {c} = client();
    const out = c.send(
      encodeBind(PTYPE.BIND, 1, {
        contexts: [
          {contextId: 0, abstract: SRVSVC.syntax, transfer: [NDR64]},
          {contextId: 1, abstract: SRVSVC.syntax, transfer: [NDR20]},
          {contextId: 2, abstract: SRVSVC.syntax, transfer: [BTFN]},
        ],
      }),
    );
    const ack = decodeBindAck(out[0]!);
    expect(ack.results.map((r) => [r.result, r.reason])).toEqual([
      [RESULT.PROVIDER_REJECTION, PROVIDER_REASON.PROPOSED_TRANSFER_SYNTAXES_NOT_SUPPORTED],
      [RESULT.ACCEPTANCE, 0],
      [RESULT.NEGOTIATE_ACK, 0],
    ]);
    // context 0 was refused: calls on it fault unknown_if; context 1 works.
    expect(c.call(SRVSVC_OP.NetrServerGetInfo, q.levelOnly(100), 0).fault).toBe(FAULT.UNKNOWN_IF);
    expect(c.call(SRVSVC_OP.NetrServerGetInfo, q.levelOnly(100), 1).stub).toBeDefined();
  });

  it('picks NDR20 out of a list that also offers NDR64', () => {
    const {c} = client();
    expect(c.bind(SRVSVC.syntax, {transfer: [NDR64, NDR20]}).results[0]).toMatchObject({result: RESULT.ACCEPTANCE, transfer: NDR20});
  });

  it('refuses an interface this pipe does not serve, and a wrong major version', () => {
    const {c} = client();
    expect(c.bind(SPOOLSS).results[0]).toMatchObject({result: RESULT.PROVIDER_REJECTION, reason: PROVIDER_REASON.ABSTRACT_SYNTAX_NOT_SUPPORTED});
    const l = client('lsarpc').c;
    expect(l.bind(SRVSVC.syntax).results[0]!.result).toBe(RESULT.PROVIDER_REJECTION);
    const v = client().c;
    expect(v.bind({...SRVSVC.syntax, major: 2}).results[0]!.result).toBe(RESULT.PROVIDER_REJECTION);
  });

  it('serves samr and lsarpc on one lsass endpoint, adding a context with alter_context', () => {
    const {c} = client('\\PIPE\\lsarpc');
    expect(c.bind(LSARPC.syntax).secondaryAddress).toBe('\\PIPE\\lsass');
    const alter = c.bind(SAMR.syntax, {contextId: 1, ptype: PTYPE.ALTER_CONTEXT});
    expect(alter.hdr.ptype).toBe(PTYPE.ALTER_CONTEXT_RESP);
    expect(alter.secondaryAddress).toBe('');
    expect(alter.results[0]!.result).toBe(RESULT.ACCEPTANCE);
    expect(c.call(64, q.samrConnect5(), 1).stub).toBeDefined();
    expect(c.call(LSARPC_OP.LsarOpenPolicy2, q.lsaOpenPolicy2(), 0).stub).toBeDefined();
  });

  it('answers bind_nak for a second bind, RPC authentication, other data representations, small fragments, another version', () => {
    const nak = (pdu: Buffer, reason: number, fresh = true) => {
      const {c} = client();
      if (!fresh) c.bind(SRVSVC.syntax);
      const out = c.send(pdu);
      expect(out).toHaveLength(1);
      const p = parsePdu(out[0]!);
      expect(p.ptype).toBe(PTYPE.BIND_NAK);
      expect(out[0]!.readUInt16LE(16)).toBe(reason);
    };
    const ctx = [{contextId: 0, abstract: SRVSVC.syntax, transfer: [NDR20]}];
    nak(encodeBind(PTYPE.BIND, 9, {contexts: ctx}), BIND_NAK_REASON.NOT_SPECIFIED, false);
    nak(encodeBind(PTYPE.BIND, 9, {contexts: ctx, auth: Buffer.from('NTLMSSP\0')}), BIND_NAK_REASON.AUTHENTICATION_TYPE_NOT_RECOGNIZED);
    nak(encodeBind(PTYPE.BIND, 9, {contexts: ctx, drep: Buffer.from([0x00, 0, 0, 0])}), BIND_NAK_REASON.NOT_SPECIFIED);
    nak(encodeBind(PTYPE.BIND, 9, {contexts: ctx, maxRecvFrag: MIN_FRAG - 1}), BIND_NAK_REASON.NOT_SPECIFIED);
    nak(encodeBind(PTYPE.BIND, 9, {contexts: ctx, vers: 4}), BIND_NAK_REASON.PROTOCOL_VERSION_NOT_SUPPORTED);
    nak(encodeBind(PTYPE.BIND, 9, {contexts: ctx, versMinor: 2}), BIND_NAK_REASON.PROTOCOL_VERSION_NOT_SUPPORTED);
  });
});

describe('requests', () => {
  it('a request before any bind faults proto_error, flagged did-not-execute', () => {
    const {c} = client();
    const r = parsePdu(c.send(encodeRequest(5, 0, 21, q.levelOnly(100))[0]!)[0]!);
    expect(r.ptype).toBe(PTYPE.FAULT);
    expect(r.flags & PFC.DID_NOT_EXECUTE).toBeTruthy();
    expect(r.buf.readUInt32LE(24)).toBe(FAULT.PROTO_ERROR);
    expect(r.callId).toBe(5);
  });

  it('a big-endian request faults unsupported_type', () => {
    const {c} = client();
    c.bind(SRVSVC.syntax);
    const pdu = encodeRequest(5, 0, 21, q.levelOnly(100))[0]!;
    pdu[4] = 0x00;
    expect(parsePdu(c.send(pdu)[0]!).buf.readUInt32LE(24)).toBe(FAULT.UNSUPPORTED_TYPE);
  });

  it('fragments a large response within max_recv_frag, multiples of 8, alloc_hint counting down', () => {
    const shares = Array.from({length: 120}, (_, i) => share(`share${i}`, {comment: `comment number ${i} `.repeat(3)}));
    const {pipes} = newPipes(testServer({shares: () => shares}));
    const c = new TestClient(pipes, 'srvsvc');
    c.bind(SRVSVC.syntax, {maxRecvFrag: MIN_FRAG});
    pipes.write(c.handle, encodeRequest(77, 0, SRVSVC_OP.NetrShareEnum, q.netShareEnum(1))[0]!);
    const frags = c.drain(100).map(parsePdu);
    expect(frags.length).toBeGreaterThan(5);
    let total = 0;
    frags.forEach((f, i) => {
      expect(f.buf.length).toBeLessThanOrEqual(MIN_FRAG);
      expect(f.buf.readUInt16LE(8)).toBe(f.buf.length);
      expect(f.callId).toBe(77);
      expect(!!(f.flags & PFC.FIRST_FRAG)).toBe(i === 0);
      expect(!!(f.flags & PFC.LAST_FRAG)).toBe(i === frags.length - 1);
      if (i < frags.length - 1) expect((f.buf.length - 24) % 8).toBe(0);
      total += f.buf.length - 24;
    });
    expect(frags[0]!.buf.readUInt32LE(16)).toBe(total);
    const stub = Buffer.concat(frags.map((f) => f.buf.subarray(24)));
    const r = new NdrReader(stub);
    r.u32();
    r.u32();
    r.pointerId();
    expect(r.u32()).toBe(120);
  });

  it('reassembles a fragmented request', () => {
    const {c} = client('lsarpc');
    c.bind(LSARPC.syntax);
    const h = c.ok(LSARPC_OP.LsarOpenPolicy2, q.lsaOpenPolicy2()).subarray(0, 20);
    const names = Array.from({length: 300}, (_, i) => (i % 3 === 0 ? 'alice' : `nobody${i}`));
    const r = c.call(LSARPC_OP.LsarLookupNames, q.lsaLookupNames(h, names, 1), 0, MIN_FRAG);
    expect(r.stub).toBeDefined();
    expect(r.stub!.readUInt32LE(r.stub!.length - 4)).toBe(0x107); // STATUS_SOME_NOT_MAPPED
    expect(r.stub!.readUInt32LE(r.stub!.length - 8)).toBe(100); // MappedCount
  });

  it('a fragment of another call in the middle faults proto_error; the interrupted call is abandoned for a new first fragment', () => {
    const {c} = client();
    c.bind(SRVSVC.syntax);
    const big = Buffer.concat([q.netShareEnum(1), Buffer.alloc(0)]);
    const frags = encodeRequest(10, 0, SRVSVC_OP.NetrShareEnum, Buffer.concat([big, Buffer.alloc(4000)]), MIN_FRAG);
    expect(c.send(frags[0]!)).toEqual([]);
    const stray = Buffer.from(frags[1]!);
    stray.writeUInt32LE(11, 12);
    expect(parsePdu(c.send(stray)[0]!).buf.readUInt32LE(24)).toBe(FAULT.PROTO_ERROR);
    expect(c.call(SRVSVC_OP.NetrServerGetInfo, q.levelOnly(101)).stub).toBeDefined();
  });

  it('a call larger than the reassembly limit faults once, at its last fragment', () => {
    const {c} = client();
    c.bind(SRVSVC.syntax);
    const frags = encodeRequest(12, 0, SRVSVC_OP.NetrShareEnum, Buffer.alloc(MAX_CALL_STUB + 8), 65000);
    const outs = frags.flatMap((f) => c.send(f));
    expect(outs).toHaveLength(1);
    expect(parsePdu(outs[0]!).buf.readUInt32LE(24)).toBe(FAULT.REMOTE_NO_MEMORY);
  });

  it('unknown opnum: op_rng_error; trailing garbage after the parameters: fault_ndr', () => {
    const {c} = client();
    c.bind(SRVSVC.syntax);
    expect(c.call(99, Buffer.alloc(8)).fault).toBe(FAULT.OP_RNG_ERROR);
    expect(c.call(SRVSVC_OP.NetrServerGetInfo, Buffer.concat([q.levelOnly(101), Buffer.alloc(16)])).fault).toBe(FAULT.FAULT_NDR);
  });
});

describe('the byte stream and message reads', () => {
  it('takes a PDU split over writes, and two PDUs in one write', () => {
    const {c, pipes} = client();
    const bind = encodeBind(PTYPE.BIND, 1, {contexts: [{contextId: 0, abstract: SRVSVC.syntax, transfer: [NDR20]}]});
    pipes.write(c.handle, bind.subarray(0, 10));
    expect(c.drain()).toEqual([]);
    pipes.write(c.handle, bind.subarray(10));
    expect(parsePdu(c.drain()[0]!).ptype).toBe(PTYPE.BIND_ACK);
    const two = Buffer.concat([encodeRequest(2, 0, 21, q.levelOnly(100))[0]!, encodeRequest(3, 0, 21, q.levelOnly(101))[0]!]);
    pipes.write(c.handle, two);
    expect(c.drain().map((b) => parsePdu(b).callId)).toEqual([2, 3]);
  });

  it('peek counts messages and copies the head of the next one without consuming it', () => {
    const {c, pipes} = client();
    expect(pipes.peek(c.handle, 100)).toEqual({bytes: 0, messages: 0, messageLength: 0, data: Buffer.alloc(0)});
    const bind = (id: number) => encodeBind(PTYPE.BIND, id, {contexts: [{contextId: 0, abstract: SRVSVC.syntax, transfer: [NDR20]}]});
    pipes.write(c.handle, Buffer.concat([bind(1), bind(2)])); // bind_ack, then bind_nak
    const p = pipes.peek(c.handle, 8)!;
    expect(p.messages).toBe(2);
    expect(p.data.length).toBe(8);
    const ack = pipes.read(c.handle, 4280)!.data;
    expect(p.bytes).toBeGreaterThan(ack.length);
    expect(p.messageLength).toBe(ack.length);
    expect(p.data).toEqual(ack.subarray(0, 8));
    pipes.read(c.handle, 4)!;
    const rest = pipes.peek(c.handle, 4280)!;
    expect(rest.messages).toBe(1);
    expect(rest.data).toEqual(pipes.read(c.handle, 4280)!.data);
    expect(pipes.peek(99999, 1)).toBeNull();
  });

  it('reads a message in pieces with `more`, and transceive is busy while data waits', () => {
    const {c, pipes} = client();
    pipes.write(c.handle, encodeBind(PTYPE.BIND, 1, {contexts: [{contextId: 0, abstract: SRVSVC.syntax, transfer: [NDR20]}]}));
    const len = pipes.peek(c.handle)!.messageLength;
    expect(pipes.transceive(c.handle, Buffer.alloc(0), 100)).toBe('busy');
    const a = pipes.read(c.handle, 10)!;
    expect(a.more).toBe(true);
    expect(pipes.peek(c.handle)!.messageLength).toBe(len - 10);
    const b = pipes.read(c.handle, 1000)!;
    expect(b.more).toBe(false);
    expect(a.data.length + b.data.length).toBe(len);
    expect(pipes.read(c.handle, 1000)).toEqual({data: Buffer.alloc(0), more: false});
    const t = pipes.transceive(c.handle, encodeRequest(2, 0, 21, q.levelOnly(102))[0]!, 30);
    expect(t).toMatchObject({more: true});
    expect(pipes.read(c.handle, 4280)!.more).toBe(false);
  });

  it('drops unframeable input after one fault and recovers', () => {
    const {c, pipes} = client();
    const junk = Buffer.from('05000b03100000000800000007000000', 'hex'); // frag_length 8 < 16
    pipes.write(c.handle, Buffer.concat([junk, Buffer.alloc(50, 0xee)]));
    const out = c.drain();
    expect(out).toHaveLength(1);
    expect(parsePdu(out[0]!).ptype).toBe(PTYPE.BIND_NAK);
    expect(c.bind(SRVSVC.syntax).results[0]!.result).toBe(RESULT.ACCEPTANCE);
  });

  it('auth3, co_cancel and orphaned get no answer; orphaned drops the call being reassembled', () => {
    const {c} = client();
    c.bind(SRVSVC.syntax);
    const hdr = (ptype: number, callId: number) => {
      const b = Buffer.alloc(20);
      b.set([5, 0, ptype, 3]);
      DREP.copy(b, 4);
      b.writeUInt16LE(20, 8);
      b.writeUInt32LE(callId, 12);
      return b;
    };
    expect(c.send(hdr(PTYPE.AUTH3, 3))).toEqual([]);
    expect(c.send(hdr(PTYPE.CO_CANCEL, 3))).toEqual([]);
    const frags = encodeRequest(20, 0, SRVSVC_OP.NetrShareEnum, Buffer.alloc(3000), MIN_FRAG);
    c.send(frags[0]!);
    expect(c.send(hdr(PTYPE.ORPHANED, 20))).toEqual([]);
    expect(parsePdu(c.send(frags[1]!)[0]!).buf.readUInt32LE(24)).toBe(FAULT.PROTO_ERROR);
    expect(parsePdu(c.send(hdr(PTYPE.RESPONSE, 4))[0]!).ptype).toBe(PTYPE.FAULT);
  });
});
