// Stands in for the SMB engine until it exists (issue 5): every connection is accepted by the real
// listener and then closed politely (a FIN, no reset), and the log says why. Swapped out by passing
// another EngineFactory to the daemon; nothing else changes.
import type {Socket} from 'node:net';
import type {EngineContext, EngineStats, SessionSummary, SmbEngine} from '../src/engine/types.js';

export class PlaceholderEngine implements SmbEngine {
  readonly name = 'placeholder (SMB not served yet: connections are closed)';
  private readonly open = new Set<Socket>();
  private bytesIn = 0;
  private warned = false;

  constructor(private readonly ctx: EngineContext) {}

  attach(socket: Socket): void {
    this.open.add(socket);
    const peer = `${socket.remoteAddress}:${socket.remotePort}`;
    if (!this.warned) {
      this.ctx.log.info('The SMB engine is not built yet; client connections are closed');
      this.warned = true;
    }
    this.ctx.log.debug('conn', `closing connection from ${peer}: no SMB engine`);
    socket.on('data', (d) => (this.bytesIn += d.length));
    socket.on('error', () => undefined); // a reset by the client is not our problem
    socket.on('close', () => this.open.delete(socket));
    socket.end();
    // A client that never closes its side must not hold the socket open forever.
    socket.setTimeout(2000, () => socket.destroy());
  }

  stats(): EngineStats {
    return {sessions: 0, trees: 0, opens: 0, bytesIn: this.bytesIn, bytesOut: 0};
  }

  sessions(): SessionSummary[] {
    return [];
  }

  killSession(): boolean {
    return false;
  }

  reload(): void {}

  async shutdown(): Promise<void> {
    for (const s of this.open) s.destroy();
  }
}

export const placeholderEngine = (ctx: EngineContext): SmbEngine => new PlaceholderEngine(ctx);
