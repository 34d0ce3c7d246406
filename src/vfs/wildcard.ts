/**
 * Name matching for QUERY_DIRECTORY search patterns (MS-FSA 2.1.4.4, FsRtlIsNameInExpression as MS-SMB2
 * 3.3.5.18 uses it): `*` any run, `?` one character, and the DOS wildcards clients send after translating
 * old-style patterns (MS-FSCC 2.1.4.3 / MS-FSA 2.1.4.4): `<` (DOS_STAR) any run up to the final `.`,
 * `>` (DOS_QM) one character, or nothing at a `.` or at the end, `"` (DOS_DOT) a `.` or nothing at the end.
 * Matching ignores case, as the file systems Windows clients expect do.
 */

const WILD = /[*?<>"]/;

export function hasWildcards(pattern: string): boolean {
  return WILD.test(pattern);
}

/** A compiled pattern: the common cases (`*`, a literal name) never reach the general matcher. */
export class NamePattern {
  readonly source: string;
  readonly #upper: string;
  readonly #kind: 'all' | 'literal' | 'wild';

  constructor(pattern: string) {
    this.source = pattern;
    this.#upper = pattern.toUpperCase();
    // "*" and "*.*" (the DOS spelling) and "<.*"-less patterns: every name matches "*".
    this.#kind = pattern === '*' || pattern === '' ? 'all' : hasWildcards(pattern) ? 'wild' : 'literal';
  }

  matches(name: string): boolean {
    if (this.#kind === 'all') return true;
    const n = name.toUpperCase();
    if (this.#kind === 'literal') return n === this.#upper;
    return matchWild(this.#upper, n);
  }
}

function matchWild(p: string, n: string): boolean {
  const lastDot = n.lastIndexOf('.');
  const cols = n.length + 1;
  // 0 unknown, 1 false, 2 true: memo over (pattern index, name index) keeps the matcher polynomial.
  const memo = new Uint8Array((p.length + 1) * cols);
  const go = (pi: number, ni: number): boolean => {
    const key = pi * cols + ni;
    const m = memo[key]!;
    if (m !== 0) return m === 2;
    let r = false;
    if (pi === p.length) r = ni === n.length;
    else {
      const c = p[pi]!;
      switch (c) {
        case '*':
          for (let k = ni; k <= n.length && !r; k++) r = go(pi + 1, k);
          break;
        case '?':
          r = ni < n.length && go(pi + 1, ni + 1);
          break;
        case '<': {
          // DOS_STAR: "matches zero or more characters until encountering and matching the final . in the name"
          const stop = lastDot >= ni ? lastDot : n.length;
          for (let k = ni; k <= stop && !r; k++) r = go(pi + 1, k);
          break;
        }
        case '>':
          // DOS_QM: "matches any single character, or upon encountering a period or end of name string,
          // advances the expression to the end of the set of contiguous DOS_QMs"
          if (ni === n.length || n[ni] === '.') r = go(pi + 1, ni);
          else r = go(pi + 1, ni + 1);
          break;
        case '"':
          // DOS_DOT: "matches either a period or zero characters beyond the name string"
          if (ni < n.length && n[ni] === '.') r = go(pi + 1, ni + 1);
          else r = ni === n.length && go(pi + 1, ni);
          break;
        default:
          r = ni < n.length && n[ni] === c && go(pi + 1, ni + 1);
      }
    }
    memo[key] = r ? 2 : 1;
    return r;
  };
  return go(0, 0);
}
