// Value syntax of ksmbd.conf (ksmbd-tools 3.5.x rules, stricter where a silent misreading would hurt):
// each parser returns the typed value or an error text naming what was expected.
import type {Param} from './params.js';

export type Parsed<T> = {ok: true; value: T} | {ok: false; error: string};

const ok = <T>(value: T): Parsed<T> => ({ok: true, value});
const bad = <T>(error: string): Parsed<T> => ({ok: false, error});

/**
 * ksmbd-tools reads any value starting with yes/1/true/enable as true and everything else as false,
 * so `guest ok = maybe` silently means no. We accept the same true words (and Samba's on/off) and
 * refuse anything that is neither clearly true nor clearly false.
 */
export function parseBoolean(v: string): Parsed<boolean> {
  const s = v.trim().toLowerCase();
  if (/^(yes|true|1|enabled?|on)$/.test(s)) return ok(true);
  if (/^(no|false|0|disabled?|off)$/.test(s)) return ok(false);
  return bad(`expected yes or no, got \`${v.trim()}'`);
}

const SUFFIX = 'KMGTPE';

/** strtoull(base 0) plus an optional K/M/G/T/P/E suffix of which only the first letter counts (4MB works). */
export function parseSize(v: string): Parsed<number> {
  const m = /^\s*(0[xX][0-9a-fA-F]+|0[0-7]*|[1-9][0-9]*)\s*([kmgtpeKMGTPE][a-zA-Z]*)?\s*$/.exec(v);
  if (!m) return bad(`expected a number with an optional K, M, G or T suffix, got \`${v.trim()}'`);
  const digits = m[1]!;
  let n: bigint;
  if (/^0[xX]/.test(digits)) n = BigInt(digits);
  else if (digits.length > 1 && digits.startsWith('0')) n = BigInt('0o' + digits.slice(1));
  else n = BigInt(digits);
  if (m[2]) n *= 1024n ** BigInt(SUFFIX.indexOf(m[2][0]!.toUpperCase()) + 1);
  if (n > BigInt(Number.MAX_SAFE_INTEGER)) return bad(`number too large: \`${v.trim()}'`);
  return ok(Number(n));
}

export function parseInteger(v: string): Parsed<number> {
  const s = v.trim();
  if (!/^-?[0-9]+$/.test(s)) return bad(`expected a whole number, got \`${s}'`);
  const n = Number(s);
  if (!Number.isSafeInteger(n)) return bad(`number too large: \`${s}'`);
  return ok(n);
}

export function parseMask(v: string): Parsed<number> {
  const s = v.trim();
  if (!/^[0-7]{1,4}$/.test(s)) return bad(`expected an octal mode such as 0644, got \`${s}'`);
  return ok(parseInt(s, 8));
}

export type Tristate = 'disabled' | 'auto' | 'mandatory';

/** ksmbd-tools: prefix enabled/auto → auto-like, mandatory → mandatory, else disabled. Samba words too. */
export function parseTristate(v: string): Parsed<Tristate> {
  const s = v.trim().toLowerCase();
  if (/^(auto|enabled?|yes|true|on|if_required|desired|default)$/.test(s)) return ok('auto');
  if (/^(mandatory|required|force)$/.test(s)) return ok('mandatory');
  if (/^(disabled?|no|false|off)$/.test(s)) return ok('disabled');
  return bad(`expected disabled, auto or mandatory, got \`${v.trim()}'`);
}

export const DIALECTS = ['SMB2_02', 'SMB2_10', 'SMB3_00', 'SMB3_02', 'SMB3_11'] as const;
export type Dialect = (typeof DIALECTS)[number];

export function parseProtocol(v: string): Parsed<Dialect> {
  const s = v.trim().toUpperCase();
  if ((DIALECTS as readonly string[]).includes(s)) return ok(s as Dialect);
  // Samba's shorthands name the newest dialect of the family.
  if (s === 'SMB2') return ok('SMB2_10');
  if (s === 'SMB3') return ok('SMB3_11');
  if (s === 'NT1' || s === 'SMB1' || s === 'LANMAN1' || s === 'LANMAN2' || s === 'CORE' || s === 'COREPLUS')
    return bad(`SMB1 (${v.trim()}) is not served; use SMB2_02 or later`);
  return bad(`expected one of ${DIALECTS.join(', ')}, got \`${v.trim()}'`);
}

/** Lists split on blanks and commas (ksmbd-tools); empty items vanish. */
export function parseList(v: string): string[] {
  return v.split(/[\s,]+/).filter((s) => s.length > 0);
}

export type TypedValue = string | number | boolean | string[];

function inRange(p: Param, r: Parsed<number>, raw: string): Parsed<number> {
  if (!r.ok) return r;
  const min = p.min ?? (p.type === 'integer' ? 0 : undefined);
  if (min !== undefined && r.value < min) return bad(`must be at least ${min}, got \`${raw.trim()}'`);
  if (p.max !== undefined && r.value > p.max) return bad(`must be at most ${p.max}, got \`${raw.trim()}'`);
  return r;
}

/** Check a value against its parameter; returns the typed value or an error text. */
export function parseValue(p: Param, raw: string): Parsed<TypedValue> {
  switch (p.type) {
    case 'boolean':
      return parseBoolean(raw);
    case 'size':
      return inRange(p, parseSize(raw), raw);
    case 'integer': {
      const r = parseInteger(raw);
      if (r.ok && p.values && !p.values.includes(String(r.value))) return bad(`expected one of ${p.values.join(', ')}, got \`${raw.trim()}'`);
      return inRange(p, r, raw);
    }
    case 'mask':
      return parseMask(raw);
    case 'tristate':
      return parseTristate(raw);
    case 'protocol':
      return parseProtocol(raw);
    case 'enum': {
      const s = raw.trim().toLowerCase().replace(/\s+/g, ' ');
      const values = p.values ?? [];
      if (values.includes(s)) return ok(s);
      return bad(`expected one of ${values.map((x) => `\`${x}'`).join(', ')}, got \`${raw.trim()}'`);
    }
    case 'list':
      return ok(parseList(raw));
    case 'string':
      return ok(raw);
  }
}
