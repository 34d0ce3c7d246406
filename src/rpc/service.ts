// What an RPC interface implementation sees: the server's data, the caller, the pipe's context handles,
// and one handler per opnum. A handler decodes its [in] parameters from an NdrReader, writes its [out]
// parameters and return value to an NdrWriter, and either returns or throws: MalformedPacket (a bad stub)
// becomes fault nca_s_fault_ndr, RpcFault its own status, anything else a logged call failure.
import {randomBytes} from 'node:crypto';
import type {SessionIdentity, ShareInfo} from '../ipc/types.js';
import type {Logger} from '../log/logger.js';
import {HANDLE_SIZE, type NdrReader, type NdrWriter, type Sid} from './ndr.js';
import type {SyntaxId} from './pdu.js';

/** A SAM account: a ksmbdpwd.db user with a Unix account, its uid as RID (as ksmbd does). */
export interface SamUser {
  name: string;
  rid: number;
}

/** The facts the services answer from; rebuilt from the configuration in force. */
export interface RpcServerData {
  netbiosName: string;
  serverString: string;
  workgroup: string;
  /** S-1-5-21-A-B-C from the subauth file. */
  domainSid: Sid;
  /** Every share, IPC$ included, in configuration order. */
  shares(): ShareInfo[];
  share(name: string): ShareInfo | undefined;
  users(): SamUser[];
  /** Open tree connects of a share, for the current_uses fields (0 when unknown). */
  currentUses?(share: string): number;
}

export interface CallContext {
  session: SessionIdentity | undefined;
  server: RpcServerData;
  handles: HandleTable;
  log: Logger;
}

export type OpHandler = (call: CallContext, r: NdrReader, w: NdrWriter) => void;

/** One interface: its abstract syntax and a table of opnum -> handler; a missing opnum faults op_rng_error. */
export interface RpcInterface {
  name: string;
  syntax: SyntaxId;
  ops: ReadonlyMap<number, {name: string; handler: OpHandler}>;
}

/** Build the ops table from a {Name: opnum} constant and a {Name: handler} map, so both stay in step. */
export function opTable<K extends string>(opnums: Record<K, number>, handlers: Partial<Record<K, OpHandler>>): Map<number, {name: string; handler: OpHandler}> {
  const m = new Map<number, {name: string; handler: OpHandler}>();
  for (const name of Object.keys(handlers) as K[]) {
    const handler = handlers[name];
    if (handler) m.set(opnums[name], {name, handler});
  }
  return m;
}

/** A fault with a given status (C706 12.6.4.7), thrown by a handler that cannot produce [out] parameters. */
export class RpcFault extends Error {
  override readonly name = 'RpcFault';
  constructor(readonly status: number, message?: string) {
    super(message ?? `fault 0x${status.toString(16)}`);
  }
}

/** NTSTATUS values the LSA and SAM interfaces return (MS-ERREF 2.3.1). */
export const NT = {
  SUCCESS: 0x00000000,
  MORE_ENTRIES: 0x00000105,
  SOME_NOT_MAPPED: 0x00000107,
  NO_MORE_ENTRIES: 0x8000001a,
  INVALID_INFO_CLASS: 0xc0000003,
  INVALID_HANDLE: 0xc0000008,
  INVALID_PARAMETER: 0xc000000d,
  ACCESS_DENIED: 0xc0000022,
  NO_SUCH_USER: 0xc0000064,
  NONE_MAPPED: 0xc0000073,
  INSUFFICIENT_RESOURCES: 0xc000009a,
  NO_SUCH_DOMAIN: 0xc00000df,
  NOT_SUPPORTED: 0xc00000bb,
  NO_SUCH_ALIAS: 0xc0000151,
} as const;

/** Win32 errors the srvsvc and wkssvc interfaces return (MS-ERREF 2.2). */
export const WERR = {
  OK: 0,
  ACCESS_DENIED: 5,
  INVALID_PARAMETER: 87,
  INVALID_LEVEL: 124,
  MORE_DATA: 234,
  NET_NAME_NOT_FOUND: 2310,
} as const;

/** SID_NAME_USE (MS-LSAT 2.2.13 / MS-SAMR 2.2.2.3). */
export const SID_TYPE = {
  USER: 1,
  GROUP: 2,
  DOMAIN: 3,
  ALIAS: 4,
  WELL_KNOWN_GROUP: 5,
  DELETED: 6,
  INVALID: 7,
  UNKNOWN: 8,
} as const;

/** How many context handles one pipe may hold: enough for any client, bounded against leaks. */
export const MAX_HANDLES = 1024;

/**
 * Context handles of one pipe (MS-RPCE 2.2.2.12 / C706 ndr_context_handle): 4 octets of attributes (0) and
 * a random UUID, so a handle cannot be guessed and a closed one never comes back.
 */
export class HandleTable {
  private readonly map = new Map<string, {kind: string; data: unknown}>();

  get size(): number {
    return this.map.size;
  }

  /** A new handle, or undefined when the pipe holds MAX_HANDLES already. */
  open(kind: string, data: unknown): Buffer | undefined {
    if (this.map.size >= MAX_HANDLES) return undefined;
    const h = Buffer.alloc(HANDLE_SIZE);
    randomBytes(16).copy(h, 4);
    this.map.set(h.toString('hex'), {kind, data});
    return h;
  }

  get<T>(h: Buffer, kind: string | readonly string[]): T | undefined {
    const e = this.map.get(h.toString('hex'));
    if (!e) return undefined;
    const ok = typeof kind === 'string' ? e.kind === kind : kind.includes(e.kind);
    return ok ? (e.data as T) : undefined;
  }

  close(h: Buffer): boolean {
    return this.map.delete(h.toString('hex'));
  }
}
