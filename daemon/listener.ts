// The SMB listener: real TCP sockets on `tcp port` (or -p), on every address or only on `interfaces`
// when `bind interfaces only` is set. The connection caps (`max connections`, `max ip connections`)
// are enforced here, before the engine sees a socket, so that a flood never reaches protocol code.
import {createServer, isIP, type Server, type Socket} from 'node:net';
import {networkInterfaces} from 'node:os';
import type {ListenAddress} from '../src/control/protocol.js';
import {normalizeAddress} from '../src/ipc/hosts.js';
import type {Logger} from '../src/log/logger.js';

export interface ListenerOptions {
  port: number;
  maxConnections: number;
  maxPerIp: number;
  /** Empty: every address (dual-stack). */
  interfaces: string[];
  log: Logger;
  onConnection(socket: Socket): void;
}

/** Addresses for `interfaces` entries: literal addresses as given, interface names expanded. */
export function bindAddresses(interfaces: string[], log: Logger): string[] {
  const nics = networkInterfaces();
  const out: string[] = [];
  for (const entry of interfaces) {
    if (isIP(entry)) out.push(entry);
    else if (nics[entry]) {
      // Link-local IPv6 addresses need a scope id and are rarely what SMB clients use.
      for (const a of nics[entry]!) if (!(a.family === 'IPv6' && a.address.startsWith('fe80:'))) out.push(a.address);
    } else log.warn(`interfaces: \`${entry}' is neither an address nor a network interface; ignored`);
  }
  return [...new Set(out)];
}

export class Listener {
  private readonly servers: Server[] = [];
  private readonly sockets = new Set<Socket>();
  private readonly perIp = new Map<string, number>();
  connectionsTotal = 0;
  connectionsRefused = 0;

  constructor(private readonly opts: ListenerOptions) {}

  get connections(): number {
    return this.sockets.size;
  }

  private accept(socket: Socket): void {
    const ip = normalizeAddress(socket.remoteAddress ?? '');
    const fromIp = this.perIp.get(ip) ?? 0;
    const why =
      this.sockets.size >= this.opts.maxConnections ? `max connections (${this.opts.maxConnections})` : fromIp >= this.opts.maxPerIp ? `max ip connections (${this.opts.maxPerIp})` : undefined;
    if (why) {
      this.connectionsRefused++;
      this.opts.log.debug('conn', `refused connection from ${ip}: ${why} reached`);
      socket.on('error', () => undefined);
      socket.destroy();
      return;
    }
    this.connectionsTotal++;
    this.sockets.add(socket);
    this.perIp.set(ip, fromIp + 1);
    socket.on('close', () => {
      this.sockets.delete(socket);
      const n = (this.perIp.get(ip) ?? 1) - 1;
      if (n <= 0) this.perIp.delete(ip);
      else this.perIp.set(ip, n);
    });
    this.opts.log.debug('conn', `connection from ${ip}:${socket.remotePort}`);
    try {
      this.opts.onConnection(socket);
    } catch (e) {
      // The engine failing on one socket must not stop the listener.
      this.opts.log.error(`engine failed to take a connection: ${(e as Error).stack ?? e}`);
      socket.destroy();
    }
  }

  private listenOn(host: string): Promise<Server> {
    return new Promise((resolve, reject) => {
      const server = createServer((s) => this.accept(s));
      server.once('error', reject);
      server.listen({port: this.opts.port, host, ipv6Only: false}, () => {
        server.off('error', reject);
        server.on('error', (e) => this.opts.log.error(`listener on ${host}: ${e.message}`));
        resolve(server);
      });
    });
  }

  async listen(): Promise<ListenAddress[]> {
    const hosts = this.opts.interfaces.length > 0 ? this.opts.interfaces : ['::'];
    for (const host of hosts) {
      try {
        this.servers.push(await this.listenOn(host));
      } catch (e) {
        const code = (e as NodeJS.ErrnoException).code;
        // No IPv6 on this machine: fall back to IPv4 only.
        if (host === '::' && (code === 'EAFNOSUPPORT' || code === 'EADDRNOTAVAIL')) this.servers.push(await this.listenOn('0.0.0.0'));
        else {
          await this.close();
          const why = code === 'EADDRINUSE' ? 'the port is in use' : code === 'EACCES' ? 'permission denied (ports below 1024 need root)' : (e as Error).message;
          throw new Error(`cannot listen on ${host.includes(':') ? `[${host}]` : host}:${this.opts.port}: ${why}`);
        }
      }
    }
    return this.addresses();
  }

  addresses(): ListenAddress[] {
    return this.servers.flatMap((s) => {
      const a = s.address();
      return a && typeof a === 'object' ? [{address: a.address, port: a.port, family: a.family}] : [];
    });
  }

  /** Stop accepting; existing connections are the engine's to close. */
  close(): Promise<void> {
    return Promise.all(this.servers.map((s) => new Promise<void>((r) => s.close(() => r())))).then(() => undefined);
  }

  destroyAll(): void {
    for (const s of this.sockets) s.destroy();
  }
}
