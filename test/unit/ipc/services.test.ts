import {describe, expect, it} from 'vitest';
import {parseConf} from '../../../src/config/conf-file.js';
import {interpretConf} from '../../../src/config/load.js';
import {accountDbFrom, parseAccounts} from '../../../src/ipc/accounts.js';
import {ConfigServices} from '../../../src/ipc/services.js';
import type {SessionIdentity, TreeConnectResponse} from '../../../src/ipc/types.js';
import {Logger} from '../../../src/log/logger.js';
import {MemorySink} from '../../../src/log/sinks.js';
import {hashForDb, parsePwdDb} from '../../../src/users/pwddb.js';

const PASSWD = ['root:x:0:0::/root:/bin/sh', 'alice:x:1000:1000::/home/alice:/bin/sh', 'bob:x:1001:1001::/home/bob:/bin/sh', 'carol:x:1002:100::/home/carol:/bin/sh', 'nobody:x:65534:65534::/:/bin/false', 'svc:x:900:900::/:/bin/false'];
const GROUP = ['root:x:0:', 'users:x:100:', 'staff:x:50:bob', 'alice:x:1000:', 'bob:x:1001:', 'nogroup:x:65534:', 'svc:x:900:', 'media:x:777:'];

function setup(conf: string, users: Record<string, string> = {alice: 'secret', bob: 'pw', carol: 'pw', ghost: 'pw'}) {
  const config = interpretConf(parseConf(conf, 'test.conf'));
  const db = parsePwdDb(Object.entries(users).map(([u, p]) => `${u}:${hashForDb(p)}\n`).join(''));
  const sink = new MemorySink();
  const log = new Logger(sink);
  log.debugSwitches.toggle('ipc');
  const services = new ConfigServices(config, db, accountDbFrom(parseAccounts(PASSWD, GROUP)), log);
  return {services, sink, config, db};
}

function session(s: ConfigServices, user: string): SessionIdentity {
  const r = s.login({user, client: '10.0.0.1'});
  if (r.status === 'no-such-user') throw new Error('no user');
  return {user: r.user, guest: r.guest, identity: r.identity};
}

const ok = (r: TreeConnectResponse) => {
  if (r.status !== 'ok') throw new Error(`expected ok, got ${r.status}: ${r.reason}`);
  return r;
};

describe('login', () => {
  it('returns the NT hash and the Unix identity of a known user, and never logs the hash', () => {
    const {services, sink} = setup('[global]\n');
    const r = services.login({user: 'alice', client: '10.0.0.1'});
    expect(r.status).toBe('ok');
    if (r.status !== 'ok') return;
    expect(r.ntHash.toString('hex')).toBe('878d8014606cda29677a44efa1353fc7');
    expect(r.identity).toEqual({name: 'alice', uid: 1000, gid: 1000, groups: [1000]});
    const all = sink.lines.map(([, t]) => t).join('\n');
    expect(all).toContain('alice');
    expect(all).not.toContain(r.ntHash.toString('base64'));
    expect(all).not.toContain(r.ntHash.toString('hex'));
  });

  it('gives supplementary groups', () => {
    const {services} = setup('[global]\n');
    const r = services.login({user: 'bob'});
    expect(r.status === 'ok' && r.identity.groups).toEqual([1001, 50]);
  });

  it('maps a user without a Unix account to the guest account identity', () => {
    const {services} = setup('[global]\n');
    const r = services.login({user: 'ghost'});
    expect(r.status).toBe('ok');
    expect(r.status === 'ok' && r.unixAccount).toBe(false);
    expect(r.status === 'ok' && r.identity.uid).toBe(65534);
  });

  it('refuses unknown users unless map to guest = bad user', () => {
    expect(setup('[global]\n').services.login({user: 'mallory'}).status).toBe('no-such-user');
    const r = setup('[global]\n\tmap to guest = bad user\n\tguest account = svc\n').services.login({user: 'mallory'});
    expect(r).toMatchObject({status: 'guest', guest: true, anonymous: false, user: 'svc', identity: {uid: 900}});
  });

  it('treats an empty user name as an anonymous guest', () => {
    expect(setup('[global]\n').services.login({user: ''})).toMatchObject({status: 'guest', anonymous: true});
  });

  it('counts failed logins', () => {
    const {services} = setup('[global]\n');
    services.loginFailed({user: 'alice', client: '10.0.0.1', reason: 'wrong password'});
    expect(services.loginFailures).toBe(1);
  });
});

