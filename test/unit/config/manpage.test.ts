import {describe, expect, it} from 'vitest';
import {spawnSync} from 'node:child_process';
import {readdirSync, readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {renderConfManPage} from '../../../src/config/manpage.js';
import {PARAMS} from '../../../src/config/params.js';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const manDir = join(root, 'man');
const pages = readdirSync(manDir)
  .filter((f) => /\.[58]$/.test(f))
  .sort();

/** Run a tool; a missing tool is a failure with a hint, never a skip. */
function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = process.env): {status: number | null; out: string} {
  const r = spawnSync(cmd, args, {cwd: root, encoding: 'utf8', env});
  if (r.error) {
    const code = (r.error as NodeJS.ErrnoException).code;
    throw new Error(code === 'ENOENT' ? `${cmd} is not installed (Debian: apt-get install groff man-db)` : `${cmd}: ${r.error.message}`);
  }
  return {status: r.status, out: `${r.stdout}${r.stderr}`};
}

describe('man/ksmbd.conf.5', () => {
  const committed = readFileSync(join(manDir, 'ksmbd.conf.5'), 'utf8');

  it('is what renderConfManPage() generates (run `npm run man` after changing params.ts)', () => {
    expect(committed).toBe(renderConfManPage());
  });

  it('has an entry for every parameter of the table', () => {
    const missing = PARAMS.filter((p) => !committed.includes(`.TP\n\\fB${p.name.replace(/-/g, '\\-')}\\fR (`)).map((p) => p.name);
    expect(missing).toEqual([]);
  });

  it('marks every parameter that is not acted on yet', () => {
    for (const p of PARAMS.filter((q) => q.notActedOn)) {
      const start = committed.indexOf(`.TP\n\\fB${p.name}\\fR (`);
      const end = committed.indexOf('.TP\n', start + 1);
      expect(committed.slice(start, end === -1 ? undefined : end), p.name).toContain('Not acted on yet');
    }
  });

  it('renders with man -l', () => {
    const r = run('man', ['-l', join(manDir, 'ksmbd.conf.5')], {...process.env, MANPAGER: 'cat', PAGER: 'cat', MANWIDTH: '80'});
    expect(r.status).toBe(0);
    expect(r.out).toContain('fruit:time machine');
  });
});

describe('man pages', () => {
  it('are all there', () => {
    expect(pages).toEqual(['ksmbd-addshare.8', 'ksmbd-adduser.8', 'ksmbd.8', 'ksmbd.conf.5', 'ksmbdpwd.db.5']);
  });

  it.each(pages)('%s: groff -ww -z -man prints nothing and exits 0', (page) => {
    const r = run('groff', ['-ww', '-z', '-man', join('man', page)]);
    expect(r.out).toBe('');
    expect(r.status).toBe(0);
  });

  it('all together: groff -ww -z -man man/*.[58] prints nothing', () => {
    const r = run('groff', ['-ww', '-z', '-man', ...pages.map((p) => join('man', p))]);
    expect(r.out).toBe('');
    expect(r.status).toBe(0);
  });
});
