// The ksmbd-tools 3.5.6 golden cases (recorded from the real tools, copied into test/golden) replayed
// against our drop-ins by the cases' own runner: byte-for-byte output, exit codes, files and modes.
import {spawnSync} from 'node:child_process';
import {symlinkSync} from 'node:fs';
import {join} from 'node:path';
import {afterAll, expect, it} from 'vitest';
import {COMPAT, ROOT, tempDir} from '../helpers/cli.js';

const bin = tempDir('ksmbd-golden-bin-');
afterAll(() => bin.cleanup());

it('ksmbd-tools 3.5.6 golden cases all pass against the drop-ins', () => {
  for (const tool of ['adduser', 'addshare', 'control', 'mountd'] as const) symlinkSync(COMPAT(tool), join(bin.dir, `ksmbd.${tool}`));
  const r = spawnSync('sh', [join(ROOT, 'test/golden/run.sh'), 'v3.5.6'], {env: {...process.env, KSMBD_TOOLS_BIN: bin.dir}, encoding: 'utf8'});
  const summary = r.stdout.trim().split('\n').pop();
  expect(r.stdout).not.toMatch(/^FAIL/m);
  expect(summary).toBe('20 passed, 0 failed');
  expect(r.status).toBe(0);
});