describe('share config', () => {
  it('applies [global] share defaults, root directory and synonyms', () => {
    const {services} = setup('[global]\n\troot directory = /srv\n\thide dot files = no\n[Data]\n\tpath = data\n\twritable = yes\n\tbrowsable = no\n\tvfs objects = streams_xattr acl_xattr\n');
    const s = services.shareConfig('data')!;
    expect(s).toMatchObject({name: 'Data', path: '/srv/data', readOnly: false, browseable: false, hideDotFiles: false, vfsObjects: ['streams_xattr', 'acl_xattr'], maxConnections: 128});
    expect(services.shareConfig('nope')).toBeUndefined();
    expect(services.shares().map((x) => x.name)).toEqual(['IPC$', 'Data']);
  });
});

describe('tree connect', () => {
  const conf = `[global]
[pub]
	path = /srv/pub
	guest ok = yes
[team]
	path = /srv/team
	read only = no
	valid users = alice @staff
	invalid users = carol
	read list = bob
[docs]
	path = /srv/docs
	write list = alice
[lan]
	path = /srv/lan
	hosts allow = 10.0.0.0/8 EXCEPT 10.0.0.66
[nopath]
	comment = nothing
[one]
	path = /srv/one
	max connections = 1
[forced]
	path = /srv/forced
	force user = svc
	force group = media
`;

  it('refuses unknown shares and shares without a path', () => {
    const {services} = setup(conf);
    const s = session(services, 'alice');
    expect(services.treeConnect({session: s, share: 'missing', client: '10.0.0.1'}).status).toBe('bad-network-name');
    expect(services.treeConnect({session: s, share: 'nopath', client: '10.0.0.1'}).status).toBe('bad-network-name');
  });

  it('valid users (with @group), invalid users, read list', () => {
    const {services} = setup(conf);
    expect(ok(services.treeConnect({session: session(services, 'alice'), share: 'TEAM', client: '10.0.0.1'})).writable).toBe(true);
    const bob = ok(services.treeConnect({session: session(services, 'bob'), share: 'team', client: '10.0.0.1'}));
    expect(bob.writable).toBe(false); // in @staff, but read list wins
    expect(services.treeConnect({session: session(services, 'carol'), share: 'team', client: '10.0.0.1'}).status).toBe('access-denied');
  });

  it('write list opens a read-only share', () => {
    const {services} = setup(conf);
    expect(ok(services.treeConnect({session: session(services, 'alice'), share: 'docs', client: '10.0.0.1'})).writable).toBe(true);
    expect(ok(services.treeConnect({session: session(services, 'bob'), share: 'docs', client: '10.0.0.1'})).writable).toBe(false);
  });

  it('guests need guest ok; restrict anonymous keeps them off IPC$', () => {
    const {services} = setup(conf);
    const g = session(services, '');
    expect(services.treeConnect({session: g, share: 'pub', client: '10.0.0.1'}).status).toBe('ok');
    expect(services.treeConnect({session: g, share: 'docs', client: '10.0.0.1'}).status).toBe('access-denied');
    expect(services.treeConnect({session: g, share: 'IPC$', client: '10.0.0.1'}).status).toBe('ok');
    const r = setup('[global]\n\trestrict anonymous = 2\n').services;
    expect(r.treeConnect({session: session(r, ''), share: 'ipc$', client: '10.0.0.1'}).status).toBe('access-denied');
  });

  it('hosts allow with EXCEPT, IPv4-mapped clients included', () => {
    const {services} = setup(conf);
    const s = session(services, 'alice');
    expect(services.treeConnect({session: s, share: 'lan', client: '::ffff:10.1.2.3'}).status).toBe('ok');
    expect(services.treeConnect({session: s, share: 'lan', client: '10.0.0.66'}).status).toBe('access-denied');
    expect(services.treeConnect({session: s, share: 'lan', client: '192.0.2.1'}).status).toBe('access-denied');
  });

  it('max connections per share, released by tree disconnect (once)', () => {
    const {services} = setup(conf);
    const s = session(services, 'alice');
    const first = ok(services.treeConnect({session: s, share: 'one', client: '10.0.0.1'}));
    expect(services.treeConnect({session: s, share: 'one', client: '10.0.0.1'}).status).toBe('too-many-connections');
    services.treeDisconnect(first.connectionId);
    services.treeDisconnect(first.connectionId);
    ok(services.treeConnect({session: s, share: 'one', client: '10.0.0.1'}));
    expect(services.treeConnect({session: s, share: 'one', client: '10.0.0.1'}).status).toBe('too-many-connections');
  });

  it('force user and force group set the identity of the tree', () => {
    const {services} = setup(conf);
    const r = ok(services.treeConnect({session: session(services, 'alice'), share: 'forced', client: '10.0.0.1'}));
    expect(r.identity).toMatchObject({name: 'svc', uid: 900, gid: 777});
    expect(r.identity.groups[0]).toBe(777);
  });

  it('a reload changes decisions for new connects', () => {
    const {services, db} = setup(conf);
    services.update(interpretConf(parseConf('[global]\n[team]\n\tpath = /srv/team\n\tvalid users = bob\n')), db);
    expect(services.treeConnect({session: session(services, 'alice'), share: 'team', client: '10.0.0.1'}).status).toBe('access-denied');
    expect(services.treeConnect({session: session(services, 'alice'), share: 'docs', client: '10.0.0.1'}).status).toBe('bad-network-name');
  });

  it('logs decisions under ipc', () => {
    const {services, sink} = setup(conf);
    services.treeConnect({session: session(services, 'carol'), share: 'team', client: '10.0.0.1'});
    expect(sink.lines.some(([l, t]) => l === 'debug' && t.startsWith('ipc: tree connect') && t.includes('refused'))).toBe(true);
  });
});

