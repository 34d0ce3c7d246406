// The daemon's side of the control socket. Access control is the socket's mode: 0600, owned by the
// daemon's user, so only that user and root can connect (Node exposes no SO_PEERCRED to check the
// peer's uid itself). Every request gets an answer line, bad ones an error; nothing a client sends
// can throw out of here, and a client is never allowed to make the daemon buffer more than
// MAX_REQUEST_BYTES.
import {chmodSync, unlinkSync} from 'node:fs';
import {createServer, type Server, type Socket} from 'node:net';
import {errorResponse, MAX_REQUEST_BYTES, okResponse, parseRequest, type ControlError, type ControlRequest, type ControlResponse} from '../src/control/protocol.js';
import type {Logger} from '../src/log/logger.js';

/** A handler's refusal, sent to the client as {ok:false,error}. */
export class ControlFailure extends Error {
  constructor(readonly error: ControlError) {
    super(error.message);
    this.name = 'ControlFailure';
  }
}

export interface HandlerResult {
  result: unknown;
  /** Runs once the answer has been written (e.g. shutting down after saying so). */
  after?: () => void;
}

export type ControlHandler = (req: ControlRequest) => Promise<HandlerResult>;

const MAX_CLIENTS = 16;
const IDLE_MS = 60_000;

export class ControlServer {
  private server: Server | undefined;
  private readonly clients = new Set<Socket>();

  constructor(
    private readonly path: string,
    private readonly handler: ControlHandler,
    private readonly log: Logger,
  ) {}

  async listen(): Promise<void> {
    try {
      unlinkSync(this.path); // left by a daemon that died; we hold the lock, so it is not in use
    } catch {
      /* none */
    }
    const server = createServer((s) => this.serve(s));
    // umask first so that the socket never exists with a wider mode, even for an instant.
    const old = process.umask(0o177);
    try {
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(this.path, () => {
          server.off('error', reject);
          resolve();
        });
      });
    } finally {
      process.umask(old);
    }
    chmodSync(this.path, 0o600);
    server.on('error', (e) => this.log.error(`control socket: ${e.message}`));
    this.server = server;
  }

  private send(s: Socket, r: ControlResponse, then?: () => void): void {
    if (s.destroyed) return;
    s.write(JSON.stringify(r) + '\n', () => then?.());
  }

  private serve(s: Socket): void {
    if (this.clients.size >= MAX_CLIENTS) {
      s.on('error', () => undefined);
      s.end(JSON.stringify(errorResponse('INTERNAL', 'too many control clients; try again')) + '\n');
      return;
    }
    this.clients.add(s);
    s.on('close', () => this.clients.delete(s));
    s.on('error', () => undefined);
    s.setTimeout(IDLE_MS, () => s.destroy());
    let pending: Buffer[] = [];
    let pendingLen = 0;
    let queue = Promise.resolve();
    const lineTooLong = () => {
      this.log.warn(`control: request over ${MAX_REQUEST_BYTES} bytes refused`);
      this.send(s, errorResponse('TOO_LARGE', `request exceeds ${MAX_REQUEST_BYTES} bytes`), () => s.end());
      pending = [];
      pendingLen = 0;
      s.pause();
    };
    s.on('data', (chunk: Buffer) => {
      let start = 0;
      for (let nl = chunk.indexOf(10); nl >= 0; nl = chunk.indexOf(10, start)) {
        const part = chunk.subarray(start, nl);
        start = nl + 1;
        if (pendingLen + part.length > MAX_REQUEST_BYTES) return lineTooLong();
        const line = Buffer.concat([...pending, part]).toString('utf8').trim();
        pending = [];
        pendingLen = 0;
        if (line !== '') queue = queue.then(() => this.handleLine(s, line));
      }
      const rest = chunk.subarray(start);
      if (pendingLen + rest.length > MAX_REQUEST_BYTES) return lineTooLong();
      if (rest.length > 0) {
        pending.push(rest);
        pendingLen += rest.length;
      }
    });
  }

  private async handleLine(s: Socket, line: string): Promise<void> {
    const parsed = parseRequest(line);
    if (!parsed.ok) {
      this.log.debug('ipc', `control: bad request: ${parsed.response.ok ? '' : parsed.response.error.message}`);
      this.send(s, parsed.response);
      return;
    }
    const {req} = parsed;
    try {
      const {result, after} = await this.handler(req);
      this.send(s, okResponse(result, req.id), after);
    } catch (e) {
      if (e instanceof ControlFailure) this.send(s, errorResponse(e.error.code, e.error.message, req.id, e.error));
      else {
        this.log.error(`control: ${req.cmd} failed: ${(e as Error).stack ?? e}`);
        this.send(s, errorResponse('INTERNAL', `${req.cmd} failed: ${(e as Error).message}`, req.id));
      }
    }
  }

  close(): Promise<void> {
    for (const c of this.clients) c.end();
    const server = this.server;
    this.server = undefined;
    if (!server) return Promise.resolve();
    return new Promise((resolve) => {
      const t = setTimeout(() => {
        for (const c of this.clients) c.destroy();
      }, 500);
      server.close(() => {
        clearTimeout(t);
        resolve();
      });
    });
  }
}
