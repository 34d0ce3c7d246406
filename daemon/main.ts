// The daemon: boot (lock, config, subauth, listener, control socket, runtime files), signals, reload
// and a bounded graceful shutdown. commands/mountd.ts is the only door in.
import {existsSync, mkdirSync} from 'node:fs';
import {join} from 'node:path';
import {ConfigError} from '../src/config/errors.js';
import {globalValue, type LoadedConfig} from '../src/config/load.js';
import {runtimePaths, type RuntimePaths} from '../src/control/paths.js';
import type {ListenAddress} from '../src/control/protocol.js';
import {productVersion} from '../src/control/version.js';
import {onGcmWorkerRetired} from '../src/crypto/gcm-offload.js';
import type {EngineFactory, SmbEngine} from '../src/engine/types.js';
import {createSmbEngine} from '../src/engine/index.js';
import {SystemAccounts} from '../src/ipc/accounts.js';
import {ConfigServices, clampConnections} from '../src/ipc/services.js';
import {Logger} from '../src/log/logger.js';
import {FileSink, StderrSink, SyslogSink, type LogSink} from '../src/log/sinks.js';
import {changedGlobals, EMBEDDED_NAME, loadState, notActedOn, type ServedState} from './config-state.js';
import {ControlFailure, ControlServer} from './control-server.js';
import {makeControlHandler} from './control-handler.js';
import {reportToParent} from './detach.js';
import {bindAddresses, Listener} from './listener.js';
import {acquireLock, LockHeld, releaseLock} from './lock.js';
import {removeFiles, writeDebugFile, writeStatsFile} from './runtime-files.js';
import {MemoryKeeper} from './memory.js';
import {sdNotify} from './sd-notify.js';
import {loadSubauth, subauthPath} from './subauth.js';

export interface MountdOptions {
  configFile: string;
  pwddbFile: string;
  rundir?: string;
  port?: number;
  verbose: boolean;
  /** foreground: log to stderr; child: the detached daemon (syslog / log file, reports to its parent). */
  mode: 'foreground' | 'child';
  engine?: EngineFactory;
}

const SHUTDOWN_BUDGET_MS = 4000;

export function formatAddress(a: ListenAddress): string {
  return a.family === 'IPv6' ? `[${a.address}]:${a.port}` : `${a.address}:${a.port}`;
}

/** The detached daemon's sink: `log file`, else syslog, else a file in the rundir (no /dev/log). */
function detachedSink(config: LoadedConfig, paths: RuntimePaths): LogSink {
  const file = globalValue<string>(config, 'log file');
  if (file) return new FileSink(file);
  const fallback = join(paths.rundir, 'ksmbd.log');
  return SyslogSink.available() ? new SyslogSink(fallback) : new FileSink(fallback);
}

export class Daemon {
  readonly log = new Logger();
  readonly paths: RuntimePaths;
  readonly startedAt = new Date();
  state: 'startup' | 'running' | 'shutdown' = 'startup';
  served!: ServedState;
  services!: ConfigServices;
  engine!: SmbEngine;
  listener!: Listener;
  listening: ListenAddress[] = [];
  port = 0;
  private control!: ControlServer;
  private statsTimer: NodeJS.Timeout | undefined;
  private memory: MemoryKeeper | undefined;
  private stopTrimOnRetire: (() => void) | undefined;
  private lockTaken = false;

  constructor(readonly opts: MountdOptions) {
    this.paths = runtimePaths(opts.rundir);
    if (opts.mode === 'foreground') this.log.setSink(new StderrSink());
    if (opts.verbose) this.log.debugSwitches.setAll(true);
  }

