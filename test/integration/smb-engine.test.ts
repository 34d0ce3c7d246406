// Issue 5 acceptance 2 and 3 against a running server (see test/helpers/smb-server.ts for which one) with
// real clients: smbclient over every dialect, signed and encrypted with each cipher, impacket at its highest
// dialect and at 2.1, failed logins, guest rules, and a signed session whose signature is tampered with.
import {spawnSync} from 'node:child_process';
import {mkdirSync, writeFileSync} from 'node:fs';
import {connect, type Socket} from 'node:net';
import {join} from 'node:path';
import {afterAll, beforeAll, describe, expect, it} from 'vitest';
import {encodeNegotiate, NTLMSSP_NEGOTIATE_128, NTLMSSP_NEGOTIATE_56, NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY, NTLMSSP_NEGOTIATE_KEY_EXCH, NTLMSSP_NEGOTIATE_NTLM, NTLMSSP_NEGOTIATE_SIGN, NTLMSSP_NEGOTIATE_UNICODE, NTLMSSP_REQUEST_TARGET} from '../../src/auth/ntlmssp.js';
import {ntHash} from '../../src/crypto/nt-hash.js';
import {MessageSigner, SIGNING_HMAC_SHA256} from '../../src/crypto/sign.js';
import {Command, Dialect, HeaderFlags, SecurityMode} from '../../src/smb2/constants.js';
import {decodeHeader, encodeHeader, makeHeader, type Smb2Header} from '../../src/smb2/header.js';
import {encodeNegotiateRequest} from '../../src/smb2/messages/negotiate.js';
import {decodeSessionSetupResponse, encodeSessionSetupRequest} from '../../src/smb2/messages/session-setup.js';
import {encodeTreeConnectRequest} from '../../src/smb2/messages/tree-connect.js';
import {NtStatus} from '../../src/smb2/ntstatus.js';
import {FrameParser, frameHeader} from '../../src/engine/framing.js';
import {Reader} from '../../src/wire/reader.js';
import {Writer} from '../../src/wire/writer.js';
import {clientAuthenticateWithKey} from '../helpers/ntlm-client.js';
import {startSmbServer, type SmbServer} from '../helpers/smb-server.js';

// The clients are installed by test/setup.sh; a missing one fails the suite here instead of skipping.
it('the real clients are installed (smbclient, python3-impacket)', () => {
  expect(spawnSync('smbclient', ['--version']).status, 'smbclient missing: run test/setup.sh').toBe(0);
  expect(spawnSync('/usr/bin/python3', ['-c', 'import impacket.smbconnection']).status, 'python3-impacket missing: run test/setup.sh').toBe(0);
});

function smbclient(server: SmbServer, share: string, user: string, args: string[] = [], command = 'ls') {
  const r = spawnSync(
    'smbclient',
    [`//127.0.0.1/${share}`, '-p', String(server.port), ...(user === '' ? ['-N'] : ['-U', user]), ...args, '-c', command],
    {encoding: 'utf8', timeout: 30_000},
  );
  return {code: r.status, out: `${r.stdout}${r.stderr}`};
}

function expectListing(out: string): void {
  expect(out).toMatch(/^\s+hello\.txt\s+A\s+6 /m);
  expect(out).toMatch(/^\s+subdir\s+D\s+0 /m);
  expect(out).toMatch(/^\s+\.\s+D/m);
  expect(out).toMatch(/blocks of size \d+\. \d+ blocks available/);
}

function populate(path: string): void {
  writeFileSync(join(path, 'hello.txt'), 'hello\n');
  mkdirSync(join(path, 'subdir'), {recursive: true});
  writeFileSync(join(path, 'subdir', 'inner.bin'), Buffer.alloc(1000, 1));
}

