// The services side of src/ipc, answered from the loaded ksmbd.conf and ksmbdpwd.db. The daemon swaps
// the configuration on reload with update(); answers always come from one consistent snapshot.
// Logged under the `ipc` debug component; NT hashes are handed to the engine, never logged.
import {join} from 'node:path';
import {findShare, globalValue, shareValue, type LoadedConfig, type ShareConfig} from '../config/load.js';
import {isIpcName, shareKey} from '../config/names.js';
import type {Tristate} from '../config/values.js';
import type {Logger} from '../log/logger.js';
import {userNtHash, type PwdDb} from '../users/pwddb.js';
import {RpcPipes} from '../rpc/pipe.js';
import {serverData} from '../rpc/server-data.js';
import {identityOf, type AccountDb} from './accounts.js';
import {hostAllowed, normalizeAddress, parseHostList} from './hosts.js';
import type {
  IpcServices,
  LoginRequest,
  LoginResponse,
  PipeOpenRequest,
  PipeOpenResponse,
  PipePeekResponse,
  PipeReadResponse,
  PipeWriteResponse,
  RpcRequest,
  RpcResponse,
  SessionIdentity,
  ShareInfo,
  TreeConnectRequest,
  TreeConnectResponse,
  UnixIdentity,
} from './types.js';

/** ksmbd-tools' clamp for connection limits: 0 or more than 65536 means 65536. */
export function clampConnections(n: number): number {
  return n <= 0 || n > 65536 ? 65536 : n;
}

const NOBODY: UnixIdentity = {name: 'nobody', uid: 65534, gid: 65534, groups: [65534]};

export class ConfigServices implements IpcServices {
  private config: LoadedConfig;
  private db: PwdDb;
  /** Open tree connects: id -> share key, and share key -> count (for `max connections`). */
  private readonly trees = new Map<number, string>();
  private readonly perShare = new Map<string, number>();
  private nextTreeId = 1;
  loginFailures = 0;
  /** Named pipes on IPC$ (srvsvc, wkssvc, lsarpc, samr); they answer from the configuration in force. */
  private readonly pipes: RpcPipes;

  constructor(
    config: LoadedConfig,
    db: PwdDb,
    private readonly accounts: AccountDb,
    private readonly log: Logger,
    /** The server SID's subauthorities (ksmbd.subauth): S-1-5-21-A-B-C for lsarpc and samr. */
    private readonly subauth: readonly [number, number, number] = [0, 0, 0],
  ) {
    this.config = config;
    this.db = db;
    this.pipes = new RpcPipes(() => this.rpcData(), log);
  }

  private rpcData() {
    return serverData({
      config: this.config,
      db: this.db,
      accounts: this.accounts,
      subauth: this.subauth,
      shares: () => this.shares(),
      share: (name) => this.shareConfig(name),
      currentUses: (name) => this.perShare.get(shareKey(name)) ?? 0,
    });
  }

  /** Swap in a new configuration (reload). Open trees stay; new limits apply to new connects. */
  update(config: LoadedConfig, db: PwdDb): void {
    this.config = config;
    this.db = db;
  }

  private guestIdentity(): UnixIdentity {
    const name = globalValue<string>(this.config, 'guest account') || 'nobody';
    return identityOf(this.accounts, name) ?? {...NOBODY, name};
  }

  login(req: LoginRequest): LoginResponse {
    const who = `\`${req.user}'${req.client ? ` from ${req.client}` : ''}`;
    if (req.user === '') {
      this.log.debug('ipc', `login: anonymous${req.client ? ` from ${req.client}` : ''}`);
      return {status: 'guest', user: '', guest: true, anonymous: true, identity: this.guestIdentity()};
    }
    const hash = userNtHash(this.db, req.user);
    if (hash) {
      const id = identityOf(this.accounts, req.user);
      if (!id) this.log.debug('ipc', `login: ${who} has no Unix account; file access runs as the guest account`);
      this.log.debug('ipc', `login: ${who} known`);
      return {status: 'ok', user: req.user, guest: false, ntHash: hash, identity: id ?? this.guestIdentity(), unixAccount: id !== undefined};
    }
    if (globalValue<string>(this.config, 'map to guest') === 'bad user') {
      this.log.debug('ipc', `login: unknown user ${who} mapped to the guest account`);
      const g = this.guestIdentity();
      return {status: 'guest', user: g.name, guest: true, anonymous: false, identity: g};
    }
    this.log.debug('ipc', `login: unknown user ${who}`);
    return {status: 'no-such-user', user: req.user};
  }

