/**
 * wkssvc (MS-WKST, interface 6bffd098-a112-3610-9833-46c3f87e345a v1.0 on \PIPE\wkssvc): the computer and
 * workgroup names Windows shows for a server (NetWkstaGetInfo).
 */
import type {NdrReader, NdrWriter} from '../ndr.js';
import {WERR, opTable, type CallContext, type RpcInterface} from '../service.js';
import {OS_VERSION, PLATFORM_ID_NT} from './srvsvc.js';

/** MS-WKST 3.2.4: the methods we serve, by opnum. */
export const WKSSVC_OP = {
  NetrWkstaGetInfo: 0,
} as const;

export const WKSTA_INFO_LEVELS = [100, 101, 102] as const;

function netrWkstaGetInfo(call: CallContext, r: NdrReader, w: NdrWriter): void {
  r.topUnique(() => r.wstring()); // ServerName: this server whatever it says
  const level = r.u32();
  const known = (WKSTA_INFO_LEVELS as readonly number[]).includes(level);
  const srv = call.server;
  // [out, switch_is(Level)] LPWKSTA_INFO WkstaInfo: switch value, then a pointer to WKSTA_INFO_10x.
  w.param(() => {
    w.u32(level);
    if (!known) return;
    w.unique(level, (lv) => {
      w.u32(PLATFORM_ID_NT);
      w.uniqueWString(srv.netbiosName);
      w.uniqueWString(srv.workgroup);
      w.u32(OS_VERSION.major).u32(OS_VERSION.minor);
      if (lv === 100) return;
      w.uniqueWString('C:\\'); // wki101_lanroot
      if (lv === 101) return;
      w.u32(0); // wki102_logged_on_users: no interactive logons on a file server
    });
  });
  w.u32(known ? WERR.OK : WERR.INVALID_LEVEL);
}

export const WKSSVC: RpcInterface = {
  name: 'wkssvc',
  syntax: {uuid: '6bffd098-a112-3610-9833-46c3f87e345a', major: 1, minor: 0},
  ops: opTable(WKSSVC_OP, {NetrWkstaGetInfo: netrWkstaGetInfo}),
};