describe('SMB engine with real clients', () => {
  let server: SmbServer;
  beforeAll(async () => {
    server = await startSmbServer({
      users: {alice: 'pw'},
      shares: {share: {'read only': 'no'}, secret: {'read only': 'no', 'smb3 encryption': 'mandatory'}},
    });
    populate(server.sharePath('share'));
    populate(server.sharePath('secret'));
  });
  afterAll(async () => {
    await server?.stop();
  });

  for (const m of ['SMB2_02', 'SMB2_10', 'SMB3_00', 'SMB3_02', 'SMB3_11']) {
    it(`smbclient -m ${m} -c ls`, () => {
      const r = smbclient(server, 'share', 'alice%pw', ['-m', m]);
      expect(r.code, r.out).toBe(0);
      expectListing(r.out);
    });
  }

  it('smbclient SMB3_11 with client signing=required', () => {
    const r = smbclient(server, 'share', 'alice%pw', ['-m', 'SMB3_11', '--option=client signing=required']);
    expect(r.code, r.out).toBe(0);
    expectListing(r.out);
  });

  for (const cipher of ['AES-128-GCM', 'AES-256-GCM', 'AES-128-CCM', 'AES-256-CCM']) {
    it(`smbclient SMB3_11 encrypted with ${cipher}`, () => {
      const r = smbclient(server, 'share', 'alice%pw', [
        '-m',
        'SMB3_11',
        '--option=client smb encrypt=required',
        `--option=client smb3 encryption algorithms=${cipher}`,
      ]);
      expect(r.code, r.out).toBe(0);
      expectListing(r.out);
    });
  }

  it('smbclient SMB3_00 encrypted (AES-128-CCM)', () => {
    const r = smbclient(server, 'share', 'alice%pw', ['-m', 'SMB3_00', '--option=client smb encrypt=required']);
    expect(r.code, r.out).toBe(0);
    expectListing(r.out);
  });

  it('a share with smb3 encryption = mandatory is encrypted on SMB3 and refused on SMB2', () => {
    const ok = smbclient(server, 'secret', 'alice%pw', ['-m', 'SMB3_11']);
    expect(ok.code, ok.out).toBe(0);
    expectListing(ok.out);
    const refused = smbclient(server, 'secret', 'alice%pw', ['-m', 'SMB2_10']);
    expect(refused.out).toContain('NT_STATUS_ACCESS_DENIED');
  });

  it('allinfo and a listing of a subdirectory with a pattern', () => {
    const r = smbclient(server, 'share', 'alice%pw', ['-m', 'SMB3_11'], 'allinfo hello.txt; ls subdir\\*; ls hel*');
    expect(r.code, r.out).toBe(0);
    expect(r.out).toContain('stream: [::$DATA], 6 bytes');
    expect(r.out).toMatch(/attributes: A/);
    expect(r.out).toMatch(/inner\.bin\s+A\s+1000/);
    expect(r.out).toMatch(/hello\.txt\s+A\s+6/);
  });

  it('wrong password and unknown user get NT_STATUS_LOGON_FAILURE', () => {
    const bad = smbclient(server, 'share', 'alice%wrong', ['-m', 'SMB3_11']);
    expect(bad.out).toContain('NT_STATUS_LOGON_FAILURE');
    const unknown = smbclient(server, 'share', 'mallory%pw', ['-m', 'SMB3_11']);
    expect(unknown.out).toContain('NT_STATUS_LOGON_FAILURE');
    // A failed login must not take the server down or poison other clients.
    const ok = smbclient(server, 'share', 'alice%pw', ['-m', 'SMB3_11']);
    expect(ok.code, ok.out).toBe(0);
  });

  it('a guest login is refused without map to guest (unknown user, anonymous on a disk share)', () => {
    expect(smbclient(server, 'share', 'guest%').out).toContain('NT_STATUS_LOGON_FAILURE');
    expect(smbclient(server, 'share', '').out).toMatch(/NT_STATUS_ACCESS_DENIED|NT_STATUS_LOGON_FAILURE/);
  });

  describe('impacket SMBConnection', () => {
    const script = (preferred: string) => `
import sys
from impacket.smbconnection import SMBConnection
from impacket import smb3structs
kw = {}
if '${preferred}': kw['preferredDialect'] = getattr(smb3structs, '${preferred}')
c = SMBConnection('127.0.0.1', '127.0.0.1', sess_port=int(sys.argv[1]), **kw)
c.login('alice', 'pw')
print('DIALECT 0x%x' % c.getDialect())
for f in c.listPath('share', '*'):
    print('ENTRY', f.get_longname(), f.get_filesize(), 'D' if f.is_directory() else 'F')
c.logoff()
`;
    const run = (preferred: string) =>
      spawnSync('/usr/bin/python3', ['-c', script(preferred), String(server.port)], {encoding: 'utf8', timeout: 30_000});

    it('logs in and lists with its highest dialect', () => {
      const r = run('');
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toMatch(/DIALECT 0x3/);
      expect(r.stdout).toContain('ENTRY hello.txt 6 F');
      expect(r.stdout).toContain('ENTRY subdir 0 D');
    });

    it('logs in and lists with SMB 2.1', () => {
      const r = run('SMB2_DIALECT_21');
      expect(r.status, r.stderr).toBe(0);
      expect(r.stdout).toContain('DIALECT 0x210');
      expect(r.stdout).toContain('ENTRY hello.txt 6 F');
    });
  });

  it('lists a directory of 1500 entries completely, in pages', () => {
    const dir = join(server.sharePath('share'), 'many');
    mkdirSync(dir);
    for (let i = 0; i < 1500; i++) writeFileSync(join(dir, `file-with-a-longish-name-${String(i).padStart(5, '0')}.dat`), '');
    for (const m of ['SMB2_02', 'SMB3_11']) {
      const r = smbclient(server, 'share', 'alice%pw', ['-m', m], 'ls many\\*');
      expect(r.code, r.out).toBe(0);
      expect(r.out.match(/file-with-a-longish-name-\d{5}\.dat/g)?.length, m).toBe(1500);
    }
  });

  it('bad frames drop only their own connection', async () => {
    // First header byte not zero (Direct TCP, 2.1).
    const a = await RawClient.open(server.port);
    a.sendRaw(Buffer.from([0xff, 0, 0, 4, 1, 2, 3, 4]));
    expect(await a.closed(3000)).toBe(true);
    // A MessageId outside the sequence window (3.3.5.2.3).
    const b = await RawClient.open(server.port);
    b.skipMessageIds(1000n);
    b.send(b.negotiateRequest());
    expect(await b.closed(3000)).toBe(true);
    // A message too short to be an SMB2 header.
    const c = await RawClient.open(server.port);
    c.send(Buffer.from([0xfe, 0x53, 0x4d, 0x42, 64, 0]));
    expect(await c.closed(3000)).toBe(true);
    // A malformed body fails that request only; an unknown command drops the connection (3.3.5.2.6).
    const d = await RawClient.open(server.port);
    const neg = await d.exchange(d.negotiateRequest());
    expect(neg.header.status).toBe(0);
    const badEcho = d.header(Command.ECHO);
    badEcho.u16(6).u16(0);
    expect((await d.exchange(badEcho.finishCopy())).header.status).toBe(NtStatus.INVALID_PARAMETER);
    const echo = d.header(Command.ECHO);
    echo.u16(4).u16(0);
    expect((await d.exchange(echo.finishCopy())).header.status).toBe(0);
    d.send(d.header(0x42).finishCopy());
    expect(await d.closed(3000)).toBe(true);
    expect(server.alive()).toBe(true);
    const after = smbclient(server, 'share', 'alice%pw', ['-m', 'SMB3_11']);
    expect(after.code, after.out).toBe(0);
  });

  it('a signed request with a tampered signature drops the connection; the server goes on', async () => {
    const c = await RawClient.open(server.port);
    const key = await c.login('alice', 'pw');
    const signer = new MessageSigner(SIGNING_HMAC_SHA256, key);
    const good = c.treeConnect(`\\\\127.0.0.1\\share`, signer, false);
    const ok = await c.exchange(good);
    expect(ok.header.status).toBe(NtStatus.SUCCESS);
    // The response is signed with the session key: check it as a client would.
    expect(signer.verify(ok.message)).toBe(true);
    const bad = c.treeConnect(`\\\\127.0.0.1\\share`, signer, true);
    c.send(bad);
    expect(await c.closed(3000)).toBe(true);
    const after = smbclient(server, 'share', 'alice%pw', ['-m', 'SMB2_10']);
    expect(after.code, after.out).toBe(0);
  });
});

