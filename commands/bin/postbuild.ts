// tsc does not keep the executable bit: give it to the bins named in package.json.
import {chmodSync, readFileSync} from 'node:fs';
import {fileURLToPath} from 'node:url';
import {dirname, join} from 'node:path';

const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as {bin: Record<string, string>};
for (const file of Object.values(pkg.bin)) chmodSync(join(root, file), 0o755);
