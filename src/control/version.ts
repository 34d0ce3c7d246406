// Our version, from package.json (found from both src/ under vitest and dist/src/ when built).
import {readFileSync} from 'node:fs';

let cached: string | undefined;

export function productVersion(): string {
  if (cached) return cached;
  for (const rel of ['../../../package.json', '../../package.json']) {
    try {
      const pkg = JSON.parse(readFileSync(new URL(rel, import.meta.url), 'utf8')) as {name?: string; version?: string};
      if (pkg.name === 'ksmbd-node' && pkg.version) return (cached = pkg.version);
    } catch {
      /* try the next */
    }
  }
  return (cached = '0.0.0');
}
