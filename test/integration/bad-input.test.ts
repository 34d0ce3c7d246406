// Bad input to the admin commands: each case gives its documented message and exit code (2 for a
// wrong command line, 1 for a failed operation), in human and --json form, and leaves every file
// byte-identical with the same mode.
import {chmodSync, chownSync, existsSync, mkdirSync, readdirSync, readFileSync, statSync, writeFileSync} from 'node:fs';
import {join} from 'node:path';
import {spawnSync} from 'node:child_process';
import {afterAll, describe, expect, it} from 'vitest';
import {COMPAT, KSMBD, ksmbd, runNode, tempDir} from '../helpers/cli.js';

const GOOD_DB = 'alice:iEb36u6PsRetBr3YMLdYbA==\nbob:h42AFGBs2ilnekTvoTU/xw==\n';
const GOOD_CONF = '[global]\n\tworkgroup = HOME\n[Data]\n\tpath = /srv/data\n\tvalid users = alice\n';

interface Case {
  what: string;
  args: string[];
  db?: string;
  conf?: string;
  input?: string;
  code: 1 | 2;
  /** the JSON error code */
  error: string;
  message: RegExp;
  /** run as the unprivileged user `nobody` (root ignores directory permissions) */
  asNobody?: boolean;
  /** do not append -P db -C conf */
  ownPaths?: boolean;
}

