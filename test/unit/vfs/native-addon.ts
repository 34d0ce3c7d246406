// Builds the identity-ops addon when it is missing or older than its sources.
// (`npm run build` does this once package.json runs build:native; tests must not depend on it.)
import {execFileSync} from 'node:child_process';
import {existsSync, readdirSync, statSync} from 'node:fs';
import {dirname, join, resolve} from 'node:path';
import {fileURLToPath} from 'node:url';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../../..');
export const addonFile = join(repoRoot, 'build', 'Release', 'ksmbd_idops.node');

function newestSource(): number {
  const dir = join(repoRoot, 'src', 'vfs', 'native');
  const files = readdirSync(dir).filter((f) => /\.[ch]$/.test(f)).map((f) => join(dir, f));
  files.push(join(repoRoot, 'binding.gyp'));
  return Math.max(...files.map((f) => statSync(f).mtimeMs));
}

export function ensureAddon(): void {
  if (existsSync(addonFile) && statSync(addonFile).mtimeMs >= newestSource()) return;
  const prefix = resolve(process.execPath, '..', '..');
  const gyp = process.env.npm_config_node_gyp && existsSync(process.env.npm_config_node_gyp)
    ? process.env.npm_config_node_gyp
    : join(prefix, 'lib', 'node_modules', 'npm', 'node_modules', 'node-gyp', 'bin', 'node-gyp.js');
  execFileSync(process.execPath, [gyp, 'rebuild', `--nodedir=${prefix}`], {cwd: repoRoot, stdio: 'pipe'});
}
