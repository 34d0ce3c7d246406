/**
 * The SMB2/SMB3 engine: createSmbEngine is the EngineFactory the daemon calls. It owns the connections and,
 * through the Registry, every session, tree and open; users and shares come from the services side.
 */
import type {Socket} from 'node:net';
import type {LoadedConfig} from '../config/load.js';
import {Registry} from '../state/registry.js';
import {filetimeFromDate} from '../wire/filetime.js';
import {Connection} from './connection.js';
import type {ServerContext} from './context.js';
import {readSettings} from './settings.js';
import type {EngineContext, EngineFactory, EngineStats, SessionSummary, SmbEngine} from './types.js';

const DIALECT_NAMES: Record<number, string> = {0x0202: '2.0.2', 0x0210: '2.1', 0x0300: '3.0', 0x0302: '3.0.2', 0x0311: '3.1.1'};

export class Engine implements SmbEngine {
  readonly name = 'ksmbd-node SMB2/SMB3 engine';
  readonly server: ServerContext;
  readonly #connections = new Set<Connection>();
  #closedBytesIn = 0;
  #closedBytesOut = 0;
  #shuttingDown = false;

  constructor(private readonly ctx: EngineContext) {
    const settings = readSettings(ctx.config, ctx.subauth);
    this.server = {
      settings,
      services: ctx.services,
      log: ctx.log,
      registry: new Registry(ctx.services, ctx.log),
      startTime: filetimeFromDate(new Date()),
      logonFailureDelayMs: 200 + Math.floor(Math.random() * 300),
    };
  }

  attach(socket: Socket): void {
    if (this.#shuttingDown) {
      socket.destroy();
      return;
    }
    const c = new Connection(this.server, socket, (conn) => {
      this.#connections.delete(conn);
      this.#closedBytesIn += conn.bytesIn;
      this.#closedBytesOut += conn.bytesOut;
    });
    this.#connections.add(c);
    this.ctx.log.debug('conn', `connection from ${c.peer}`);
  }

  releaseSpareBuffers(): void {
    for (const c of this.#connections) c.releaseSpareBuffers();
  }

  stats(): EngineStats {
    let bytesIn = this.#closedBytesIn;
    let bytesOut = this.#closedBytesOut;
    for (const c of this.#connections) {
      bytesIn += c.bytesIn;
      bytesOut += c.bytesOut;
    }
    const r = this.server.registry;
    return {sessions: r.sessionCount, trees: r.treeCount, opens: r.openCount, bytesIn, bytesOut};
  }

  sessions(): SessionSummary[] {
    const out: SessionSummary[] = [];
    for (const s of this.server.registry.sessions()) {
      if (s.state !== 'valid') continue;
      let opens = 0;
      const trees = [];
      for (const t of s.trees.values()) {
        opens += t.opens.size;
        trees.push({share: t.share.name, writable: t.writable});
      }
      out.push({
        id: s.label,
        user: s.user,
        guest: s.guest,
        client: s.client,
        dialect: DIALECT_NAMES[s.dialect] ?? null,
        signing: s.signingRequired,
        encryption: s.encryptData,
        idleSeconds: Math.floor((Date.now() - s.lastActivity) / 1000),
        trees,
        opens,
      });
    }
    return out;
  }

  killSession(id: string): boolean {
    for (const s of this.server.registry.sessions()) {
      if (s.label === id.toLowerCase().padStart(16, '0')) {
        s.owner.drop(`session ${s.label} killed by the administrator`);
        return true;
      }
    }
    return false;
  }

  reload(config: LoadedConfig): void {
    // Globals need a restart; users and shares are answered by the services side, which the daemon updates.
    // Open trees keep the decision made when they connected.
    this.ctx.log.debug('smb', `reload: ${config.shares.size} share(s); open trees keep their settings`);
  }

  async shutdown(deadlineMs: number): Promise<void> {
    this.#shuttingDown = true;
    const closing = [...this.#connections].map(
      (c) =>
        new Promise<void>((resolve) => {
          if (c.socket.destroyed) return resolve();
          c.socket.once('close', () => resolve());
          c.drop('shutdown');
        }),
    );
    await Promise.race([Promise.all(closing), new Promise((r) => setTimeout(r, deadlineMs).unref())]);
    // Sessions still registered (their teardown races the deadline) are ended here.
    for (const s of [...this.server.registry.sessions()]) await this.server.registry.endSession(s);
  }
}

export const createSmbEngine: EngineFactory = (ctx) => new Engine(ctx);
