import {describe, expect, it} from 'vitest';
import {NdrReader} from '../../../src/rpc/ndr.js';
import {FAULT} from '../../../src/rpc/pdu.js';
import {WERR} from '../../../src/rpc/service.js';
import {SERVER_TYPE, SRVSVC, SRVSVC_OP, STYPE} from '../../../src/rpc/services/srvsvc.js';
import {WKSSVC, WKSSVC_OP} from '../../../src/rpc/services/wkssvc.js';
import {TestClient, newPipes} from './helpers.js';
import * as q from './requests.js';

interface ShareRow {
  name: string;
  type?: number;
  remark?: string;
  path?: string;
  flags?: number;
  maxUses?: number;
}

/** Decode a NetrShareEnum response the way a client does. */
function decodeEnum(stub: Buffer) {
  const r = new NdrReader(stub);
  const level = r.u32();
  const tag = r.u32();
  const rows: ShareRow[] = [];
  const known = [0, 1, 2, 501, 502, 503].includes(tag);
  const ctr = !known ? null : r.unique(() => {
    const count = r.u32();
    const arr = r.unique(() =>
      r.conformantArray(4, () => {
        const row: Partial<Record<keyof ShareRow, unknown>> = {};
        const name = r.uniqueWString();
        let remark, path;
        if (level !== 0) {
          row.type = r.u32();
          remark = r.uniqueWString();
        }
        if (level === 501) row.flags = r.u32();
        if (level === 2 || level === 502) {
          r.u32();
          row.maxUses = r.u32();
          r.u32();
          path = r.uniqueWString();
          r.uniqueWString();
        }
        if (level === 502) {
          r.u32();
          r.unique(() => r.u8());
        }
        return {row, name, remark, path};
      }),
    );
    return {count, arr};
  });
  r.flush();
  const total = r.u32();
  const resume = r.topUnique(() => r.u32());
  const status = r.u32();
  r.end();
  const c = ctr?.get();
  for (const e of c?.arr.get() ?? []) {
    rows.push({...(e.row as ShareRow), name: e.name.get()!, remark: e.remark?.get() ?? undefined, path: e.path?.get() ?? undefined});
  }
  return {level, tag, count: c?.count, rows, total, resume, status};
}

function srvsvc() {
  const {pipes} = newPipes();
  const c = new TestClient(pipes, '\\PIPE\\srvsvc');
  c.bind(SRVSVC.syntax);
  return c;
}

describe('srvsvc NetrShareEnum', () => {
  it('level 1: browseable shares and IPC$, hidden and browseable = no left out', () => {
    const d = decodeEnum(srvsvc().ok(SRVSVC_OP.NetrShareEnum, q.netShareEnum(1)));
    expect(d.status).toBe(WERR.OK);
    expect(d.rows.map((s) => s.name)).toEqual(['IPC$', 'public', 'data']);
    expect(d.rows[0]).toMatchObject({type: (STYPE.IPC | STYPE.SPECIAL) >>> 0, remark: 'IPC Service'});
    expect(d.rows[1]).toMatchObject({type: STYPE.DISKTREE, remark: 'Public files'});
    expect(d.total).toBe(3);
    expect(d.resume).toBe(3);
  });

  it.each([0, 2, 501, 502])('level %i', (level) => {
    const d = decodeEnum(srvsvc().ok(SRVSVC_OP.NetrShareEnum, q.netShareEnum(level)));
    expect(d.status).toBe(WERR.OK);
    expect(d.level).toBe(level);
    expect(d.rows).toHaveLength(3);
    if (level === 2 || level === 502) expect(d.rows[1]).toMatchObject({path: 'C:\\srv\\public', maxUses: 0xffffffff});
    if (level === 501) expect(d.rows[1]!.flags).toBe(0);
  });

  it('the sticky variant (opnum 36, rpcclient netshareenum) answers the same', () => {
    expect(decodeEnum(srvsvc().ok(SRVSVC_OP.NetrShareEnumSticky, q.netShareEnum(0))).rows).toHaveLength(3);
  });

  it('resume handle skips what was already returned; a NULL one stays NULL', () => {
    const d = decodeEnum(srvsvc().ok(SRVSVC_OP.NetrShareEnum, q.netShareEnum(0, 2)));
    expect(d.rows.map((s) => s.name)).toEqual(['data']);
    expect(decodeEnum(srvsvc().ok(SRVSVC_OP.NetrShareEnum, q.netShareEnum(0, null))).resume).toBeNull();
  });

  it('unknown level: WERR_INVALID_LEVEL with an empty arm', () => {
    const d = decodeEnum(srvsvc().ok(SRVSVC_OP.NetrShareEnum, q.netShareEnum(7)));
    expect(d.status).toBe(WERR.INVALID_LEVEL);
    expect(decodeEnum(srvsvc().ok(SRVSVC_OP.NetrShareEnum, q.netShareEnum(503))).status).toBe(WERR.INVALID_LEVEL);
  });

  it('Level and switch disagreeing: WERR_INVALID_PARAMETER', () => {
    expect(decodeEnum(srvsvc().ok(SRVSVC_OP.NetrShareEnum, q.netShareEnum(1, 0, 2))).status).toBe(WERR.INVALID_PARAMETER);
  });
});

