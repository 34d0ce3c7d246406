#!/usr/bin/env node
// `npm run man`: regenerate man/ksmbd.conf.5 from the parameter table (src/config/params.ts).
import {writeFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {fileURLToPath} from 'node:url';
import {renderConfManPage} from '../../src/config/manpage.js';

// dist/commands/bin/gen-man.js -> the repository root is three levels up.
const root = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..');
const target = join(root, 'man', 'ksmbd.conf.5');
writeFileSync(target, renderConfManPage());
process.stdout.write(`wrote ${target}\n`);