  /** Start everything; resolves once ready, throws a message for the operator otherwise. */
  async start(): Promise<void> {
    const {paths, log, opts} = this;
    // Allocator settings first, before the big buffers come (daemon/memory.ts).
    this.memory = new MemoryKeeper(() => this.engine?.releaseSpareBuffers?.());
    this.stopTrimOnRetire = onGcmWorkerRetired(() => this.memory?.requestTrim());
    mkdirSync(paths.rundir, {recursive: true, mode: 0o755});
    const taken = acquireLock(paths.lock);
    this.lockTaken = true;
    this.served = loadState(opts.configFile, opts.pwddbFile);
    const {config} = this.served;
    if (opts.mode === 'child') log.setSink(detachedSink(config, paths));
    log.info(`Starting ksmbd ${productVersion()} (pid ${process.pid})`);
    if (taken) log.info(`Took over ${taken} in \`${paths.lock}'`);
    this.reportLoaded(true);
    for (const p of notActedOn(config)) log.info(`Parameter \`${p}' is accepted but not acted on yet`);
    const subauth = loadSubauth(subauthPath(opts.configFile), log);

    this.services = new ConfigServices(config, this.served.db, new SystemAccounts(), log, subauth);
    this.engine = (opts.engine ?? createSmbEngine)({services: this.services, log, config, subauth});
    this.port = opts.port ?? globalValue<number>(config, 'tcp port');
    const bindOnly = globalValue<boolean>(config, 'bind interfaces only');
    this.listener = new Listener({
      port: this.port,
      maxConnections: clampConnections(globalValue<number>(config, 'max connections')),
      maxPerIp: clampConnections(globalValue<number>(config, 'max ip connections')),
      interfaces: bindOnly ? bindAddresses(globalValue<string[]>(config, 'interfaces'), log) : [],
      log,
      onConnection: (s) => this.engine.attach(s),
    });
    this.listening = await this.listener.listen();
    this.control = new ControlServer(paths.socket, makeControlHandler(this), log);
    await this.control.listen();
    writeDebugFile(paths.debug, log.debugSwitches.line());
    this.writeStats();
    this.statsTimer = setInterval(() => {
      this.writeStats();
      const e = this.engine.stats();
      this.memory?.tick(e.bytesIn + e.bytesOut, this.listener.connectionsTotal - this.listener.connections);
    }, 1000);
    this.statsTimer.unref();
    this.installSignals();
    this.state = 'running';
    this.writeStats();
    log.info(`Listening on ${this.listening.map(formatAddress).join(', ')}; control socket \`${paths.socket}'`);
    sdNotify(['READY=1', `STATUS=Listening on port ${this.port}`, `MAINPID=${process.pid}`], log);
  }

  /** Log what a (re)load brought in. */
  private reportLoaded(first: boolean): void {
    const s = this.served;
    const {log} = this;
    if (s.embedded) {
      const share = s.config.shares.get('share');
      const path = share?.values.get('path') as string | undefined;
      log.info(`No configuration file \`${s.configFile}'; using the ${EMBEDDED_NAME}: one writable share [share] at \`${path}'`);
      if (path && !existsSync(path)) {
        try {
          mkdirSync(path, {recursive: true, mode: 0o755});
          log.info(`Created \`${path}'`);
        } catch (e) {
          log.warn(`Can't create \`${path}': ${(e as Error).message}`);
        }
      }
    } else if (first) log.info(`Loaded \`${s.configFile}'`);
    for (const w of s.warnings) log.warn(w);
    if (s.dbMissing) log.info(`No user database \`${s.pwddbFile}'; only guest access is possible`);
    else log.info(`${s.db.users.size} user(s) in \`${s.pwddbFile}'`);
  }

  /**
   * Reload users and shares. Applies only a configuration that parses and validates whole; global
   * parameters keep their running values (they need a restart) and the names of changed ones are
   * returned and logged.
   */
  reload(trigger: string): {restartNeeded: string[]; warnings: string[]} {
    const {log} = this;
    let next: ServedState;
    try {
      next = loadState(this.opts.configFile, this.opts.pwddbFile);
    } catch (e) {
      const err = e instanceof ConfigError ? e : new ConfigError((e as Error).message, 'CONF_IO', this.opts.configFile);
      log.error(`Reload (${trigger}) refused, the previous configuration stays in force: ${err.located}`);
      throw new ControlFailure({code: 'CONFIG_INVALID', message: err.located, file: err.file, line: err.line});
    }
    const restartNeeded = changedGlobals(this.served.config, next.config);
    // Shares and users from the new file, globals as they were at start.
    const effective: LoadedConfig = {...next.config, global: this.served.config.global};
    this.served = {...next, config: effective};
    this.services.update(effective, next.db);
    this.engine.reload(effective);
    this.reportLoaded(false);
    log.info(`Reloaded config (${trigger}): ${this.shareCount()} share(s), ${next.db.users.size} user(s)`);
    if (restartNeeded.length > 0) log.warn(`Changed global parameters not applied until a restart: ${restartNeeded.join(', ')}`);
    return {restartNeeded, warnings: next.warnings};
  }

  shareCount(): number {
    return this.served.config.shares.size;
  }