const longName = 'u'.repeat(48);
const cases: Case[] = [
  // adduser: names and passwords
  {what: 'user name with a colon', args: ['adduser', '-a', 'bad:name', '-p', 'x'], code: 2, error: 'INVALID_USER_NAME', message: /Invalid user name `bad:name': contains `:' \[0x3A\]/},
  {what: 'user name of 48 bytes', args: ['adduser', '-a', longName, '-p', 'x'], code: 2, error: 'INVALID_USER_NAME', message: /exceeds 47 bytes/},
  {what: 'empty user name', args: ['adduser', '-a', '', '-p', 'x'], code: 2, error: 'INVALID_USER_NAME', message: /is missing/},
  {what: 'user name with a control character', args: ['adduser', '-a', 'a\u0001b', '-p', 'x'], code: 2, error: 'INVALID_USER_NAME', message: /contains .*\[0x01\]/},
  {what: 'password of 129 bytes', args: ['adduser', '-a', 'carol', '-p', 'x'.repeat(129)], code: 2, error: 'PASSWORD_INVALID', message: /Password exceeds 128 bytes/},
  {what: 'no password on empty stdin', args: ['adduser', '-a', 'carol'], input: '', code: 2, error: 'PASSWORD_MISSING', message: /No password on standard input/},
  // adduser: state
  {what: 'adding an existing user', args: ['adduser', '-a', 'alice', '-p', 'x'], code: 1, error: 'USER_EXISTS', message: /User `alice' already exists/},
  {what: 'updating a missing user', args: ['adduser', '-u', 'zoe', '-p', 'x'], code: 1, error: 'USER_NOT_FOUND', message: /User `zoe' does not exist/},
  {what: 'deleting a missing user', args: ['adduser', '-d', 'zoe'], code: 1, error: 'USER_NOT_FOUND', message: /User `zoe' does not exist/},
  {what: 'deleting a user a share needs', args: ['adduser', '-d', 'alice'], code: 1, error: 'USER_REQUIRED', message: /Share `Data' requires user `alice'/},
  {what: 'deleting a user [global] names for every share', args: ['adduser', '-d', 'bob'], conf: '[global]\n\twrite list = bob\n[s]\n\tpath = /s\n', code: 1, error: 'USER_REQUIRED', message: /Share `global' requires user `bob'/},
  {what: 'deleting the guest account', args: ['adduser', '-d', 'bob'], conf: '[global]\n\tguest account = bob\n', code: 1, error: 'USER_REQUIRED', message: /Server requires user `bob'/},
  {what: 'a broken database line', args: ['adduser', '-a', 'carol', '-p', 'x'], db: 'alice:iEb36u6PsRetBr3YMLdYbA==\ngarbage\n', code: 1, error: 'PWDDB_INVALID', message: /db:2: invalid entry: `garbage'/},
  {what: 'a broken config line (adduser)', args: ['adduser', '-a', 'carol', '-p', 'x'], conf: '[s]\n\tpath = /s\nthis is not a line\n', code: 1, error: 'CONFIG_INVALID', message: /conf:3: .*`this is not a line'/},
  // adduser: command line
  {what: 'an unknown flag', args: ['adduser', '-x', 'alice'], code: 2, error: 'USAGE', message: /Nonexistent flag: -x/},
  {what: 'two modes at once', args: ['adduser', '-a', '-d', 'alice'], code: 2, error: 'USAGE', message: /cannot also be provided/},
  {what: 'no user name', args: ['adduser', '-a', '-p', 'x'], code: 2, error: 'USAGE', message: /Missing USER argument/},
  {what: 'two user names', args: ['adduser', 'alice', 'bob', '-p', 'x'], code: 2, error: 'USAGE', message: /Unexpected argument: bob/},
  {what: '-p with --password-stdin', args: ['adduser', 'carol', '-p', 'x', '--password-stdin'], code: 2, error: 'USAGE', message: /cannot also be provided/},
  // adduser: files
  {what: 'database in a missing directory', args: ['adduser', '-a', 'carol', '-p', 'x', '-P', 'nodir/db', '-C', 'conf'], ownPaths: true, code: 1, error: 'IO_ERROR', message: /Can't lock `nodir\/db': No such file or directory/},
  {what: 'database in an unwritable directory', args: ['adduser', '-a', 'carol', '-p', 'x'], asNobody: true, code: 1, error: 'IO_ERROR', message: /Permission denied/},
  // addshare: names and options
  {what: 'share name with a bracket', args: ['addshare', '-a', 'a[b', '-o', 'path = /x'], code: 2, error: 'INVALID_SHARE_NAME', message: /Invalid share name `a\[b': contains `\[' \[0x5B\]/},
  {what: 'share name of 64 bytes', args: ['addshare', '-a', 's'.repeat(64), '-o', 'path = /x'], code: 2, error: 'INVALID_SHARE_NAME', message: /exceeds 63 bytes/},
  {what: 'an unknown key', args: ['addshare', '-a', 'new', '-o', 'path = /x', '-o', 'frobnicate = 1'], code: 2, error: 'UNKNOWN_PARAMETER', message: /unknown parameter `frobnicate'/},
  {what: 'a near-miss key', args: ['addshare', '-a', 'new', '-o', 'path = /x', '-o', 'valid user = alice'], code: 2, error: 'UNKNOWN_PARAMETER', message: /did you mean `valid users'\?/},
  {what: 'a global key on a share', args: ['addshare', '-a', 'new', '-o', 'path = /x', '-o', 'workgroup = X'], code: 2, error: 'GLOBAL_PARAMETER', message: /`workgroup' is a global parameter/},
  {what: 'a bad boolean', args: ['addshare', '-a', 'new', '-o', 'path = /x', '-o', 'guest ok = maybe'], code: 2, error: 'INVALID_VALUE', message: /expected yes or no, got `maybe'/},
  {what: 'a bad mask', args: ['addshare', '-a', 'new', '-o', 'path = /x', '-o', 'create mask = 0999'], code: 2, error: 'INVALID_VALUE', message: /expected an octal mode/},
  {what: 'a line break in a value', args: ['addshare', '-a', 'new', '-o', 'path = /x', '-o', 'comment = a\n[global]\nworkgroup = EVIL'], code: 2, error: 'INVALID_VALUE', message: /cannot contain control characters/},
  {what: 'a comment character in a value', args: ['addshare', '-a', 'new', '-o', 'path = /x', '-o', 'comment = Team #1'], code: 2, error: 'INVALID_VALUE', message: /cannot contain `;' or `#'/},
  {what: 'a negative port', args: ['addshare', '-u', 'global', '-o', 'tcp port = -1'], code: 2, error: 'INVALID_VALUE', message: /must be at least 1/},
  {what: 'a bad size', args: ['addshare', '-u', 'global', '-o', 'smb2 max read = lots'], code: 2, error: 'INVALID_VALUE', message: /expected a number/},
  {what: 'an option without =', args: ['addshare', '-a', 'new', '-o', 'path'], code: 2, error: 'INVALID_OPTION', message: /expected `key = value'/},
  {what: 'a share without a path', args: ['addshare', '-a', 'new', '-o', 'comment = x'], code: 2, error: 'PATH_MISSING', message: /needs a path/},
  {what: 'no options and no terminal', args: ['addshare', '-a', 'new'], code: 2, error: 'NO_OPTIONS', message: /standard input is not a terminal/},
  // addshare: state and files
  {what: 'adding an existing share in another case', args: ['addshare', '-a', 'DATA', '-o', 'path = /x'], code: 1, error: 'SHARE_EXISTS', message: /Share `DATA' already exists/},
  {what: 'updating a missing share', args: ['addshare', '-u', 'nope', '-o', 'path = /x'], code: 1, error: 'SHARE_NOT_FOUND', message: /Share `nope' does not exist/},
  {what: 'deleting a missing share', args: ['addshare', '-d', 'nope'], code: 1, error: 'SHARE_NOT_FOUND', message: /Share `nope' does not exist/},
  {what: 'showing a missing share', args: ['addshare', '--show', 'nope'], code: 1, error: 'SHARE_NOT_FOUND', message: /Share `nope' does not exist/},
  {what: 'a broken config line (addshare)', args: ['addshare', '-a', 'new', '-o', 'path = /x'], conf: '[old]\n\tpath = /old\nthis line is garbage\n', code: 1, error: 'CONFIG_INVALID', message: /conf:3: .*`this line is garbage'/},
  {what: 'a config parameter outside any section', args: ['addshare', '-a', 'new', '-o', 'path = /x'], conf: 'path = /x\n[s]\n', code: 1, error: 'CONFIG_INVALID', message: /conf:1: parameter outside of a section/},
  {what: 'config in a missing directory', args: ['addshare', '-a', 'new', '-o', 'path = /x', '-C', 'nodir/conf', '-P', 'db'], ownPaths: true, code: 1, error: 'IO_ERROR', message: /Can't lock `nodir\/conf': No such file or directory/},
  {what: 'config in an unwritable directory', args: ['addshare', '-a', 'new', '-o', 'path = /x'], asNobody: true, code: 1, error: 'IO_ERROR', message: /Permission denied/},
  {what: 'an unknown addshare flag', args: ['addshare', '--frob', 'x'], code: 2, error: 'USAGE', message: /Nonexistent flag: --frob/},
];

const dirs: Array<() => void> = [];
afterAll(() => dirs.forEach((c) => c()));

function snapshot(dir: string): Record<string, string> {
  const out: Record<string, string> = {};
  for (const f of readdirSync(dir)) out[f] = `${(statSync(join(dir, f)).mode & 0o7777).toString(8)}:${readFileSync(join(dir, f), 'base64')}`;
  return out;
}

function setup(c: Case): string {
  const t = tempDir('ksmbd-bad-');
  dirs.push(t.cleanup);
  writeFileSync(join(t.dir, 'db'), c.db ?? GOOD_DB, {mode: 0o644});
  writeFileSync(join(t.dir, 'conf'), c.conf ?? GOOD_CONF, {mode: 0o644});
  if (c.asNobody) {
    chownSync(join(t.dir, 'db'), 65534, 65534); // readable by nobody, directory not writable
    chownSync(join(t.dir, 'conf'), 65534, 65534);
    chmodSync(t.dir, 0o755);
  }
  return t.dir;
}

function run(c: Case, dir: string, json: boolean) {
  const args = [...c.args, ...(c.ownPaths ? [] : ['-P', 'db', '-C', 'conf']), ...(json ? ['--json'] : [])];
  if (!c.asNobody) return ksmbd(args, {cwd: dir, input: c.input});
  const r = spawnSync('setpriv', ['--reuid=nobody', '--regid=nogroup', '--clear-groups', process.execPath, KSMBD, ...args], {
    cwd: dir,
    input: c.input ?? '',
    encoding: 'utf8',
    env: {...process.env, KSMBD_RUNDIR: '/nonexistent', FORCE_COLOR: '0'},
  });
  return {code: r.status ?? -1, stdout: r.stdout, stderr: r.stderr};
}

describe('bad input to ksmbd adduser / addshare', () => {
  it('has at least 30 cases', () => expect(cases.length).toBeGreaterThanOrEqual(30));
  for (const c of cases) {
    it(`${c.what}: exit ${c.code}, ${c.error}`, () => {
      const dir = setup(c);
      const before = snapshot(dir);
      const human = run(c, dir, false);
      expect(human.stderr).toMatch(c.message);
      expect(human.code).toBe(c.code);
      expect(human.stdout).toBe('');
      const json = run(c, dir, true);
      expect(json.code).toBe(c.code);
      const answer = JSON.parse(json.stdout);
      expect(answer).toMatchObject({ok: false, error: {code: c.error}});
      expect(answer.error.message).toMatch(c.message);
      expect(snapshot(dir)).toEqual(before);
    });
  }
});

describe('bad input to the drop-ins', () => {
  it('ksmbd.adduser without a user prints usage and exits 1', () => {
    const r = runNode(COMPAT('adduser'), ['-a']);
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/^Usage: ksmbd\.adduser .*\nTry `ksmbd\.adduser --help' for more information\.\n$/);
  });
  it('ksmbd.addshare ignores unknown keys as ksmbd-tools does, and still writes nothing on a broken config', () => {
    const t = tempDir();
    dirs.push(t.cleanup);
    writeFileSync(join(t.dir, 'conf'), '[old]\nbroken\n');
    const r = runNode(COMPAT('addshare'), ['-a', '-o', 'path = /x', '-C', 'conf', '-P', 'db', 'new'], {cwd: t.dir});
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/ERROR: Invalid smbconf entry `broken'/);
    expect(readFileSync(join(t.dir, 'conf'), 'utf8')).toBe('[old]\nbroken\n');
    expect(existsSync(join(t.dir, 'db'))).toBe(false);
  });
  it('ksmbd.control with an unknown option', () => {
    const r = runNode(COMPAT('control'), ['-z']);
    expect(r.code).toBe(1);
    expect(r.stderr).toBe("ksmbd.control: invalid option -- 'z'\n");
  });
  it('ksmbd.addshare with a 3.4.7-style multi-line -o keeps working', () => {
    const t = tempDir();
    dirs.push(t.cleanup);
    mkdirSync(join(t.dir, 'x'));
    const r = runNode(COMPAT('addshare'), ['-c', 'conf', '--add-share=new', '-o', 'path = /x\ncomment = two'], {cwd: t.dir});
    expect(r.code).toBe(0);
    expect(readFileSync(join(t.dir, 'conf'), 'utf8')).toContain('\tcomment = two\n\tpath = /x\n');
  });
});