describe('guest access with map to guest = bad user', () => {
  let server: SmbServer;
  beforeAll(async () => {
    server = await startSmbServer({
      global: {'map to guest': 'bad user'},
      users: {alice: 'pw'},
      shares: {private: {'read only': 'no'}, public: {'guest ok': 'yes'}},
    });
    populate(server.sharePath('public'));
    populate(server.sharePath('private'));
  });
  afterAll(async () => {
    await server?.stop();
  });

  it('an unknown user is the guest on a guest ok share', () => {
    const r = smbclient(server, 'public', 'mallory%whatever', ['-m', 'SMB3_11']);
    expect(r.code, r.out).toBe(0);
    expectListing(r.out);
  });

  it('and is refused on a share that is not guest ok', () => {
    expect(smbclient(server, 'private', 'mallory%whatever', ['-m', 'SMB3_11']).out).toContain('NT_STATUS_ACCESS_DENIED');
  });

  it('a known user with a wrong password is still refused', () => {
    expect(smbclient(server, 'public', 'alice%wrong', ['-m', 'SMB3_11']).out).toContain('NT_STATUS_LOGON_FAILURE');
  });
});

describe('server-wide signing and encryption requirements', () => {
  it('smb3 encryption = mandatory: SMB3 sessions are encrypted, SMB2 clients are refused', async () => {
    const server = await startSmbServer({global: {'smb3 encryption': 'mandatory'}, users: {alice: 'pw'}});
    try {
      populate(server.sharePath('share'));
      for (const m of ['SMB3_00', 'SMB3_11']) {
        const r = smbclient(server, 'share', 'alice%pw', ['-m', m]);
        expect(r.code, r.out).toBe(0);
        expectListing(r.out);
      }
      expect(smbclient(server, 'share', 'alice%pw', ['-m', 'SMB2_10']).out).toContain('NT_STATUS_ACCESS_DENIED');
    } finally {
      await server.stop();
    }
  });

  it('server signing = mandatory: every dialect works signed', async () => {
    const server = await startSmbServer({global: {'server signing': 'mandatory'}, users: {alice: 'pw'}});
    try {
      populate(server.sharePath('share'));
      for (const m of ['SMB2_02', 'SMB2_10', 'SMB3_02', 'SMB3_11']) {
        const r = smbclient(server, 'share', 'alice%pw', ['-m', m]);
        expect(r.code, r.out).toBe(0);
        expectListing(r.out);
      }
    } finally {
      await server.stop();
    }
  });
});