  loginFailed(req: LoginRequest & {reason: string}): void {
    this.loginFailures++;
    this.log.info(`Login of \`${req.user}'${req.client ? ` from ${req.client}` : ''} failed: ${req.reason}`);
  }

  logout(session: SessionIdentity): void {
    this.log.debug('ipc', `logout: \`${session.user}'${session.sessionId ? ` session ${session.sessionId}` : ''}`);
  }

  private info(s: ShareConfig): ShareInfo {
    const ipc = isIpcName(s.name);
    const root = globalValue<string>(this.config, 'root directory');
    const path = shareValue<string>(s, 'path');
    return {
      name: s.name,
      ipc,
      path: ipc ? '' : root ? join(root, path) : path,
      comment: shareValue<string>(s, 'comment'),
      browseable: shareValue<boolean>(s, 'browseable'),
      readOnly: ipc ? true : shareValue<boolean>(s, 'read only'),
      guestOk: shareValue<boolean>(s, 'guest ok'),
      hideDotFiles: shareValue<boolean>(s, 'hide dot files'),
      storeDosAttributes: shareValue<boolean>(s, 'store dos attributes'),
      oplocks: shareValue<boolean>(s, 'oplocks'),
      followSymlinks: shareValue<boolean>(s, 'follow symlinks'),
      crossmnt: shareValue<boolean>(s, 'crossmnt'),
      createMask: shareValue<number>(s, 'create mask'),
      directoryMask: shareValue<number>(s, 'directory mask'),
      forceCreateMode: shareValue<number>(s, 'force create mode'),
      forceDirectoryMode: shareValue<number>(s, 'force directory mode'),
      vetoFiles: shareValue<string>(s, 'veto files'),
      vfsObjects: shareValue<string[]>(s, 'vfs objects'),
      smb3Encryption: shareValue<Tristate>(s, 'smb3 encryption'),
      maxConnections: clampConnections(shareValue<number>(s, 'max connections')),
      timeMachine: shareValue<boolean>(s, 'fruit:time machine'), // `apple time machine' is its synonym
    };
  }

  shareConfig(name: string): ShareInfo | undefined {
    const s = findShare(this.config, name);
    return s ? this.info(s) : undefined;
  }

  shares(): ShareInfo[] {
    const all = [...this.config.shares.values()].map((s) => this.info(s));
    // IPC$ first, as enumeration tools expect; then configuration order.
    return [...all.filter((s) => s.ipc), ...all.filter((s) => !s.ipc)];
  }

  /** Is `user` named in a users list (`name` or `@group`, the group's primary members included)? */
  private inList(list: string[], user: string, id: UnixIdentity): boolean {
    for (const entry of list) {
      if (entry.startsWith('@') || entry.startsWith('+')) {
        const g = this.accounts.group(entry.replace(/^[@+&]+/, ''));
        if (g && (g.members.includes(user) || g.members.includes(id.name) || id.gid === g.gid || id.groups.includes(g.gid))) return true;
      } else if (entry === user) return true;
    }
    return false;
  }

  treeConnect(req: TreeConnectRequest): TreeConnectResponse {
    const r = this.decide(req);
    const who = `\`${req.session.user || '(anonymous)'}' from ${req.client}`;
    if (r.status === 'ok') this.log.debug('ipc', `tree connect: ${who} to [${r.share.name}] ${r.writable ? 'read-write' : 'read-only'}`);
    else this.log.debug('ipc', `tree connect: ${who} to [${req.share}] refused: ${r.reason}`);
    return r;
  }

