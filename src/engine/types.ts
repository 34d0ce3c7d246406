// The contract between the daemon and the SMB engine. The daemon owns the process (listener, control
// socket, signals, config reloads); the engine owns connections and protocol state. The daemon hands
// each accepted socket to attach(), asks for figures and sessions for `ksmbd status`, forwards reloads
// and shutdown. The engine reaches users and shares only through IpcServices (src/ipc).
import type {Socket} from 'node:net';
import type {LoadedConfig} from '../config/load.js';
import type {Counters, SessionSummary} from '../control/protocol.js';
import type {IpcServices} from '../ipc/types.js';
import type {Logger} from '../log/logger.js';

export type {SessionSummary};

/** Figures the engine keeps; the listener adds its own connection counts (see Counters). */
export type EngineStats = Pick<Counters, 'sessions' | 'trees' | 'opens' | 'bytesIn' | 'bytesOut'>;
// Failed logins are counted by the services side (IpcServices.loginFailed), not here.

export interface EngineContext {
  services: IpcServices;
  log: Logger;
  /** The configuration in force (globals never change without a restart). */
  config: LoadedConfig;
  /** Server GUID and SID subauths are stable across restarts. */
  subauth: [number, number, number];
}

export interface SmbEngine {
  /** Shown by `ksmbd status`. */
  readonly name: string;
  /** Take over an accepted TCP connection (limits already checked by the listener). */
  attach(socket: Socket): void;
  stats(): EngineStats;
  sessions(): SessionSummary[];
  /** Drop one session and its connection; false if no such session. */
  killSession(id: string): boolean;
  /** Users or shares changed: new logins and tree connects see `config`; open trees are re-checked as the engine sees fit. */
  reload(config: LoadedConfig): void;
  /** Stop: close sessions, flush, end every connection. The daemon gives up waiting after `deadlineMs`. */
  shutdown(deadlineMs: number): Promise<void>;
  /** Traffic stopped: drop buffers kept for reuse (the daemon then collects garbage and trims the heap). */
  releaseSpareBuffers?(): void;
}

export type EngineFactory = (ctx: EngineContext) => SmbEngine;