/** Just enough of an SMB 2.1 client to sign requests by hand. */
class RawClient {
  #mid = 0n;
  #sessionId = 0n;
  readonly #frames: Buffer[] = [];
  readonly #waiters: ((b: Buffer) => void)[] = [];
  readonly #parser = new FrameParser(1 << 24);
  #closed = false;
  readonly #closeWaiters: (() => void)[] = [];

  private constructor(private readonly sock: Socket) {
    sock.on('data', (d: Buffer) => {
      for (const f of this.#parser.push(d)) {
        const w = this.#waiters.shift();
        if (w) w(f);
        else this.#frames.push(f);
      }
    });
    sock.on('close', () => {
      this.#closed = true;
      for (const w of this.#closeWaiters.splice(0)) w();
    });
    sock.on('error', () => undefined);
  }

  static open(port: number): Promise<RawClient> {
    return new Promise((resolve, reject) => {
      const s = connect(port, '127.0.0.1', () => resolve(new RawClient(s)));
      s.once('error', reject);
    });
  }

  header(command: number, extra: Partial<Smb2Header> = {}): Writer {
    const w = new Writer();
    encodeHeader(w, makeHeader({command, messageId: this.#mid++, credits: 8, sessionId: this.#sessionId, ...extra}));
    return w;
  }

  send(msg: Buffer): void {
    this.sock.write(Buffer.concat([frameHeader(msg.length), msg]));
  }

  sendRaw(bytes: Buffer): void {
    this.sock.write(bytes);
  }

  skipMessageIds(n: bigint): void {
    this.#mid += n;
  }

  negotiateRequest(): Buffer {
    const n = this.header(Command.NEGOTIATE);
    encodeNegotiateRequest(n, {
      securityMode: SecurityMode.SIGNING_ENABLED | SecurityMode.SIGNING_REQUIRED,
      capabilities: 0,
      clientGuid: Buffer.alloc(16, 7),
      dialects: [Dialect.SMB2_1],
      negotiateContexts: [],
      clientStartTime: 0n,
    });
    return n.finishCopy();
  }

  recv(): Promise<Buffer> {
    const f = this.#frames.shift();
    if (f) return Promise.resolve(f);
    return new Promise((resolve) => this.#waiters.push(resolve));
  }

  async exchange(msg: Buffer): Promise<{header: Smb2Header; body: Reader; message: Buffer}> {
    this.send(msg);
    const f = await this.recv();
    const r = new Reader(f);
    return {header: decodeHeader(r), body: r, message: f};
  }

  closed(ms: number): Promise<boolean> {
    if (this.#closed) return Promise.resolve(true);
    return new Promise((resolve) => {
      const t = setTimeout(() => resolve(false), ms);
      this.#closeWaiters.push(() => {
        clearTimeout(t);
        resolve(true);
      });
    });
  }

  /** NEGOTIATE 2.1 with signing required, then a raw NTLMSSP session setup; returns the session key. */
  async login(user: string, password: string): Promise<Buffer> {
    const neg = await this.exchange(this.negotiateRequest());
    if (neg.header.status !== 0) throw new Error(`negotiate failed 0x${neg.header.status.toString(16)}`);
    const flags =
      NTLMSSP_NEGOTIATE_UNICODE | NTLMSSP_REQUEST_TARGET | NTLMSSP_NEGOTIATE_SIGN | NTLMSSP_NEGOTIATE_NTLM |
      NTLMSSP_NEGOTIATE_EXTENDED_SESSIONSECURITY | NTLMSSP_NEGOTIATE_128 | NTLMSSP_NEGOTIATE_KEY_EXCH | NTLMSSP_NEGOTIATE_56;
    const negotiate = encodeNegotiate(flags);
    const s1 = this.header(Command.SESSION_SETUP);
    encodeSessionSetupRequest(s1, {flags: 0, securityMode: SecurityMode.SIGNING_REQUIRED, capabilities: 0, channel: 0, previousSessionId: 0n, securityBuffer: negotiate});
    const r1 = await this.exchange(s1.finishCopy());
    if (r1.header.status !== NtStatus.MORE_PROCESSING_REQUIRED) throw new Error(`session setup 1: 0x${r1.header.status.toString(16)}`);
    this.#sessionId = r1.header.sessionId;
    const challenge = Buffer.from(decodeSessionSetupResponse(r1.body).securityBuffer);
    const auth = clientAuthenticateWithKey({negotiate, challenge, user, domain: '', ntHash: ntHash(password)});
    const s2 = this.header(Command.SESSION_SETUP);
    encodeSessionSetupRequest(s2, {flags: 0, securityMode: SecurityMode.SIGNING_REQUIRED, capabilities: 0, channel: 0, previousSessionId: 0n, securityBuffer: auth.message});
    const r2 = await this.exchange(s2.finishCopy());
    if (r2.header.status !== 0) throw new Error(`session setup 2: 0x${r2.header.status.toString(16)}`);
    return auth.sessionKey;
  }

  treeConnect(path: string, signer: MessageSigner, tamper: boolean): Buffer {
    const w = this.header(Command.TREE_CONNECT, {flags: HeaderFlags.SIGNED});
    encodeTreeConnectRequest(w, {flags: 0, path, contexts: []});
    const msg = w.finishCopy();
    signer.sign(msg);
    if (tamper) msg[48]! ^= 0x01;
    return msg;
  }
}
