// ksmbd.conf as text: parse into sections of raw key/values, and write back the way ksmbd-tools 3.5.x
// does (golden cases 13-15). Meaning (types, defaults, synonyms) lives in params.ts / load.ts.
import {ConfigError} from './errors.js';
import {GLOBAL_SECTION, isGlobalName, isIpcName, shareKey, shareNameProblem} from './names.js';
import {normalizeKey, toolsKind} from './params.js';

export interface ConfValue {
  /** The key as the user wrote it (ksmbd-tools keeps its case). */
  key: string;
  value: string;
  line: number;
}

export interface ConfSection {
  /** The name as first written in the file. */
  name: string;
  line: number;
  /** Normalized key -> the first non-empty value (an empty value means unset). */
  params: Map<string, ConfValue>;
}

export interface ConfFile {
  file?: string;
  /** shareKey(name) -> section, in order of first appearance. */
  sections: Map<string, ConfSection>;
}

export function emptyConf(file?: string): ConfFile {
  return {file, sections: new Map()};
}

function isControlFree(s: string): boolean {
  return !/[\x00-\x08\x0a-\x1f\x7f]/.test(s);
}

/**
 * Parse ksmbd.conf text. Rules of ksmbd-tools 3.5.x: `;`/`#` comments, [section], `key = value` with an
 * inline comment starting at the first `;` or `#`, keys case-insensitive, a repeated section continues
 * the earlier one. Unlike ksmbd-tools we accept CRLF line ends and a UTF-8 byte order mark.
 */
export function parseConf(text: string, file?: string): ConfFile {
  const conf = emptyConf(file);
  if (text.startsWith('\uFEFF')) text = text.slice(1);
  const lines = text.split('\n');
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  let current: ConfSection | undefined;

  const fail = (lineNo: number, raw: string, why: string): never => {
    throw new ConfigError(`${why}: \`${raw}'`, 'CONF_SYNTAX', file, lineNo, raw);
  };

  lines.forEach((rawLine, i) => {
    const lineNo = i + 1;
    const raw = rawLine.endsWith('\r') ? rawLine.slice(0, -1) : rawLine;
    const line = raw.replace(/^[ \t]+/, '');
    if (line === '' || line[0] === ';' || line[0] === '#') return;
    if (!isControlFree(line)) fail(lineNo, raw, 'control character in line');

    if (line[0] === '[') {
      const m = /^\[([^\]]*)\][ \t]*([;#].*)?$/.exec(line);
      if (!m) return fail(lineNo, raw, 'invalid section header');
      const name = m[1]!;
      const problem = shareNameProblem(name);
      if (problem) return fail(lineNo, raw, `invalid section name (${problem.toLowerCase()})`);
      const key = shareKey(name);
      current = conf.sections.get(key);
      if (!current) {
        current = {name, line: lineNo, params: new Map()};
        conf.sections.set(key, current);
      }
      return;
    }

    const eq = line.indexOf('=');
    if (eq <= 0) return fail(lineNo, raw, 'expected [section], key = value or a comment');
    const key = line.slice(0, eq).replace(/[ \t]+$/, '');
    if (key === '') return fail(lineNo, raw, 'empty parameter name');
    if (!current) return fail(lineNo, raw, 'parameter outside of a section');
    let value = line.slice(eq + 1).replace(/^[ \t]+/, '');
    const comment = value.search(/[;#]/);
    if (comment >= 0) value = value.slice(0, comment);
    const nk = normalizeKey(key);
    if (value !== '' && !current.params.has(nk)) current.params.set(nk, {key, value, line: lineNo});
  });
  return conf;
}

function strcmp(a: string, b: string): number {
  return Buffer.compare(Buffer.from(a, 'utf8'), Buffer.from(b, 'utf8'));
}

function sortedLines(values: ConfValue[]): string[] {
  return values
    .slice()
    .sort((a, b) => strcmp(a.key, b.key))
    .map((v) => `\t${v.key} = ${v.value}\n`);
}

function writeSection(s: ConfSection): string {
  const global = isGlobalName(s.name);
  const first: ConfValue[] = [];
  const second: ConfValue[] = [];
  for (const v of s.params.values()) {
    // ksmbd-tools' headings follow its own table: share parameters it knows vs everything else.
    (toolsKind(v.key) === 'share' ? second : first).push(v);
  }
  let out = `[${s.name}]\n`;
  if (first.length > 0) out += `\t; ${global ? 'global parameters' : 'parameters'}\n` + sortedLines(first).join('');
  if (first.length > 0 && second.length > 0) out += '\n';
  if (second.length > 0) out += `\t; ${global ? 'default share parameters' : 'share parameters'}\n` + sortedLines(second).join('');
  return out + '\n';
}

/** Serialize in ksmbd-tools 3.5.x order: header, [global], IPC$, then the rest in byte order. */
export function writeConf(conf: ConfFile): string {
  const sections = [...conf.sections.values()];
  const rank = (s: ConfSection) => (isGlobalName(s.name) ? 0 : isIpcName(s.name) ? 1 : 2);
  sections.sort((a, b) => rank(a) - rank(b) || strcmp(a.name, b.name));
  return '; see ksmbd.conf(5) for details\n\n' + sections.map(writeSection).join('');
}

export function getSection(conf: ConfFile, name: string): ConfSection | undefined {
  return conf.sections.get(shareKey(name));
}

export function globalSection(conf: ConfFile): ConfSection | undefined {
  return conf.sections.get(GLOBAL_SECTION);
}
