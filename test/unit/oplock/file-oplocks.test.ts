// The per-file oplock state machine (src/oplock/file-oplocks.ts): grants (MS-SMB2 3.3.5.9), breaks on a
// conflicting open, LEVEL_II breaks on write/lock, acknowledgments (3.3.5.22.1), close and timeout.
import {afterEach, describe, expect, it, vi} from 'vitest';
import {FileOplocks} from '../../../src/oplock/file-oplocks.js';
import {OplockLevel as L} from '../../../src/smb2/constants.js';
import {NtStatus} from '../../../src/smb2/ntstatus.js';

interface H {
  name: string;
  breaks: number[];
}
const holder = (name: string): H => ({name, breaks: []});
const sender = (h: H) => (level: number) => h.breaks.push(level);

function settled(p: Promise<void>): Promise<boolean> {
  let done = false;
  void p.then(() => (done = true));
  return new Promise((resolve) => setImmediate(() => resolve(done)));
}

afterEach(() => {
  vi.useRealTimers();
});

describe('grant', () => {
  it('BATCH and EXCLUSIVE only to the sole open', () => {
    const f = new FileOplocks<H>();
    const a = holder('a');
    expect(f.grant(a, L.BATCH, 0, sender(a))).toBe(L.BATCH);
    const g = new FileOplocks<H>();
    const b = holder('b');
    expect(g.grant(b, L.EXCLUSIVE, 0, sender(b))).toBe(L.EXCLUSIVE);
    // Another open exists (even without an oplock): no exclusive level, LEVEL_II instead.
    expect(new FileOplocks<H>().grant(holder('c'), L.BATCH, 1, () => undefined)).toBe(L.II);
  });

  it('LEVEL_II beside LEVEL_II holders, NONE beside an exclusive holder', () => {
    const f = new FileOplocks<H>();
    const [a, b, c] = [holder('a'), holder('b'), holder('c')];
    expect(f.grant(a, L.II, 0, sender(a))).toBe(L.II);
    expect(f.grant(b, L.BATCH, 1, sender(b))).toBe(L.II);
    const g = new FileOplocks<H>();
    g.grant(a, L.BATCH, 0, sender(a));
    expect(g.grant(c, L.II, 1, sender(c))).toBe(L.NONE);
  });

  it('NONE asked, NONE given; a lease level is not an oplock', () => {
    const f = new FileOplocks<H>();
    expect(f.grant(holder('a'), L.NONE, 0, () => undefined)).toBe(L.NONE);
    expect(f.grant(holder('b'), L.LEASE, 0, () => undefined)).toBe(L.NONE);
  });
});

describe('break on a conflicting open', () => {
  it('breaks BATCH to LEVEL_II, waits for the acknowledgment, then lets the open go on', async () => {
    const f = new FileOplocks<H>();
    const a = holder('a');
    f.grant(a, L.BATCH, 0, sender(a));
    const wait = f.breakForOpen('other', false)!;
    expect(wait).toBeDefined();
    expect(a.breaks).toEqual([L.II]);
    expect(f.breaking(a)).toBe(true);
    expect(await settled(wait.done)).toBe(false);
    expect(f.acknowledge(a, L.II)).toEqual({status: NtStatus.SUCCESS, level: L.II});
    expect(await settled(wait.done)).toBe(true);
    expect(f.level(a)).toBe(L.II);
    // Nothing exclusive left: the next open does not wait.
    expect(f.breakForOpen('other', false)).toBeUndefined();
  });

  it('an overwriting open breaks to NONE and drops LEVEL_II holders without an acknowledgment', () => {
    const f = new FileOplocks<H>();
    const a = holder('a');
    f.grant(a, L.EXCLUSIVE, 0, sender(a));
    const w = f.breakForOpen('other', true);
    expect(a.breaks).toEqual([L.NONE]);
    expect(f.acknowledge(a, L.NONE).status).toBe(NtStatus.SUCCESS);
    w?.abandon();
    const g = new FileOplocks<H>();
    const [b, c] = [holder('b'), holder('c')];
    g.grant(b, L.II, 0, sender(b));
    g.grant(c, L.II, 1, sender(c));
    expect(g.breakForOpen('other', true)).toBeUndefined();
    expect(b.breaks).toEqual([L.NONE]);
    expect(c.breaks).toEqual([L.NONE]);
    expect(g.level(b)).toBe(L.NONE);
  });

  it('a close of the holder ends the wait', async () => {
    const f = new FileOplocks<H>();
    const a = holder('a');
    f.grant(a, L.BATCH, 0, sender(a));
    const wait = f.breakForOpen('other', false)!;
    f.remove(a);
    expect(await settled(wait.done)).toBe(true);
    expect(f.level(a)).toBe(L.NONE);
  });

  it('no acknowledgment in time: the oplock is gone and the wait ends', async () => {
    vi.useFakeTimers();
    const f = new FileOplocks<H>();
    const a = holder('a');
    f.grant(a, L.BATCH, 0, sender(a));
    const wait = f.breakForOpen('other', false, 1000)!;
    let done = false;
    void wait.done.then(() => (done = true));
    await vi.advanceTimersByTimeAsync(999);
    expect(done).toBe(false);
    await vi.advanceTimersByTimeAsync(1);
    expect(done).toBe(true);
    expect(f.level(a)).toBe(L.NONE);
    // A late acknowledgment finds no break outstanding.
    expect(f.acknowledge(a, L.II).status).toBe(NtStatus.INVALID_DEVICE_STATE);
  });

  it('a second conflicting open while breaking sends no second notification and waits too', async () => {
    const f = new FileOplocks<H>();
    const a = holder('a');
    f.grant(a, L.BATCH, 0, sender(a));
    const w1 = f.breakForOpen('other', false)!;
    const w2 = f.breakForOpen('other', false)!;
    expect(a.breaks).toEqual([L.II]);
    f.acknowledge(a, L.NONE);
    expect(await settled(w1.done)).toBe(true);
    expect(await settled(w2.done)).toBe(true);
  });
});