function decodeGetInfo(stub: Buffer) {
  const r = new NdrReader(stub);
  const level = r.u32();
  let info: Record<string, unknown> | null = null;
  if ([0, 1, 2, 501, 502, 1005].includes(level)) {
    info = r.topUnique(() => {
      if (level === 1005) return {flags: r.u32()};
      const name = r.uniqueWString();
      const type = level === 0 ? undefined : r.u32();
      const remark = level === 0 ? undefined : r.uniqueWString();
      if (level === 501) r.u32();
      if (level === 2 || level === 502) {
        r.u32();
        r.u32();
        r.u32();
        r.uniqueWString();
        r.uniqueWString();
      }
      if (level === 502) {
        r.u32();
        r.unique(() => r.u8());
      }
      return {name, type, remark};
    });
  }
  const status = r.u32();
  r.end();
  return {level, info, status};
}

describe('srvsvc NetrShareGetInfo', () => {
  it.each([0, 1, 2, 501, 502, 1005])('level %i of a hidden share', (level) => {
    const d = decodeGetInfo(srvsvc().ok(SRVSVC_OP.NetrShareGetInfo, q.netShareGetInfo('SECRET$', level)));
    expect(d.status).toBe(WERR.OK);
    expect(d.info).not.toBeNull();
    if (level !== 1005) expect((d.info!.name as {get(): string}).get()).toBe('secret$');
  });

  it('unknown share and unknown level', () => {
    expect(decodeGetInfo(srvsvc().ok(SRVSVC_OP.NetrShareGetInfo, q.netShareGetInfo('nope', 1))).status).toBe(WERR.NET_NAME_NOT_FOUND);
    expect(decodeGetInfo(srvsvc().ok(SRVSVC_OP.NetrShareGetInfo, q.netShareGetInfo('public', 3))).status).toBe(WERR.INVALID_LEVEL);
  });
});

describe('srvsvc NetrServerGetInfo and wkssvc NetrWkstaGetInfo', () => {
  it.each([100, 101, 102])('server level %i', (level) => {
    const stub = srvsvc().ok(SRVSVC_OP.NetrServerGetInfo, q.levelOnly(level));
    const r = new NdrReader(stub);
    expect(r.u32()).toBe(level);
    const info = r.topUnique(() => {
      const platform = r.u32();
      const name = r.uniqueWString();
      if (level === 100) return {platform, name};
      const major = r.u32();
      r.u32();
      const type = r.u32();
      const comment = r.uniqueWString();
      if (level === 102) {
        for (let i = 0; i < 6; i++) r.u32();
        r.uniqueWString();
      }
      return {platform, name, major, type, comment};
    })!;
    expect(r.u32()).toBe(WERR.OK);
    r.end();
    expect(info.platform).toBe(500);
    expect(info.name.get()).toBe('KSMBDTEST');
    if (level !== 100) {
      expect(info.type).toBe(SERVER_TYPE);
      expect(info.comment!.get()).toBe('ksmbd for Node');
    }
  });

  it('server level 1: WERR_INVALID_LEVEL', () => {
    const stub = srvsvc().ok(SRVSVC_OP.NetrServerGetInfo, q.levelOnly(1));
    expect(stub).toEqual(Buffer.from([1, 0, 0, 0, 124, 0, 0, 0]));
  });

  it.each([100, 101, 102])('wkssvc level %i', (level) => {
    const {pipes} = newPipes();
    const c = new TestClient(pipes, 'wkssvc');
    c.bind(WKSSVC.syntax);
    const r = new NdrReader(c.ok(WKSSVC_OP.NetrWkstaGetInfo, q.levelOnly(level)));
    expect(r.u32()).toBe(level);
    const info = r.topUnique(() => {
      const platform = r.u32();
      const computer = r.uniqueWString();
      const domain = r.uniqueWString();
      r.u32();
      r.u32();
      if (level >= 101) r.uniqueWString();
      if (level === 102) r.u32();
      return {platform, computer, domain};
    })!;
    expect(r.u32()).toBe(WERR.OK);
    r.end();
    expect(info.computer.get()).toBe('KSMBDTEST');
    expect(info.domain.get()).toBe('WORKGROUP');
    expect(c.ok(WKSSVC_OP.NetrWkstaGetInfo, q.levelOnly(103)).readUInt32LE(4)).toBe(WERR.INVALID_LEVEL);
  });

  it('an opnum not served faults nca_op_rng_error; a truncated stub faults nca_s_fault_ndr', () => {
    const c = srvsvc();
    expect(c.call(17, q.levelOnly(1)).fault).toBe(FAULT.OP_RNG_ERROR);
    expect(c.call(SRVSVC_OP.NetrShareEnum, q.netShareEnum(1).subarray(0, 30)).fault).toBe(FAULT.FAULT_NDR);
  });
});
