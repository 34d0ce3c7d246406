/**
 * IOCTL (MS-SMB2 3.3.5.15): FSCTL_VALIDATE_NEGOTIATE_INFO (3.3.5.15.12), FSCTL_QUERY_NETWORK_INTERFACE_INFO
 * and the file FSCTLs of fsctl-file.ts; DFS referrals are refused the way a server without DFS refuses them;
 * other FSCTLs get STATUS_INVALID_DEVICE_REQUEST, non-FSCTL requests STATUS_NOT_SUPPORTED.
 */
import {Dialect, Fsctl, IoctlFlags} from '../../smb2/constants.js';
import {decodeIoctlRequest, encodeIoctlResponse, type IoctlRequest} from '../../smb2/messages/ioctl.js';
import {NtStatus, NtStatusError} from '../../smb2/ntstatus.js';
import {Reader} from '../../wire/reader.js';
import {reply, type HandlerResult, type RequestContext} from '../context.js';
import {ConnectionError} from '../errors.js';
import {IMPLEMENTED_DIALECTS} from '../settings.js';
import {resolveOpen} from './files.js';
import {fileFsctl, networkInterfaceInfo} from './fsctl-file.js';

const VALIDATE_NEGOTIATE_RESPONSE_SIZE = 24;
const EMPTY = Buffer.alloc(0);

function validateNegotiate(ctx: RequestContext, req: IoctlRequest): HandlerResult {
  const conn = ctx.conn;
  // "If Connection.Dialect is "3.1.1", the server MUST terminate the transport connection".
  if (conn.dialect === Dialect.SMB3_1_1) throw new ConnectionError('VALIDATE_NEGOTIATE_INFO on 3.1.1');
  if (conn.dialect < Dialect.SMB3_0) throw new NtStatusError(NtStatus.INVALID_DEVICE_REQUEST, 'VALIDATE_NEGOTIATE_INFO is SMB 3.0/3.0.2 only');
  if (req.maxOutputResponse < VALIDATE_NEGOTIATE_RESPONSE_SIZE) throw new ConnectionError('VALIDATE_NEGOTIATE_INFO: MaxOutputResponse too small');
  let capabilities: number, guid: Buffer, securityMode: number, dialects: number[];
  try {
    const r = new Reader(req.input);
    capabilities = r.u32();
    guid = r.copy(16);
    securityMode = r.u16();
    const count = r.u16();
    dialects = [];
    for (let i = 0; i < count; i++) dialects.push(r.u16());
  } catch {
    throw new ConnectionError('VALIDATE_NEGOTIATE_INFO: malformed input');
  }
  // Every mismatch means someone tampered with the NEGOTIATE exchange: the connection ends (3.3.5.15.12).
  const same = dialects.length === conn.clientDialects.length && dialects.every((d, i) => d === conn.clientDialects[i]);
  const s = ctx.server.settings;
  let best = 0;
  for (const d of dialects) if (IMPLEMENTED_DIALECTS.includes(d) && d >= s.minDialect && d <= s.maxDialect && d > best) best = d;
  if (!same || best !== conn.dialect) throw new ConnectionError('VALIDATE_NEGOTIATE_INFO: dialects differ from NEGOTIATE');
  if (!guid.equals(conn.clientGuid)) throw new ConnectionError('VALIDATE_NEGOTIATE_INFO: ClientGuid differs');
  if (securityMode !== conn.clientSecurityMode) throw new ConnectionError('VALIDATE_NEGOTIATE_INFO: SecurityMode differs');
  if (capabilities !== conn.clientCapabilities) throw new ConnectionError('VALIDATE_NEGOTIATE_INFO: Capabilities differ');
  const out = Buffer.alloc(VALIDATE_NEGOTIATE_RESPONSE_SIZE);
  out.writeUInt32LE(conn.serverCapabilities >>> 0, 0);
  s.serverGuid.copy(out, 4);
  out.writeUInt16LE(conn.serverSecurityMode, 20);
  out.writeUInt16LE(conn.dialect, 22);
  return reply(encodeIoctlResponse, {ctlCode: req.ctlCode, fileId: req.fileId, input: EMPTY, output: out, flags: 0});
}

export async function handleIoctl(ctx: RequestContext, body: Reader): Promise<HandlerResult> {
  const req = decodeIoctlRequest(body);
  // 3.3.5.15: "If the Flags field of the request is not SMB2_0_IOCTL_IS_FSCTL the server MUST fail the
  // request with STATUS_NOT_SUPPORTED."
  if ((req.flags & IoctlFlags.IS_FSCTL) === 0) throw new NtStatusError(NtStatus.NOT_SUPPORTED, 'not an FSCTL');
  switch (req.ctlCode) {
    case Fsctl.VALIDATE_NEGOTIATE_INFO:
      return validateNegotiate(ctx, req);
    case Fsctl.DFS_GET_REFERRALS:
    case Fsctl.DFS_GET_REFERRALS_EX:
      // No DFS: what a Windows server without the DFS service answers.
      throw new NtStatusError(NtStatus.FS_DRIVER_REQUIRED, 'DFS is not served');
    case Fsctl.PIPE_TRANSCEIVE:
    case Fsctl.PIPE_PEEK:
    case Fsctl.PIPE_WAIT:
      throw new NtStatusError(NtStatus.NOT_SUPPORTED, 'named pipes are not served yet');
    case Fsctl.QUERY_NETWORK_INTERFACE_INFO:
      return networkInterfaceInfo(req);
    default: {
      const r = await fileFsctl(ctx, req);
      if (r) return r;
      // File system controls act on an open: an unknown FileId is STATUS_FILE_CLOSED before anything else.
      resolveOpen(ctx, req.fileId);
      throw new NtStatusError(NtStatus.INVALID_DEVICE_REQUEST, `FSCTL 0x${req.ctlCode.toString(16)} is not supported`);
    }
  }
}