describe('acknowledgment (3.3.5.22.1)', () => {
  function breaking(level: number, overwrite = false) {
    const f = new FileOplocks<H>();
    const a = holder('a');
    f.grant(a, level, 0, sender(a));
    f.breakForOpen('other', overwrite)?.abandon();
    return {f, a};
  }

  it('without a break outstanding: STATUS_INVALID_DEVICE_STATE', () => {
    const f = new FileOplocks<H>();
    const a = holder('a');
    expect(f.acknowledge(a, L.NONE).status).toBe(NtStatus.INVALID_DEVICE_STATE);
    f.grant(a, L.BATCH, 0, sender(a));
    expect(f.acknowledge(a, L.NONE).status).toBe(NtStatus.INVALID_DEVICE_STATE);
    expect(f.level(a)).toBe(L.BATCH);
  });

  it('from BATCH: NONE and LEVEL_II are fine; EXCLUSIVE or BATCH is a protocol error that ends the oplock', () => {
    let {f, a} = breaking(L.BATCH);
    expect(f.acknowledge(a, L.NONE)).toEqual({status: NtStatus.SUCCESS, level: L.NONE});
    ({f, a} = breaking(L.BATCH));
    expect(f.acknowledge(a, L.EXCLUSIVE)).toEqual({status: NtStatus.INVALID_OPLOCK_PROTOCOL, level: L.NONE});
    expect(f.level(a)).toBe(L.NONE);
    expect(f.breaking(a)).toBe(false);
  });

  it('more than the notification offered (LEVEL_II after a break to NONE) is a protocol error', () => {
    const {f, a} = breaking(L.EXCLUSIVE, true);
    expect(f.acknowledge(a, L.II).status).toBe(NtStatus.INVALID_OPLOCK_PROTOCOL);
  });

  it('a lease level: STATUS_INVALID_PARAMETER and the oplock goes', () => {
    const {f, a} = breaking(L.BATCH);
    expect(f.acknowledge(a, L.LEASE)).toEqual({status: NtStatus.INVALID_PARAMETER, level: L.NONE});
    expect(f.anyBreaking).toBe(false);
  });
});

describe('LEVEL_II break by a write or lock', () => {
  it('every LEVEL_II holder, the writer included, goes to NONE at once; an acknowledgment then is a protocol error', () => {
    const f = new FileOplocks<H>();
    const [a, b] = [holder('a'), holder('b')];
    f.grant(a, L.II, 0, sender(a));
    f.grant(b, L.II, 1, sender(b));
    f.breakLevelII();
    expect(a.breaks).toEqual([L.NONE]);
    expect(b.breaks).toEqual([L.NONE]);
    expect(f.level(b)).toBe(L.NONE);
    expect(f.breaking(b)).toBe(false);
    expect(f.acknowledge(b, L.NONE).status).toBe(NtStatus.INVALID_OPLOCK_PROTOCOL);
    expect(f.acknowledge(b, L.NONE).status).toBe(NtStatus.INVALID_DEVICE_STATE);
  });

  it('an exclusive holder is not touched by writes', () => {
    const f = new FileOplocks<H>();
    const a = holder('a');
    f.grant(a, L.BATCH, 0, sender(a));
    f.breakLevelII();
    expect(a.breaks).toEqual([]);
    expect(f.level(a)).toBe(L.BATCH);
  });
});

describe('phases of an open', () => {
  it("'batch' (before the sharing check) breaks BATCH but not EXCLUSIVE; 'other' breaks EXCLUSIVE", () => {
    const f = new FileOplocks<H>();
    const a = holder('a');
    f.grant(a, L.EXCLUSIVE, 0, sender(a));
    expect(f.breakForOpen('batch', false)).toBeUndefined();
    expect(a.breaks).toEqual([]);
    f.breakForOpen('other', false)?.abandon();
    expect(a.breaks).toEqual([L.II]);
    const g = new FileOplocks<H>();
    const b = holder('b');
    g.grant(b, L.BATCH, 0, sender(b));
    g.breakForOpen('batch', false)?.abandon();
    expect(b.breaks).toEqual([L.II]);
  });

  it("LEVEL_II holders lose theirs to an overwrite only once the sharing check passed ('other')", () => {
    const f = new FileOplocks<H>();
    const a = holder('a');
    f.grant(a, L.II, 0, sender(a));
    expect(f.breakForOpen('batch', true)).toBeUndefined();
    expect(a.breaks).toEqual([]);
    expect(f.breakForOpen('other', true)).toBeUndefined();
    expect(a.breaks).toEqual([L.NONE]);
  });
});
