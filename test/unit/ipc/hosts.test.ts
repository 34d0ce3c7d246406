import {describe, expect, it} from 'vitest';
import {hostAllowed, normalizeAddress, parseHostList, parseHostPattern} from '../../../src/ipc/hosts.js';

const list = (s: string) => parseHostList(s.split(/[\s,]+/).filter(Boolean));

describe('host patterns', () => {
  it.each([
    ['10.1.2.3', '10.1.2.3', true],
    ['10.1.2.3', '10.1.2.4', false],
    ['10.0.0.0/8', '10.200.1.1', true],
    ['10.0.0.0/8', '11.0.0.1', false],
    ['192.168.1.0/255.255.255.0', '192.168.1.77', true],
    ['192.168.1.0/255.255.255.0', '192.168.2.77', false],
    ['192.168.1.', '192.168.1.9', true],
    ['192.168.', '192.169.0.1', false],
    ['fd00::/8', 'fd12::1', true],
    ['fd00::/8', 'fe80::1', false],
    ['::1', '::1', true],
    ['localhost', '127.0.0.1', true],
    ['localhost', '::1', true],
    ['ALL', '203.0.113.5', true],
    ['10.0.0.0/8', '::ffff:10.9.9.9', true],
  ])('%s matches %s: %s', (pattern, address, expected) => {
    const p = parseHostPattern(pattern);
    expect(typeof p).not.toBe('string');
    expect((p as {matches(a: string): boolean}).matches(address)).toBe(expected);
  });

  it.each(['10.0.0.0/33', '10.0.0.0/255.0.255.0', 'fileserver.example', '300.1.', 'x/8'])('refuses %s with a reason', (pattern) => {
    expect(typeof parseHostPattern(pattern)).toBe('string');
  });

  it('normalizes IPv4-mapped addresses', () => {
    expect(normalizeAddress('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(normalizeAddress('2001:db8::1')).toBe('2001:db8::1');
  });
});

describe('EXCEPT and allow/deny precedence', () => {
  it('EXCEPT removes addresses from the left side', () => {
    const l = list('10.0.0.0/8 EXCEPT 10.0.0.5 10.1.0.0/16');
    expect(l.matches('10.0.0.4')).toBe(true);
    expect(l.matches('10.0.0.5')).toBe(false);
    expect(l.matches('10.1.2.3')).toBe(false);
    expect(l.matches('192.168.0.1')).toBe(false);
  });

  it('ALL EXCEPT', () => {
    const l = list('ALL EXCEPT 192.0.2.0/24');
    expect(l.matches('192.0.2.7')).toBe(false);
    expect(l.matches('198.51.100.1')).toBe(true);
  });

  it('collects problems instead of failing', () => {
    const l = list('10.0.0.1, nas.example');
    expect(l.problems).toHaveLength(1);
    expect(l.matches('10.0.0.1')).toBe(true);
  });

  const empty = list('');
  it('nothing set: everyone', () => expect(hostAllowed(empty, empty, '1.2.3.4')).toBe(true));
  it('allow only: listed clients only', () => {
    expect(hostAllowed(list('10.0.0.0/8'), empty, '10.1.1.1')).toBe(true);
    expect(hostAllowed(list('10.0.0.0/8'), empty, '11.1.1.1')).toBe(false);
  });
  it('deny only: listed clients refused', () => {
    expect(hostAllowed(empty, list('10.0.0.0/8'), '10.1.1.1')).toBe(false);
    expect(hostAllowed(empty, list('10.0.0.0/8'), '11.1.1.1')).toBe(true);
  });
  it('both: allow wins, unlisted get in', () => {
    const allow = list('10.0.0.5');
    const deny = list('10.0.0.0/8');
    expect(hostAllowed(allow, deny, '10.0.0.5')).toBe(true);
    expect(hostAllowed(allow, deny, '10.0.0.6')).toBe(false);
    expect(hostAllowed(allow, deny, '192.0.2.1')).toBe(true);
  });
});
