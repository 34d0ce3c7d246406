// `ksmbd adduser` / `ksmbd addshare` and the drop-ins as scripts and Ansible use them.
import {readFileSync, statSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {afterEach, describe, expect, it} from 'vitest';
import {COMPAT, ksmbd, ksmbdAsync, runNode, tempDir} from '../helpers/cli.js';
import {vectorsOfKind} from '../vectors/load.js';
import {parseConf, getSection} from '../../src/config/conf-file.js';

let cleanups: Array<() => void> = [];
afterEach(() => {
  cleanups.forEach((c) => c());
  cleanups = [];
});
function work(): string {
  const t = tempDir();
  cleanups.push(t.cleanup);
  return t.dir;
}

describe('ksmbd adduser', () => {
  it('writes the NT hash of the vectors, mode 0600, in the ksmbd-tools format (acceptance 3)', () => {
    const dir = work();
    const r = ksmbd(['adduser', '-a', 'alice', '-p', 'secret', '-P', 'db'], {cwd: dir});
    expect(r.code).toBe(0);
    const expected = vectorsOfKind('nt_hash').find((v) => v.inputs.password === 'secret')!.expected.ksmbdpwd_base64;
    const db = readFileSync(join(dir, 'db'), 'utf8');
    expect(db).toBe(`alice:${expected}\n`);
    expect(db).toMatch(/^([^:\n]{1,47}:[A-Za-z0-9+/]+=*\n)+$/);
    expect(statSync(join(dir, 'db')).mode & 0o777).toBe(0o600);
    // the drop-in reads what we wrote and keeps ksmbd-tools' 0640
    const c = runNode(COMPAT('adduser'), ['-u', '-p', 'password', '-P', 'db', '-C', 'conf', 'alice'], {cwd: dir});
    expect(c.code).toBe(0);
    expect(readFileSync(join(dir, 'db'), 'utf8')).toBe('alice:iEb36u6PsRetBr3YMLdYbA==\n');
  });

  it('is idempotent for Ansible: the same password again reports changed=false and leaves the file alone', () => {
    const dir = work();
    expect(ksmbd(['adduser', 'bob', '-p', 'pw', '-P', 'db', '--json'], {cwd: dir}).stdout).toContain('"changed":true');
    const before = statSync(join(dir, 'db')).mtimeMs;
    const again = JSON.parse(ksmbd(['adduser', 'bob', '-p', 'pw', '-P', 'db', '--json'], {cwd: dir}).stdout);
    expect(again).toMatchObject({ok: true, action: 'unchanged', changed: false});
    expect(statSync(join(dir, 'db')).mtimeMs).toBe(before);
    expect(JSON.parse(ksmbd(['adduser', 'bob', '-p', 'pw2', '-P', 'db', '--json'], {cwd: dir}).stdout)).toMatchObject({action: 'updated', changed: true});
  });

  it('reads the password from stdin when it is not a terminal, and lists names only', () => {
    const dir = work();
    expect(ksmbd(['adduser', 'carol', '-P', 'db'], {cwd: dir, input: 'hunter2\n'}).code).toBe(0);
    expect(ksmbd(['adduser', 'dave', '--password-stdin', '-P', 'db'], {cwd: dir, input: 'x\n'}).code).toBe(0);
    expect(readFileSync(join(dir, 'db'), 'utf8')).toContain('carol:ZgjkvHsrel93zjVzVwd1rw==\n');
    const list = ksmbd(['adduser', '--list', '--json', '-P', 'db'], {cwd: dir});
    expect(JSON.parse(list.stdout)).toEqual({ok: true, users: ['carol', 'dave']});
    expect(list.stdout).not.toMatch(/==/);
  });

  it('keeps users named like the guest account when rewriting (unlike ksmbd-tools)', () => {
    const dir = work();
    writeFileSync(join(dir, 'conf'), '[global]\nguest account = carol\n[s]\npath = /s\nguest account = erin\n');
    writeFileSync(join(dir, 'db'), 'carol:AAAA\nerin:BBBB\nnobody:CCCC\n');
    expect(ksmbd(['adduser', '-a', 'frank', '-p', 'x', '-P', 'db', '-C', 'conf'], {cwd: dir}).code).toBe(0);
    expect(readFileSync(join(dir, 'db'), 'utf8')).toMatch(/^carol:AAAA\nerin:BBBB\nfrank:.*\nnobody:CCCC\n$/);
  });
});

describe('ksmbd addshare', () => {
  it('20 parallel adds against one config keep all 20 shares (acceptance 4)', async () => {
    const dir = work();
    const runs = Array.from({length: 20}, (_, i) => ksmbdAsync(['addshare', '-a', `share${i}`, '-o', `path = /srv/${i}`, '-C', 'ksmbd.conf', '-P', 'db'], {cwd: dir}));
    const results = await Promise.all(runs);
    expect(results.map((r) => r.code)).toEqual(Array(20).fill(0));
    const conf = parseConf(readFileSync(join(dir, 'ksmbd.conf'), 'utf8'));
    for (let i = 0; i < 20; i++) expect(getSection(conf, `share${i}`)?.params.get('path')?.value).toBe(`/srv/${i}`);
    expect(statSync(join(dir, 'ksmbd.conf')).mode & 0o777).toBe(0o640);
  });

  it('the same 20 in parallel through the ksmbd.addshare drop-in', async () => {
    const dir = work();
    const {spawn} = await import('node:child_process');
    const one = (i: number) =>
      new Promise<number>((res) => {
        const c = spawn(process.execPath, [COMPAT('addshare'), '-a', '-o', `path = /srv/${i}`, '-C', 'ksmbd.conf', '-P', 'db', `s${i}`], {cwd: dir, env: {...process.env, KSMBD_RUNDIR: '/nonexistent'}, stdio: 'ignore'});
        c.on('close', (code) => res(code ?? -1));
      });
    expect(await Promise.all(Array.from({length: 20}, (_, i) => one(i)))).toEqual(Array(20).fill(0));
    const conf = parseConf(readFileSync(join(dir, 'ksmbd.conf'), 'utf8'));
    expect(conf.sections.size).toBe(20);
  });

  it('updates, removes keys with `key =`, drops synonyms that would win, and is idempotent', () => {
    const dir = work();
    writeFileSync(join(dir, 'conf'), '[Media]\npath = /m\nread only = yes\ncomment = old\n');
    const r = ksmbd(['addshare', 'media', '-o', 'writable = yes', '-o', 'comment =', '-C', 'conf', '--json'], {cwd: dir});
    expect(JSON.parse(r.stdout)).toMatchObject({ok: true, share: 'Media', action: 'updated', changed: true});
    expect(readFileSync(join(dir, 'conf'), 'utf8')).toBe('; see ksmbd.conf(5) for details\n\n[Media]\n\t; share parameters\n\tpath = /m\n\twritable = yes\n\n');
    const again = ksmbd(['addshare', 'media', '-o', 'writable = yes', '-C', 'conf', '--json'], {cwd: dir});
    expect(JSON.parse(again.stdout)).toMatchObject({action: 'unchanged', changed: false});
  });

  it('sets global parameters only through SHARE "global"; --list and --show', () => {
    const dir = work();
    expect(ksmbd(['addshare', '-u', 'global', '-o', 'workgroup = HOME', '-o', 'guest ok = no', '-C', 'conf'], {cwd: dir}).code).toBe(0);
    expect(ksmbd(['addshare', '-a', 'TimeMachine', '-o', 'path = /srv/tm', '-o', 'fruit:time machine = yes', '-o', 'comment = Backups', '-C', 'conf'], {cwd: dir}).code).toBe(0);
    const text = readFileSync(join(dir, 'conf'), 'utf8');
    expect(text).toContain('[global]\n\t; global parameters\n\tworkgroup = HOME\n\n\t; default share parameters\n\tguest ok = no\n');
    expect(text).toContain('[TimeMachine]\n\t; parameters\n\tfruit:time machine = yes\n');
    expect(JSON.parse(ksmbd(['addshare', '--list', '--json', '-C', 'conf'], {cwd: dir}).stdout)).toEqual({ok: true, shares: [{name: 'TimeMachine', path: '/srv/tm', comment: 'Backups'}]});
    expect(JSON.parse(ksmbd(['addshare', '--show', 'timemachine', '--json', '-C', 'conf'], {cwd: dir}).stdout).share.parameters).toEqual({
      path: '/srv/tm',
      'fruit:time machine': 'yes',
      comment: 'Backups',
    });
    expect(ksmbd(['addshare', '-d', 'TIMEMACHINE', '-C', 'conf'], {cwd: dir}).code).toBe(0);
    expect(readFileSync(join(dir, 'conf'), 'utf8')).not.toContain('TimeMachine');
  });
});
