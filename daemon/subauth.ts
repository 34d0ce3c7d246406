// The server SID's three subauthorities (S-1-5-21-A-B-C), in `ksmbd.subauth` beside the config as
// ksmbd-tools keeps them: created once with random unsigned 32-bit numbers and then never changed, so
// SIDs in ACLs and RPC answers stay the same across restarts.
import {randomBytes} from 'node:crypto';
import {mkdirSync, readFileSync} from 'node:fs';
import {dirname, join} from 'node:path';
import {writeFileAtomic} from '../src/files/atomic.js';
import type {Logger} from '../src/log/logger.js';

export type Subauth = [number, number, number];

function randomSubauth(): Subauth {
  const b = randomBytes(12);
  return [b.readUInt32LE(0), b.readUInt32LE(4), b.readUInt32LE(8)];
}

export function parseSubauth(text: string): Subauth | undefined {
  const m = /^(\d{1,10}):(\d{1,10}):(\d{1,10})$/.exec(text.split('\n')[0]!.trim());
  if (!m) return undefined;
  const n = [Number(m[1]), Number(m[2]), Number(m[3])];
  return n.every((x) => x <= 0xffffffff) ? (n as Subauth) : undefined;
}

export function subauthPath(configFile: string): string {
  return join(dirname(configFile), 'ksmbd.subauth');
}

/** Read the file, or create it when missing. Problems only cost stability, never the start. */
export function loadSubauth(file: string, log: Logger): Subauth {
  let text: string | undefined;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'ENOENT') {
      log.warn(`Can't read \`${file}' (${(e as Error).message}); using random subauths for this run`);
      return randomSubauth();
    }
  }
  if (text !== undefined) {
    const s = parseSubauth(text);
    if (s) return s;
    // Like ksmbd-tools: keep the (possibly hand-edited) file, use fresh values for this run only.
    log.warn(`Invalid subauth file \`${file}'; using random subauths for this run`);
    return randomSubauth();
  }
  const s = randomSubauth();
  try {
    mkdirSync(dirname(file), {recursive: true, mode: 0o755});
    writeFileAtomic(file, `${s.join(':')}\n`, {mode: 0o640});
    log.info(`Wrote \`${file}'`);
  } catch (e) {
    log.warn(`Ignored subauth file: ${(e as Error).message}`);
  }
  return s;
}
