// Reading passwords and answers from standard input when it is not a terminal, and a raw-mode line
// editor for the terminal case of the drop-ins (hidden input, erase per character, ^C/^D abort).
import {createInterface, type Interface} from 'node:readline';

let rl: Interface | undefined;
let queue: string[] = [];
let waiters: Array<(line: string | undefined) => void> = [];
let ended = false;

function ensureReader(): void {
  if (rl) return;
  rl = createInterface({input: process.stdin, terminal: false, crlfDelay: Infinity});
  rl.on('line', (line) => {
    const w = waiters.shift();
    if (w) w(line);
    else queue.push(line);
  });
  rl.on('close', () => {
    ended = true;
    for (const w of waiters) w(undefined);
    waiters = [];
  });
}

/** Next line of standard input, or undefined at end of input. */
export function readStdinLine(): Promise<string | undefined> {
  ensureReader();
  if (queue.length > 0) return Promise.resolve(queue.shift());
  if (ended) return Promise.resolve(undefined);
  return new Promise((resolve) => waiters.push(resolve));
}

/** Stop reading standard input so the process can exit. */
export function closeStdin(): void {
  rl?.close();
  rl = undefined;
  queue = [];
  process.stdin.pause();
}

/** Read one line from a terminal without echo. Resolves undefined on ^C or ^D at an empty line. */
export function readHiddenLine(): Promise<string | undefined> {
  const stdin = process.stdin;
  return new Promise((resolve) => {
    let chars: string[] = [];
    const wasRaw = stdin.isRaw;
    stdin.setRawMode(true);
    stdin.resume();
    stdin.setEncoding('utf8');
    const done = (v: string | undefined) => {
      stdin.off('data', onData);
      stdin.setRawMode(wasRaw);
      stdin.pause();
      resolve(v);
    };
    const onData = (data: string) => {
      for (const ch of data) {
        if (ch === '\r' || ch === '\n') return done(chars.join(''));
        if (ch === '\u0003') return done(undefined);
        if (ch === '\u0004') {
          if (chars.length === 0) return done(undefined);
          continue;
        }
        if (ch === '\u007f' || ch === '\b') {
          chars = chars.slice(0, -1);
          continue;
        }
        if (ch.codePointAt(0)! < 0x20) continue;
        chars.push(ch);
      }
    };
    stdin.on('data', onData);
  });
}
