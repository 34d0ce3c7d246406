// The control protocol between `ksmbd control` / `ksmbd status` and the daemon: JSON over the Unix
// socket RUNDIR/control.sock, one request per line, one response line per request, in order.
// Every message carries `v` so that a newer CLI meeting an older daemon gets a clear VERSION error
// instead of a misunderstanding.

export const CONTROL_PROTOCOL_VERSION = 1;
/** A request line longer than this is refused (and the connection closed): the daemon never buffers more. */
export const MAX_REQUEST_BYTES = 64 * 1024;

export const CONTROL_COMMANDS = [
  'status',
  'reload',
  'shutdown',
  'debug.toggle',
  'debug.get',
  'shares.list',
  'sessions.list',
  'sessions.kill',
  'version',
] as const;
export type ControlCommand = (typeof CONTROL_COMMANDS)[number];

export interface ControlRequest {
  v: number;
  /** Echoed in the response; lets a client pipeline requests. */
  id?: string | number;
  cmd: ControlCommand;
  args?: Record<string, unknown>;
}

export type ControlErrorCode =
  | 'MALFORMED' // not JSON, not an object, missing or mistyped fields
  | 'TOO_LARGE' // request line over MAX_REQUEST_BYTES
  | 'VERSION' // unsupported protocol version
  | 'UNKNOWN_COMMAND'
  | 'BAD_ARGS'
  | 'CONFIG_INVALID' // reload refused: the old configuration stays in force
  | 'NOT_FOUND' // sessions.kill of an unknown session
  | 'SHUTTING_DOWN'
  | 'INTERNAL';

export interface ControlError {
  code: ControlErrorCode;
  message: string;
  /** For CONFIG_INVALID: where the problem is. */
  file?: string;
  line?: number;
}

export type ControlResponse =
  | {v: number; id?: string | number; ok: true; result: unknown}
  | {v: number; id?: string | number; ok: false; error: ControlError};

// ---- result shapes ----

export interface ListenAddress {
  address: string;
  port: number;
  family: string;
}

export interface ShareSummary {
  name: string;
  path: string;
  comment: string;
  readOnly: boolean;
  guestOk: boolean;
  browseable: boolean;
}

export interface TreeSummary {
  share: string;
  writable: boolean;
}

export interface SessionSummary {
  id: string;
  user: string;
  guest: boolean;
  client: string;
  dialect: string | null;
  signing: boolean;
  encryption: boolean;
  idleSeconds: number;
  trees: TreeSummary[];
  opens: number;
}

export interface Counters {
  connections: number;
  connectionsTotal: number;
  connectionsRefused: number;
  sessions: number;
  trees: number;
  opens: number;
  bytesIn: number;
  bytesOut: number;
  loginFailures: number;
}

export interface StatusResult {
  pid: number;
  version: string;
  state: 'startup' | 'running' | 'shutdown';
  startedAt: string;
  uptimeSeconds: number;
  listening: ListenAddress[];
  config: {file: string; embedded: boolean; pwddb: string; users: number; loadedAt: string};
  engine: string;
  rundir: string;
  log: string;
  debug: string;
  shares: ShareSummary[];
  sessions: SessionSummary[];
  counters: Counters;
}

export interface ReloadResult {
  pid: number;
  shares: number;
  users: number;
  embedded: boolean;
  /** Global parameters that changed in the file but keep their old value until a restart. */
  restartNeeded: string[];
  warnings: string[];
}

export interface DebugResult {
  /** The kernel's format: `[smb] auth vfs oplock ipc conn [rdma] ` (no newline). */
  line: string;
  enabled: string[];
}

export interface VersionResult {
  version: string;
  protocol: number;
  node: string;
  /** The ksmbd-tools release whose command lines and files we follow. */
  toolsCompat: string;
}

// ---- parsing ----

export function errorResponse(code: ControlErrorCode, message: string, id?: string | number, extra: Partial<ControlError> = {}): ControlResponse {
  const r: ControlResponse = {v: CONTROL_PROTOCOL_VERSION, ok: false, error: {code, message, ...extra}};
  if (id !== undefined) r.id = id;
  return r;
}

export function okResponse(result: unknown, id?: string | number): ControlResponse {
  const r: ControlResponse = {v: CONTROL_PROTOCOL_VERSION, ok: true, result};
  if (id !== undefined) r.id = id;
  return r;
}

/** Check one request line; returns the request or an error response to send back. */
export function parseRequest(line: string): {ok: true; req: ControlRequest} | {ok: false; response: ControlResponse} {
  let value: unknown;
  try {
    value = JSON.parse(line);
  } catch (e) {
    return {ok: false, response: errorResponse('MALFORMED', `request is not JSON: ${(e as Error).message}`)};
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return {ok: false, response: errorResponse('MALFORMED', 'request must be a JSON object')};
  }
  const o = value as Record<string, unknown>;
  const id = typeof o.id === 'string' || typeof o.id === 'number' ? o.id : undefined;
  if (o.id !== undefined && id === undefined) return {ok: false, response: errorResponse('MALFORMED', '`id\' must be a string or a number')};
  if (typeof o.v !== 'number') return {ok: false, response: errorResponse('MALFORMED', 'missing protocol version `v\'', id)};
  if (o.v !== CONTROL_PROTOCOL_VERSION)
    return {ok: false, response: errorResponse('VERSION', `protocol version ${o.v} is not supported (this daemon speaks ${CONTROL_PROTOCOL_VERSION})`, id)};
  if (typeof o.cmd !== 'string') return {ok: false, response: errorResponse('MALFORMED', 'missing `cmd\'', id)};
  if (!(CONTROL_COMMANDS as readonly string[]).includes(o.cmd))
    return {ok: false, response: errorResponse('UNKNOWN_COMMAND', `unknown command \`${o.cmd.slice(0, 64)}' (known: ${CONTROL_COMMANDS.join(', ')})`, id)};
  if (o.args !== undefined && (typeof o.args !== 'object' || o.args === null || Array.isArray(o.args)))
    return {ok: false, response: errorResponse('MALFORMED', '`args\' must be an object', id)};
  const req: ControlRequest = {v: o.v, cmd: o.cmd as ControlCommand};
  if (id !== undefined) req.id = id;
  if (o.args !== undefined) req.args = o.args as Record<string, unknown>;
  return {ok: true, req};
}
