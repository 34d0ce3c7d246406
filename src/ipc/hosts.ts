// `hosts allow` / `hosts deny` in Samba's syntax: addresses, networks (a.b.c.d/len, a.b.c.d/mask,
// IPv6/len), the prefix form `192.168.1.`, `localhost`, ALL, and `EXCEPT` (everything matched on the
// left unless matched on the right). Host names other than localhost would need DNS at tree-connect
// time, which is slow and spoofable; they never match and are reported as problems instead.
import {BlockList, isIPv4, isIPv6} from 'node:net';

export interface HostPattern {
  readonly text: string;
  matches(address: string): boolean;
}

/** `::ffff:10.0.0.1` is the IPv4 client 10.0.0.1 on a dual-stack socket. */
export function normalizeAddress(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1]! : address;
}

function family(address: string): 'ipv4' | 'ipv6' | undefined {
  return isIPv4(address) ? 'ipv4' : isIPv6(address) ? 'ipv6' : undefined;
}

function maskToPrefix(mask: string): number | undefined {
  if (!isIPv4(mask)) return undefined;
  const bits = mask.split('.').map((o) => Number(o).toString(2).padStart(8, '0')).join('');
  return /^1*0*$/.test(bits) ? bits.indexOf('0') < 0 ? 32 : bits.indexOf('0') : undefined;
}

function blockPattern(text: string, fill: (b: BlockList) => void): HostPattern {
  const b = new BlockList();
  fill(b);
  return {
    text,
    matches(address) {
      const a = normalizeAddress(address);
      const f = family(a);
      return f !== undefined && b.check(a, f);
    },
  };
}

/** One token, or a problem text. */
export function parseHostPattern(token: string): HostPattern | string {
  const t = token.trim();
  if (t.toUpperCase() === 'ALL') return {text: t, matches: () => true};
  if (t.toLowerCase() === 'localhost')
    return blockPattern(t, (b) => {
      b.addSubnet('127.0.0.0', 8, 'ipv4');
      b.addAddress('::1', 'ipv6');
    });
  const bare = t.replace(/^\[(.*)\]$/, '$1');
  const f = family(bare);
  if (f) return blockPattern(t, (b) => b.addAddress(bare, f));
  const slash = bare.indexOf('/');
  if (slash > 0) {
    const net = bare.slice(0, slash);
    const len = bare.slice(slash + 1);
    const nf = family(net);
    if (!nf) return `\`${t}': not a network address`;
    const prefix = /^\d{1,3}$/.test(len) ? Number(len) : nf === 'ipv4' ? maskToPrefix(len) : undefined;
    if (prefix === undefined || prefix > (nf === 'ipv4' ? 32 : 128)) return `\`${t}': bad prefix length or mask`;
    return blockPattern(t, (b) => b.addSubnet(net, prefix, nf));
  }
  // `192.168.1.` (Samba's prefix form): the octets given, the rest free.
  const m = /^(\d{1,3})\.(?:(\d{1,3})\.)?(?:(\d{1,3})\.)?$/.exec(bare);
  if (m) {
    const octets = [m[1], m[2], m[3]].filter((o): o is string => o !== undefined);
    if (octets.some((o) => Number(o) > 255)) return `\`${t}': bad address prefix`;
    const net = [...octets, ...Array(4 - octets.length).fill('0')].join('.');
    return blockPattern(t, (b) => b.addSubnet(net, octets.length * 8, 'ipv4'));
  }
  return `\`${t}': host names are not resolved; use addresses or networks`;
}

export interface HostList {
  /** Empty list: the parameter is unset. */
  empty: boolean;
  matches(address: string): boolean;
  problems: string[];
}

/** Build a matcher from the list's tokens (already split on blanks and commas). */
export function parseHostList(tokens: string[]): HostList {
  const problems: string[] = [];
  const build = (toks: string[]): (a: string) => boolean => {
    const i = toks.findIndex((x) => x.toUpperCase() === 'EXCEPT');
    if (i >= 0) {
      const left = build(toks.slice(0, i));
      const right = build(toks.slice(i + 1));
      return (a) => left(a) && !right(a);
    }
    const pats: HostPattern[] = [];
    for (const tok of toks) {
      const p = parseHostPattern(tok);
      if (typeof p === 'string') problems.push(p);
      else pats.push(p);
    }
    return (a) => pats.some((p) => p.matches(a));
  };
  const fn = build(tokens);
  return {empty: tokens.length === 0, matches: fn, problems};
}

/**
 * Samba's rule: with only `hosts deny`, listed clients are refused; with only `hosts allow`, only listed
 * clients get in; with both, `hosts allow` wins and anyone matching neither is let in.
 */
export function hostAllowed(allow: HostList, deny: HostList, address: string): boolean {
  if (allow.empty && deny.empty) return true;
  if (!allow.empty && allow.matches(address)) return true;
  if (!deny.empty && deny.matches(address)) return false;
  return allow.empty || !deny.empty;
}