  counters() {
    const e = this.engine.stats();
    return {
      connections: this.listener.connections,
      connectionsTotal: this.listener.connectionsTotal,
      connectionsRefused: this.listener.connectionsRefused,
      sessions: e.sessions,
      trees: e.trees,
      opens: e.opens,
      bytesIn: e.bytesIn,
      bytesOut: e.bytesOut,
      loginFailures: this.services.loginFailures,
    };
  }

  uptimeSeconds(): number {
    return Math.floor((Date.now() - this.startedAt.getTime()) / 1000);
  }

  writeStats(): void {
    if (this.state === 'shutdown') return;
    try {
      writeStatsFile(this.paths.stats, {state: this.state, port: this.port, uptimeSeconds: this.uptimeSeconds(), ...this.counters()});
    } catch (e) {
      this.log.debug('conn', `can't write stats: ${(e as Error).message}`);
    }
  }

  toggleDebug(component: string): void {
    this.log.debugSwitches.toggle(component);
    writeDebugFile(this.paths.debug, this.log.debugSwitches.line());
    this.log.info(`Debug components: ${this.log.debugSwitches.line().trimEnd()}`);
  }

  private installSignals(): void {
    process.on('SIGHUP', () => {
      try {
        this.reload('SIGHUP');
      } catch {
        /* already logged; the old configuration stays */
      }
    });
    for (const sig of ['SIGTERM', 'SIGINT', 'SIGQUIT'] as const) process.on(sig, () => void this.shutdown(sig));
  }

  /** Stop accepting, close sessions, remove runtime files, exit; never takes longer than the budget. */
  async shutdown(reason: string, code = 0): Promise<void> {
    if (this.state === 'shutdown') return;
    this.state = 'shutdown';
    const {log} = this;
    log.info(`Terminating (${reason})`);
    sdNotify(['STOPPING=1'], log);
    const hard = setTimeout(() => {
      log.error('Shutdown took too long; exiting now');
      this.cleanup();
      process.exit(1);
    }, SHUTDOWN_BUDGET_MS);
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.stopTrimOnRetire?.();
    const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms).unref());
    const closing = this.listener?.close() ?? Promise.resolve();
    try {
      if (this.engine) await Promise.race([this.engine.shutdown(2500), sleep(2500)]);
    } catch (e) {
      log.error(`engine shutdown: ${(e as Error).message}`);
    }
    this.listener?.destroyAll();
    await Promise.race([closing, sleep(300)]);
    await Promise.race([this.control?.close() ?? Promise.resolve(), sleep(500)]);
    this.cleanup();
    log.info('Terminated');
    clearTimeout(hard);
    await Promise.race([log.close(), sleep(500)]);
    process.exit(code);
  }

  /** After a failed start: close whatever was opened so that the process can end. */
  async shutdownQuietly(): Promise<void> {
    this.state = 'shutdown';
    if (this.statsTimer) clearInterval(this.statsTimer);
    this.stopTrimOnRetire?.();
    this.listener?.destroyAll();
    await Promise.all([this.listener?.close(), this.control?.close()]);
    await this.log.close();
  }

  /** Runtime files go; the lock only if it is still ours. */
  cleanup(): void {
    removeFiles([this.paths.socket, this.paths.debug, this.paths.stats]);
    if (this.lockTaken) releaseLock(this.paths.lock);
  }
}

/**
 * Run the daemon in this process. Returns an exit code only when the start fails; once running, the
 * process ends through shutdown().
 */
export async function runDaemon(opts: MountdOptions): Promise<number> {
  const d = new Daemon(opts);
  // Habit 4: anything unexpected is logged with its stack and the server goes on.
  process.on('uncaughtException', (e) => d.log.error(`unexpected error: ${e.stack ?? e}`));
  process.on('unhandledRejection', (e) => d.log.error(`unexpected rejection: ${(e as Error)?.stack ?? e}`));
  try {
    await d.start();
  } catch (e) {
    const message = e instanceof ConfigError ? e.located : e instanceof LockHeld ? e.message : (e as Error).message;
    d.log.error(message);
    if (opts.mode === 'child') reportToParent({type: 'failed', message});
    if (!(e instanceof LockHeld)) d.cleanup();
    await d.shutdownQuietly();
    return 1;
  }
  if (opts.mode === 'child') reportToParent({type: 'ready', pid: process.pid, listening: d.listening.map(formatAddress), log: d.log.sinkDescription});
  return 0;
}
