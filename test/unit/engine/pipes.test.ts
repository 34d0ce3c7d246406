// Pipe opens in the registry (their own FileId space, closed with the services side) and the READ glue of
// src/engine/pipes.ts: message and byte mode, waiting READs served in order, cancelled when the open goes.
import {describe, expect, it} from 'vitest';
import {PipeMode, readPipe, serveWaiters, waitForData, type PipeData} from '../../../src/engine/pipes.js';
import {reply, type PendingReply} from '../../../src/engine/context.js';
import type {IpcServices, PipePeekResponse, PipeReadResponse} from '../../../src/ipc/types.js';
import {Logger} from '../../../src/log/logger.js';
import {MemorySink} from '../../../src/log/sinks.js';
import {NtStatus} from '../../../src/smb2/ntstatus.js';
import {PIPE_FILE_ID_TAG} from '../../../src/state/pipe-open.js';
import {Registry} from '../../../src/state/registry.js';
import type {Tree} from '../../../src/state/tree.js';

/** A services side holding queued messages per handle (read in message-mode pieces, as RpcPipe does). */
function fakeServices() {
  const queues = new Map<number, Buffer[]>();
  const closed: number[] = [];
  const services = {
    pipeRead(h: number, max: number): PipeReadResponse {
      const q = queues.get(h);
      if (!q) return {status: 'closed'};
      const head = q[0];
      if (!head) return {status: 'ok', data: Buffer.alloc(0), more: false};
      if (head.length > max) {
        q[0] = head.subarray(max);
        return {status: 'ok', data: head.subarray(0, max), more: true};
      }
      q.shift();
      return {status: 'ok', data: head, more: false};
    },
    pipePeek(h: number): PipePeekResponse {
      const q = queues.get(h);
      if (!q) return {status: 'closed'};
      return {status: 'ok', available: q.reduce((n, b) => n + b.length, 0), messages: q.length, messageLength: q[0]?.length ?? 0, data: Buffer.alloc(0)};
    },
    pipeClose(h: number): void {
      closed.push(h);
      queues.delete(h);
    },
  } as unknown as IpcServices;
  return {services, queues, closed};
}

const tree = () => ({pipes: new Set()}) as unknown as Tree;
const finish = (d: PipeData) => reply(() => undefined, d, d.more ? NtStatus.BUFFER_OVERFLOW : NtStatus.SUCCESS);

describe('pipe opens in the registry', () => {
  it('live in their own FileId space: a pipe id never names a disk open, nor a bare id a pipe', () => {
    const {services} = fakeServices();
    const reg = new Registry(services, new Logger(new MemorySink()));
    const t = tree();
    const p = reg.addPipe(t, 7, 'srvsvc', 0x12019f)!;
    expect(p.wireId & PIPE_FILE_ID_TAG).toBe(PIPE_FILE_ID_TAG);
    expect(reg.pipe(p.wireId)).toBe(p);
    expect(reg.pipe(BigInt(p.id))).toBeUndefined();
    expect(reg.pipe(p.wireId | (1n << 61n))).toBeUndefined();
    expect(reg.open(p.wireId)).toBeUndefined();
    expect(reg.openCount).toBe(1);
    expect(t.pipes.has(p)).toBe(true);
  });

  it('closing hands the handle back to the services side once and cancels the READs waiting on it', async () => {
    const {services, closed, queues} = fakeServices();
    const reg = new Registry(services, new Logger(new MemorySink()));
    const t = tree();
    const p = reg.addPipe(t, 9, 'lsarpc', 0x12019f)!;
    queues.set(9, []);
    const w = waitForData(p, 100, finish) as PendingReply;
    reg.closePipe(p);
    reg.closePipe(p);
    expect(closed).toEqual([9]);
    expect((await w.final).status).toBe(NtStatus.CANCELLED);
    expect(reg.pipe(p.wireId)).toBeUndefined();
    expect(p.alive).toBe(false);
    expect(t.pipes.size).toBe(0);
    expect(reg.openCount).toBe(0);
  });
});

describe('reading a pipe', () => {
  it('message mode returns one message (cut with `more`); byte mode fills the buffer across messages', () => {
    const {services, queues} = fakeServices();
    const reg = new Registry(services, new Logger(new MemorySink()));
    const p = reg.addPipe(tree(), 1, 'srvsvc', 0x12019f)!;
    queues.set(1, [Buffer.from('aaaa'), Buffer.from('bbb'), Buffer.from('cc')]);
    expect(readPipe(services, p, 2)).toEqual({data: Buffer.from('aa'), more: true});
    expect(readPipe(services, p, 100)).toEqual({data: Buffer.from('aa'), more: false});
    p.readMode = PipeMode.BYTE_STREAM;
    expect(readPipe(services, p, 4)).toEqual({data: Buffer.from('bbbc'), more: false});
    expect(readPipe(services, p, 100)).toEqual({data: Buffer.from('c'), more: false});
    expect(readPipe(services, p, 100)).toEqual({data: Buffer.alloc(0), more: false});
  });

  it('waiting READs are served oldest first once data comes; a CANCEL takes one out of the line', async () => {
    const {services, queues} = fakeServices();
    const reg = new Registry(services, new Logger(new MemorySink()));
    const p = reg.addPipe(tree(), 2, 'samr', 0x12019f)!;
    queues.set(2, []);
    const a = waitForData(p, 3, finish) as PendingReply;
    const b = waitForData(p, 100, finish) as PendingReply;
    const c = waitForData(p, 100, finish) as PendingReply;
    b.cancel();
    expect(p.waiters).toHaveLength(2);
    serveWaiters(services, p); // nothing yet: nobody is answered
    expect(p.waiters).toHaveLength(2);
    queues.get(2)!.push(Buffer.from('hello'));
    serveWaiters(services, p);
    expect(await a.final).toMatchObject({status: NtStatus.BUFFER_OVERFLOW, value: {data: Buffer.from('hel'), more: true}});
    expect(await c.final).toMatchObject({status: NtStatus.SUCCESS, value: {data: Buffer.from('lo'), more: false}});
    expect((await b.final).status).toBe(NtStatus.CANCELLED);
    expect(p.waiters).toHaveLength(0);
  });
});
