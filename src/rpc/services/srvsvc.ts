/**
 * srvsvc (MS-SRVS, interface 4b324fc8-1670-01d3-1278-5a47bf6ee188 v3.0 on \PIPE\srvsvc): the share list and
 * server description behind `smbclient -L`, Explorer's network view and `net view`.
 *
 * Unions are written as Samba and Windows clients decode them: the switch value, then the arm, with an
 * empty arm for a level we do not serve (and WERR_INVALID_LEVEL).
 */
import type {ShareInfo} from '../../ipc/types.js';
import {MalformedPacket} from '../../wire/errors.js';
import type {NdrReader, NdrWriter} from '../ndr.js';
import {WERR, opTable, type CallContext, type RpcInterface, type RpcServerData} from '../service.js';

/** MS-SRVS 3.1.4: the methods we serve, by opnum. */
export const SRVSVC_OP = {
  NetrShareEnum: 15, // Samba and rpcclient call it NetShareEnumAll
  NetrShareGetInfo: 16,
  NetrServerGetInfo: 21,
  NetrShareEnumSticky: 36, // rpcclient netshareenum; every configured share is permanent ("sticky")
} as const;

/** MS-SRVS 2.2.2.4 share types. */
export const STYPE = {DISKTREE: 0x00000000, PRINTQ: 0x00000001, DEVICE: 0x00000002, IPC: 0x00000003, SPECIAL: 0x80000000} as const;

/** MS-SRVS 2.2.2.1 / MS-RAP: platform and server type bits of SERVER_INFO_10x. */
export const PLATFORM_ID_NT = 500;
export const SV_TYPE = {WORKSTATION: 0x1, SERVER: 0x2, SERVER_UNIX: 0x800, NT: 0x1000, SERVER_NT: 0x8000} as const;
export const SERVER_TYPE = SV_TYPE.WORKSTATION | SV_TYPE.SERVER | SV_TYPE.SERVER_UNIX | SV_TYPE.NT | SV_TYPE.SERVER_NT;
/** The version reported in SERVER_INFO_101/102 (and WKSTA_INFO_10x): 6.1, as Samba and ksmbd report. */
export const OS_VERSION = {major: 6, minor: 1} as const;

export const SHARE_ENUM_LEVELS = [0, 1, 2, 501, 502] as const;
export const SHARE_INFO_LEVELS = [0, 1, 2, 501, 502, 1005] as const;
export const SERVER_INFO_LEVELS = [100, 101, 102] as const;

export function shareType(s: ShareInfo): number {
  return s.ipc ? STYPE.IPC | STYPE.SPECIAL : STYPE.DISKTREE;
}

/** What enumeration shows: IPC$ always, and every other share that is browseable and not named `...$`. */
export function enumerable(shares: ShareInfo[]): ShareInfo[] {
  return shares.filter((s) => s.ipc || (s.browseable && !s.name.endsWith('$')));
}