  private decide(req: TreeConnectRequest): TreeConnectResponse {
    const s = findShare(this.config, req.share);
    if (!s) return {status: 'bad-network-name', reason: 'no such share'};
    const share = this.info(s);
    if (!share.ipc && share.path === '') return {status: 'bad-network-name', reason: 'the share has no path'};
    const {session} = req;
    const client = normalizeAddress(req.client);

    const allow = parseHostList(shareValue<string[]>(s, 'hosts allow'));
    const deny = parseHostList(shareValue<string[]>(s, 'hosts deny'));
    for (const p of [...allow.problems, ...deny.problems]) this.log.debug('ipc', `[${share.name}] hosts list: ${p}`);
    if (!hostAllowed(allow, deny, client)) return {status: 'access-denied', reason: `client ${client} refused by hosts allow/deny`};

    if (session.guest) {
      const restrict = globalValue<number>(this.config, 'restrict anonymous');
      if (share.ipc) {
        if (restrict > 0) return {status: 'access-denied', reason: 'restrict anonymous refuses guests on IPC$'};
      } else if (!share.guestOk) return {status: 'access-denied', reason: 'the share is not guest ok'};
    } else {
      if (this.inList(shareValue<string[]>(s, 'invalid users'), session.user, session.identity))
        return {status: 'access-denied', reason: 'user is in invalid users'};
      const valid = shareValue<string[]>(s, 'valid users');
      if (valid.length > 0 && !this.inList(valid, session.user, session.identity))
        return {status: 'access-denied', reason: 'user is not in valid users'};
    }

    const key = shareKey(share.name);
    const open = this.perShare.get(key) ?? 0;
    if (open >= share.maxConnections) return {status: 'too-many-connections', reason: `max connections (${share.maxConnections}) reached`};

    let writable = !share.readOnly;
    if (!share.ipc) {
      if (this.inList(shareValue<string[]>(s, 'write list'), session.user, session.identity)) writable = true;
      // read list wins over write list and read only = no.
      if (this.inList(shareValue<string[]>(s, 'read list'), session.user, session.identity)) writable = false;
    }

    let identity = session.identity;
    const forceUser = shareValue<string>(s, 'force user');
    const forceGroup = shareValue<string>(s, 'force group');
    if (forceUser) {
      const fu = identityOf(this.accounts, forceUser);
      if (!fu) return {status: 'access-denied', reason: `force user \`${forceUser}' does not exist`};
      identity = fu;
    }
    if (forceGroup) {
      const fg = this.accounts.group(forceGroup);
      if (!fg) return {status: 'access-denied', reason: `force group \`${forceGroup}' does not exist`};
      identity = {...identity, gid: fg.gid, groups: [fg.gid, ...identity.groups.filter((g) => g !== fg.gid)]};
    }

    const connectionId = this.nextTreeId++;
    this.trees.set(connectionId, key);
    this.perShare.set(key, open + 1);
    return {status: 'ok', connectionId, share, writable, identity};
  }

  treeDisconnect(connectionId: number): void {
    const key = this.trees.get(connectionId);
    if (key === undefined) return; // twice, or never connected: nothing to undo
    this.trees.delete(connectionId);
    const n = (this.perShare.get(key) ?? 1) - 1;
    if (n <= 0) this.perShare.delete(key);
    else this.perShare.set(key, n);
    this.log.debug('ipc', `tree disconnect: [${key}]`);
  }

  rpc(req: RpcRequest): RpcResponse {
    const h = this.pipes.open(req.pipe, req.session);
    if (h === null) return {status: 'not-supported', reason: `pipe \`${req.pipe}' is not served`};
    this.pipes.write(h, req.data);
    const out: Buffer[] = [];
    for (let r = this.pipes.read(h, 0xffff); r && r.data.length > 0; r = this.pipes.read(h, 0xffff)) out.push(r.data);
    this.pipes.close(h);
    return {status: 'ok', data: Buffer.concat(out)};
  }

  pipeOpen(req: PipeOpenRequest): PipeOpenResponse {
    const handle = this.pipes.open(req.pipe, req.session);
    this.log.debug('ipc', `pipe open: \`${req.pipe}'${handle === null ? ' not served' : ` -> ${handle}`}`);
    return handle === null ? {status: 'not-found'} : {status: 'ok', handle};
  }

  pipeWrite(handle: number, data: Buffer): PipeWriteResponse {
    const n = this.pipes.write(handle, data);
    return n === null ? {status: 'closed'} : {status: 'ok', written: n};
  }

  pipeRead(handle: number, maxLength: number): PipeReadResponse {
    const r = this.pipes.read(handle, maxLength);
    return r === null ? {status: 'closed'} : {status: 'ok', data: r.data, more: r.more};
  }

  pipeTransceive(handle: number, data: Buffer, maxOutput: number): PipeReadResponse {
    const r = this.pipes.transceive(handle, data, maxOutput);
    if (r === null) return {status: 'closed'};
    if (r === 'busy') return {status: 'busy'};
    return {status: 'ok', data: r.data, more: r.more};
  }

  pipePeek(handle: number, maxData = 0): PipePeekResponse {
    const p = this.pipes.peek(handle, maxData);
    return p === null ? {status: 'closed'} : {status: 'ok', available: p.bytes, messages: p.messages, messageLength: p.messageLength, data: p.data};
  }

  pipeClose(handle: number): void {
    this.pipes.close(handle);
  }

  openPipes(): number {
    return this.pipes.count;
  }

  openTrees(): number {
    return this.trees.size;
  }
}
