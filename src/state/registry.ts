/**
 * The one owner of sessions, trees and opens (DESIGN habit 5). Connections and handlers find objects here
 * by wire id; teardown (LOGOFF, TREE_DISCONNECT, a dropped connection, shutdown) goes through here so the
 * services side hears about every tree and session that ends, exactly once.
 */
import type {IpcServices, ShareInfo, UnixIdentity} from '../ipc/types.js';
import type {Logger} from '../log/logger.js';
import {close as fsClose} from 'node:fs';
import {removeStream} from '../vfs/streams.js';
import {FileTable} from './file-table.js';
import {HandleTable, tableId} from './handles.js';
import {Open, type NewOpen} from './open.js';
import {PIPE_FILE_ID_TAG, PipeOpen} from './pipe-open.js';
import {Session, type SessionOwner} from './session.js';
import {Tree} from './tree.js';

export interface NewTree {
  share: ShareInfo;
  writable: boolean;
  identity: UnixIdentity;
  connectionId: number;
  encryptData: boolean;
  maximalAccess: number;
}

export class Registry {
  readonly #sessions = new HandleTable<Session>(32, 21);
  readonly #opens = new HandleTable<Open>(32, 21);
  /** Per-file state (share modes, delete pending, byte-range locks) across every open of the server. */
  readonly files = new FileTable();
  readonly #pipes = new HandleTable<PipeOpen>(32, 21);
  #trees = 0;

  constructor(
    private services: IpcServices,
    private readonly log: Logger,
  ) {}

  get sessionCount(): number {
    return this.#sessions.size;
  }

  get treeCount(): number {
    return this.#trees;
  }

  /** Files, directories and named pipes. */
  get openCount(): number {
    return this.#opens.size + this.#pipes.size;
  }

  sessions(): IterableIterator<Session> {
    return this.#sessions.values();
  }

  newSession(client: string, dialect: number, owner: SessionOwner): Session | undefined {
    return this.#sessions.add((id) => new Session(BigInt(id), client, dialect, owner))?.value;
  }

  session(id: bigint): Session | undefined {
    return this.#sessions.get(tableId(id));
  }

  /** End a session: its trees (and their opens) first, then the session itself. */
  async endSession(s: Session): Promise<void> {
    if (this.#sessions.get(tableId(s.id)) !== s) return;
    const wasValid = s.state === 'valid';
    s.state = 'expired';
    this.#sessions.delete(tableId(s.id));
    s.owner.forget(s);
    s.auth = undefined;
    const trees = [...s.trees.values()];
    for (const t of trees) await this.endTree(s, t);
    if (wasValid && s.identity) {
      this.services.logout({sessionId: s.label, user: s.user, guest: s.guest, identity: s.identity});
    }
  }

  addTree(s: Session, t: NewTree): Tree | undefined {
    const added = s.trees.add(
      (id) => new Tree(id, t.share, t.writable, t.identity, t.connectionId, t.encryptData, t.maximalAccess),
    );
    if (added) this.#trees++;
    return added?.value;
  }

  tree(s: Session, id: number): Tree | undefined {
    return s.trees.get(id);
  }

  async endTree(s: Session, t: Tree): Promise<void> {
    if (s.trees.get(t.id) !== t) return;
    s.trees.delete(t.id);
    t.alive = false;
    this.#trees--;
    this.services.treeDisconnect(t.connectionId);
    for (const o of [...t.opens]) await this.closeOpen(o);
    for (const p of [...t.pipes]) this.closePipe(p);
  }

  addOpen(t: Tree, o: NewOpen): Open | undefined {
    const added = this.#opens.add(
      (id) => new Open(id, t, o),
    );
    if (added) {
      t.opens.add(added.value);
      o.entry.opens.add(added.value);
    }
    return added?.value;
  }

  open(volatileId: bigint): Open | undefined {
    return this.#opens.get(tableId(volatileId));
  }

  /**
   * End an open (CLOSE, TREE_DISCONNECT, LOGOFF, a lost connection): its locks go, its descriptor is
   * closed, delete-on-close marks the file delete pending, and the last open of a delete-pending file
   * removes it (as the identity of the open that asked for it).
   */
  async closeOpen(o: Open): Promise<void> {
    if (this.#opens.get(o.id) !== o) return;
    this.#opens.delete(o.id);
    o.alive = false;
    o.enumeration = undefined;
    o.tree.opens.delete(o);
    const e = o.entry;
    e.opens.delete(o);
    // A break waiting on this open is over: requests waiting for it go on.
    e.oplocks.remove(o);
    if (e.locks.some((l) => l.open === o)) {
      e.locks = e.locks.filter((l) => l.open !== o);
      e.locksReleased();
    }
    if (o.deleteOnClose && !e.deletePending) {
      e.deletePending = true;
      e.deleteBy = {fs: o.fs, rel: o.rel, directory: o.isDirectory, stream: o.stream?.xattr};
    }
    const fd = o.fd;
    o.fd = -1;
    if (fd >= 0) {
      await new Promise<void>((resolve) =>
        fsClose(fd, (err) => {
          if (err) this.log.debug('vfs', `close of ${o.rel} failed: ${err.message}`);
          resolve();
        }),
      );
    }
    if (e.opens.size === 0) {
      this.files.release(e);
      const d = e.deleteBy;
      if (e.deletePending && d && !d.fs.root.closed) {
        e.deletePending = false;
        try {
          await (d.stream !== undefined ? removeStream(d.fs, d.rel, d.stream) : d.directory ? d.fs.rmdir(d.rel) : d.fs.unlink(d.rel));
        } catch (err) {
          this.log.debug('vfs', `delete on close of ${d.rel} failed: ${(err as Error).message}`);
        }
      }
    }
  }

  /** A pipe open holding `handle` from IpcServices.pipeOpen; undefined when the table is full. */
  addPipe(t: Tree, handle: number, name: string, grantedAccess: number): PipeOpen | undefined {
    const added = this.#pipes.add((id) => new PipeOpen(id, t, handle, name, grantedAccess));
    if (added) t.pipes.add(added.value);
    return added?.value;
  }

  /** The pipe open a wire FileId.Volatile names (it carries PIPE_FILE_ID_TAG). */
  pipe(volatileId: bigint): PipeOpen | undefined {
    if ((volatileId & ~(PIPE_FILE_ID_TAG - 1n)) !== PIPE_FILE_ID_TAG) return undefined;
    return this.#pipes.get(tableId(volatileId & (PIPE_FILE_ID_TAG - 1n)));
  }

  /** CLOSE, TREE_DISCONNECT, LOGOFF or a lost connection: the services side closes the pipe, waiting READs end. */
  closePipe(p: PipeOpen): void {
    if (this.#pipes.get(p.id) !== p) return;
    this.#pipes.delete(p.id);
    p.alive = false;
    p.tree.pipes.delete(p);
    this.services.pipeClose(p.handle);
    for (const w of p.waiters.splice(0)) w.cancel();
  }

  /** A reload swaps the services object only when the daemon builds a new one. */
  setServices(services: IpcServices): void {
    this.services = services;
  }
}