/** A Windows-style local path (`C:\srv\data`), as Windows clients show it; '' for IPC$. */
export function windowsPath(s: ShareInfo): string {
  return s.ipc || s.path === '' ? '' : 'C:' + s.path.replace(/\//g, '\\');
}

function maxUses(s: ShareInfo): number {
  return s.maxConnections >= 65536 ? 0xffffffff : s.maxConnections;
}

/** The flat part of SHARE_INFO_<level>; its strings are deferred pointees. */
function writeShareInfo(w: NdrWriter, level: number, s: ShareInfo, server: RpcServerData): void {
  w.uniqueWString(s.name);
  if (level === 0) return;
  w.u32(shareType(s));
  w.uniqueWString(s.comment);
  if (level === 1) return;
  if (level === 501) {
    w.u32(0); // shi501_flags: manual caching, no ABE
    return;
  }
  w.u32(0); // permissions: share-level security is not used
  w.u32(maxUses(s));
  w.u32(server.currentUses?.(s.name) ?? 0);
  w.uniqueWString(windowsPath(s));
  w.uniqueWString(null); // password: user-level security
  if (level === 502) {
    w.u32(0); // shi502_reserved = length of the security descriptor
    w.unique(null, () => undefined);
  }
}

/** [in, string, unique] SRVSVC_HANDLE ServerName: read and ignored (MS-SRVS 3.1.4: NULL means this server). */
function serverName(r: NdrReader): void {
  r.topUnique(() => r.wstring());
}

function netrShareEnum(call: CallContext, r: NdrReader, w: NdrWriter): void {
  serverName(r);
  // [in, out] LPSHARE_ENUM_STRUCT InfoStruct: Level, then the union (switch value, arm).
  const {level, tag} = r.param(() => {
    const level = r.u32();
    const tag = r.u32();
    if ((SHARE_ENUM_LEVELS as readonly number[]).includes(tag) || tag === 503) {
      // A container the client sends empty: {EntriesRead; Buffer}; we refuse one with entries.
      r.unique(() => {
        r.u32();
        const buf = r.pointerId();
        if (buf !== 0) throw new MalformedPacket('NetrShareEnum: client sent a filled share container');
      });
    }
    return {level, tag};
  });
  r.u32(); // PreferedMaximumLength: we always return everything (MAX_PREFERRED_LENGTH semantics)
  const resume = r.topUnique(() => r.u32());

  const shares = enumerable(call.server.shares());
  let status: number = WERR.OK;
  if (level !== tag) status = WERR.INVALID_PARAMETER;
  else if (!(SHARE_ENUM_LEVELS as readonly number[]).includes(level)) status = WERR.INVALID_LEVEL;
  const start = Math.min(resume ?? 0, shares.length);
  const list = status === WERR.OK ? shares.slice(start) : [];

  w.param(() => {
    w.u32(level).u32(tag);
    if (!(SHARE_ENUM_LEVELS as readonly number[]).includes(tag) && tag !== 503) return; // empty arm
    if (status !== WERR.OK) {
      w.unique(null, () => undefined);
      return;
    }
    w.unique(list, (l) => {
      w.u32(l.length);
      w.unique(l, (items) => w.conformantArray(items, (s) => writeShareInfo(w, level, s, call.server)));
    });
  });
  w.u32(shares.length); // TotalEntries
  w.topUnique(resume === null ? null : start + list.length, (v) => w.u32(v));
  w.u32(status);
  call.log.debug('rpc', `srvsvc NetrShareEnum level ${level}: ${list.length} of ${shares.length} shares, status ${status}`);
}

function netrShareGetInfo(call: CallContext, r: NdrReader, w: NdrWriter): void {
  serverName(r);
  const name = r.param(() => r.wstring());
  const level = r.u32();
  const share = call.server.share(name);
  let status: number = WERR.OK;
  if (!(SHARE_INFO_LEVELS as readonly number[]).includes(level)) status = WERR.INVALID_LEVEL;
  else if (!share) status = WERR.NET_NAME_NOT_FOUND;
  w.param(() => {
    w.u32(level);
    if (status === WERR.INVALID_LEVEL) return;
    if (!share) {
      w.unique(null, () => undefined);
      return;
    }
    w.unique(share, (s) => {
      if (level === 1005) w.u32(0); // shi1005_flags: manual caching, no DFS, no ABE
      else writeShareInfo(w, level, s, call.server);
    });
  });
  w.u32(status);
  call.log.debug('rpc', `srvsvc NetrShareGetInfo \`${name}' level ${level}: status ${status}`);
}

function netrServerGetInfo(call: CallContext, r: NdrReader, w: NdrWriter): void {
  serverName(r);
  const level = r.u32();
  const known = (SERVER_INFO_LEVELS as readonly number[]).includes(level);
  const srv = call.server;
  w.param(() => {
    w.u32(level);
    if (!known) return;
    w.unique(level, (lv) => {
      w.u32(PLATFORM_ID_NT);
      w.uniqueWString(srv.netbiosName);
      if (lv === 100) return;
      w.u32(OS_VERSION.major).u32(OS_VERSION.minor).u32(SERVER_TYPE);
      w.uniqueWString(srv.serverString);
      if (lv === 101) return;
      w.u32(0xffffffff); // sv102_users: no limit
      w.i32(-1); // sv102_disc: never auto-disconnect
      w.u32(0); // sv102_hidden
      w.u32(240); // sv102_announce (seconds)
      w.u32(3000); // sv102_anndelta (milliseconds)
      w.u32(0); // sv102_licenses
      w.uniqueWString('C:\\'); // sv102_userpath
    });
  });
  w.u32(known ? WERR.OK : WERR.INVALID_LEVEL);
}

export const SRVSVC: RpcInterface = {
  name: 'srvsvc',
  syntax: {uuid: '4b324fc8-1670-01d3-1278-5a47bf6ee188', major: 3, minor: 0},
  ops: opTable(SRVSVC_OP, {
    NetrShareEnum: netrShareEnum,
    NetrShareGetInfo: netrShareGetInfo,
    NetrServerGetInfo: netrServerGetInfo,
    NetrShareEnumSticky: netrShareEnum,
  }),
};
