// Generation-tagged ids (DESIGN habit 5) and the async table (MS-SMB2 3.3.5.16 CANCEL).
import {describe, expect, it} from 'vitest';
import {AsyncTable, Waiter} from '../../../src/engine/async.js';
import {NtStatus} from '../../../src/smb2/ntstatus.js';
import {HandleTable, tableId} from '../../../src/state/handles.js';

describe('HandleTable', () => {
  it('never hands out 0 and finds objects by id', () => {
    const t = new HandleTable<string>(16, 16);
    const a = t.add(() => 'a')!;
    const b = t.add(() => 'b')!;
    expect(a.id).not.toBe(0);
    expect(t.get(a.id)).toBe('a');
    expect(t.get(b.id)).toBe('b');
    expect(t.size).toBe(2);
  });

  it('a stale id never finds the object that reuses its slot', () => {
    const t = new HandleTable<string>(16, 16);
    const a = t.add(() => 'old')!;
    t.delete(a.id);
    const b = t.add(() => 'new')!;
    expect(b.id % 2 ** 16).toBe(a.id % 2 ** 16); // same slot
    expect(b.id).not.toBe(a.id);
    expect(t.get(a.id)).toBeUndefined();
    expect(t.get(b.id)).toBe('new');
    expect(t.delete(a.id)).toBeUndefined();
  });

  it('is bounded by its slot bits', () => {
    const t = new HandleTable<number>(2, 8);
    expect([t.add(() => 1), t.add(() => 2), t.add(() => 3)].every(Boolean)).toBe(true);
    expect(t.add(() => 4)).toBeUndefined();
  });

  it('maps wire ids that cannot be ours to 0', () => {
    expect(tableId(0n)).toBe(0);
    expect(tableId(0xffffffffffffffffn)).toBe(0);
    expect(tableId(42n)).toBe(42);
  });
});

describe('AsyncTable and Waiter', () => {
  it('cancels by AsyncId or by MessageId, only within the same session', async () => {
    const t = new AsyncTable();
    const w = new Waiter();
    const op = t.add(7n, 100n, 0x0f, w.cancel);
    expect(t.cancel(true, op.asyncId, 999n)).toBe(false);
    expect(t.cancel(false, 8n, 100n)).toBe(false);
    expect(t.cancel(false, 7n, 100n)).toBe(true);
    expect((await w.promise).status).toBe(NtStatus.CANCELLED);
    t.remove(op);
    expect(t.size).toBe(0);
  });

  it('the first of settle and cancel wins', async () => {
    let cleaned = 0;
    const w = new Waiter(() => cleaned++);
    w.settle({kind: 'reply', status: 0, encode: () => undefined, value: undefined});
    w.cancel();
    expect((await w.promise).status).toBe(0);
    expect(cleaned).toBe(0);
  });
});
