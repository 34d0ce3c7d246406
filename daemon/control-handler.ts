// What each control request does. Shapes are in src/control/protocol.ts.
import {CONTROL_PROTOCOL_VERSION, type DebugResult, type ReloadResult, type ShareSummary, type StatusResult, type VersionResult} from '../src/control/protocol.js';
import {productVersion} from '../src/control/version.js';
import {parseToggleName, toggleNames} from '../src/log/components.js';
import {TOOLS_VERSION} from '../src/cli/tool-log.js';
import type {ControlHandler} from './control-server.js';
import {ControlFailure} from './control-server.js';
import type {Daemon} from './main.js';

function debugResult(d: Daemon): DebugResult {
  return {line: d.log.debugSwitches.line(), enabled: d.log.debugSwitches.enabled()};
}

export function shareSummaries(d: Daemon): ShareSummary[] {
  return d.services.shares().map((s) => ({name: s.name, path: s.path, comment: s.comment, readOnly: s.readOnly, guestOk: s.guestOk, browseable: s.browseable}));
}

export function statusResult(d: Daemon): StatusResult {
  const s = d.served;
  return {
    pid: process.pid,
    version: productVersion(),
    state: d.state,
    startedAt: d.startedAt.toISOString(),
    uptimeSeconds: d.uptimeSeconds(),
    listening: d.listening,
    config: {file: s.configFile, embedded: s.embedded, pwddb: s.pwddbFile, users: s.db.users.size, loadedAt: s.loadedAt.toISOString()},
    engine: d.engine.name,
    rundir: d.paths.rundir,
    log: d.log.sinkDescription,
    debug: d.log.debugSwitches.line(),
    shares: shareSummaries(d),
    sessions: d.engine.sessions(),
    counters: d.counters(),
  };
}

function stringArg(args: Record<string, unknown> | undefined, name: string): string {
  const v = args?.[name];
  if (typeof v !== 'string' || v.length === 0 || v.length > 256) throw new ControlFailure({code: 'BAD_ARGS', message: `\`${name}' must be a non-empty string`});
  return v;
}

export function makeControlHandler(d: Daemon): ControlHandler {
  return async (req) => {
    if (d.state === 'shutdown' && req.cmd !== 'status' && req.cmd !== 'version') throw new ControlFailure({code: 'SHUTTING_DOWN', message: 'the daemon is shutting down'});
    switch (req.cmd) {
      case 'status':
        return {result: statusResult(d)};
      case 'version': {
        const r: VersionResult = {version: productVersion(), protocol: CONTROL_PROTOCOL_VERSION, node: process.version, toolsCompat: TOOLS_VERSION};
        return {result: r};
      }
      case 'reload': {
        const {restartNeeded, warnings} = d.reload('control');
        const r: ReloadResult = {pid: process.pid, shares: d.shareCount(), users: d.served.db.users.size, embedded: d.served.embedded, restartNeeded, warnings};
        return {result: r};
      }
      case 'shutdown':
        return {result: {pid: process.pid, stopping: true}, after: () => void d.shutdown('control')};
      case 'debug.get':
        return {result: debugResult(d)};
      case 'debug.toggle': {
        const c = stringArg(req.args, 'component');
        if (parseToggleName(c) === undefined) throw new ControlFailure({code: 'BAD_ARGS', message: `unknown debug component \`${c}' (expected ${toggleNames()})`});
        d.toggleDebug(c);
        return {result: debugResult(d)};
      }
      case 'shares.list':
        return {result: {shares: shareSummaries(d)}};
      case 'sessions.list':
        return {result: {sessions: d.engine.sessions()}};
      case 'sessions.kill': {
        const id = stringArg(req.args, 'id');
        if (!d.engine.killSession(id)) throw new ControlFailure({code: 'NOT_FOUND', message: `no session \`${id}'`});
        d.log.info(`Session ${id} disconnected on request`);
        return {result: {killed: id}};
      }
    }
  };
}