describe('rpc and logout', () => {
  it('rpc answers on served pipes (a bind_nak for garbage) and refuses the others', () => {
    const {services} = setup('[global]\n');
    const s = session(services, 'alice');
    const bind = Buffer.from('05000b03100000004800000001000000b810b810000000000100000000000100c84f324b7016d30112785a47bf6ee18803000000045d888aeb1cc9119fe808002b10486002000000', 'hex');
    const r = services.rpc({session: s, pipe: '\\PIPE\\srvsvc', data: bind});
    expect(r.status).toBe('ok');
    expect(r.status === 'ok' && r.data[2]).toBe(12); // bind_ack
    expect(services.rpc({session: s, pipe: 'spoolss', data: bind}).status).toBe('not-supported');
    expect(services.openPipes()).toBe(0);
    services.logout(s);
  });
});

describe('named pipes', () => {
  it('opens served pipes only, speaks DCE/RPC through write/read/transceive, and closes', () => {
    const {services} = setup('[global]\n\tnetbios name = NODESRV\n[data]\n\tpath = /srv/data\n');
    const s = session(services, 'alice');
    for (const unknown of ['mdssvc', 'spoolss', 'winreg', '\\PIPE\\netlogon']) expect(services.pipeOpen({session: s, pipe: unknown})).toEqual({status: 'not-found'});
    const o = services.pipeOpen({session: s, pipe: 'srvsvc'});
    if (o.status !== 'ok') throw new Error('open');
    const bind = Buffer.from('05000b03100000004800000001000000b810b810000000000100000000000100c84f324b7016d30112785a47bf6ee18803000000045d888aeb1cc9119fe808002b10486002000000', 'hex');
    expect(services.pipeWrite(o.handle, bind)).toEqual({status: 'ok', written: bind.length});
    expect(services.pipePeek(o.handle)).toMatchObject({status: 'ok', messageLength: expect.any(Number)});
    const a = services.pipeRead(o.handle, 10);
    expect(a).toMatchObject({status: 'ok', more: true});
    const b = services.pipeRead(o.handle, 4280);
    expect(b).toMatchObject({status: 'ok', more: false});
    // NetrServerGetInfo level 101, with a NULL server name
    const req = Buffer.from('050000031000000020000000020000000800000000001500000000006500000000', 'hex').subarray(0, 32);
    req.writeUInt16LE(req.length, 8);
    const t = services.pipeTransceive(o.handle, req, 4280);
    expect(t.status).toBe('ok');
    expect(t.status === 'ok' && t.data[2]).toBe(2); // response
    expect(t.status === 'ok' && t.data.toString('utf16le')).toContain('NODESRV');
    services.pipeClose(o.handle);
    expect(services.pipeRead(o.handle, 100)).toEqual({status: 'closed'});
    expect(services.pipeWrite(o.handle, bind)).toEqual({status: 'closed'});
  });
});
