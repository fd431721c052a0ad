import { describe, expect, it } from 'vitest';
import { addressProblem, parseIPv6, webhookTarget } from '../../../lambdas/core/network-address.js';

/** Every spelling a caller might use for a non-public target, with what it must be called. */
const PRIVATE_URLS: [string, RegExp][] = [
  ['http://127.0.0.1/h', /loopback/],
  ['http://127.1/h', /loopback/],
  ['http://2130706433/h', /loopback/],
  ['http://0x7f000001/h', /loopback/],
  ['http://0x7f.0.0.1/h', /loopback/],
  ['http://0177.0.0.1/h', /loopback/],
  ['http://017700000001/h', /loopback/],
  ['http://127.000.000.001/h', /loopback/],
  ['http://localhost:8080/h', /loopback/],
  ['http://LOCALHOST./h', /loopback/],
  ['http://api.localhost/h', /loopback/],
  ['http://[::1]/h', /loopback/],
  ['http://[0:0:0:0:0:0:0:1]/h', /loopback/],
  ['http://[::ffff:127.0.0.1]/h', /IPv4-mapped/],
  ['http://[::ffff:7f00:1]/h', /IPv4-mapped/],
  ['http://[::ffff:169.254.169.254]/h', /IPv4-mapped/],
  ['http://[::127.0.0.1]/h', /IPv4-compatible/],
  ['http://[::]/h', /unspecified/],
  ['http://0.0.0.0/h', /this network/],
  ['http://0/h', /this network/],
  ['http://10.1.2.3/h', /RFC 1918/],
  ['http://172.16.0.1/h', /RFC 1918/],
  ['http://172.31.255.255/h', /RFC 1918/],
  ['http://192.168.1.1/h', /RFC 1918/],
  ['http://3232235777/h', /RFC 1918/],
  ['http://169.254.169.254/latest/meta-data/', /link-local/],
  ['http://0xa9fea9fe/h', /link-local/],
  ['http://[fe80::1]/h', /link-local/],
  ['http://[fd00:ec2::254]/h', /unique local/],
  ['http://[fc00::1]/h', /unique local/],
  ['http://100.64.0.1/h', /carrier-grade NAT/],
  ['http://100.127.255.255/h', /carrier-grade NAT/],
  ['http://224.0.0.1/h', /multicast/],
  ['http://[ff02::1]/h', /multicast/],
  ['http://255.255.255.255/h', /broadcast/],
  ['http://240.0.0.1/h', /reserved/],
  ['http://192.0.2.1/h', /documentation/],
  ['http://198.18.0.1/h', /benchmarking/],
  ['http://[64:ff9b::10.0.0.1]/h', /NAT64 of a non-public/],
  ['http://[64:ff9b::7f00:1]/h', /NAT64 of a non-public/],
  ['http://[2002:7f00:1::]/h', /6to4 of a non-public/],
  ['http://[2001:db8::1]/h', /documentation/],
  ['http://[2001::1]/h', /Teredo/],
];

describe('webhook targets', () => {
  it.each(PRIVATE_URLS)('refuses %s', (url, why) => {
    const t = webhookTarget(url);
    expect(t.ok).toBe(false);
    expect(!t.ok && t.problem).toMatch(why);
    // The opt-in lets exactly these through.
    expect(webhookTarget(url, { allowPrivate: true }).ok).toBe(true);
  });

  it('accepts public literals and leaves names to be resolved', () => {
    expect(webhookTarget('https://93.184.216.34/h')).toMatchObject({ ok: true, address: '93.184.216.34' });
    expect(webhookTarget('https://[2606:4700::1111]/h')).toMatchObject({ ok: true, address: '2606:4700::1111' });
    expect(webhookTarget('http://[64:ff9b::8.8.8.8]/h')).toMatchObject({ ok: true });
    expect(webhookTarget('https://hooks.example.com/h')).toMatchObject({ ok: true, hostname: 'hooks.example.com', address: null });
    expect(webhookTarget('https://172.32.0.1/h').ok).toBe(true);
    expect(webhookTarget('https://100.128.0.1/h').ok).toBe(true);
  });

  it('refuses other schemes and credentials even with the opt-in', () => {
    for (const url of ['ftp://example.com/x', 'file:///etc/passwd', 'gopher://x/', 'https://user:pw@example.com/h', 'not a url'])
      expect(webhookTarget(url, { allowPrivate: true }).ok, url).toBe(false);
  });
});

describe('addressProblem', () => {
  it('classifies resolver answers (dotted quads and IPv6 as DNS gives them)', () => {
    expect(addressProblem('8.8.8.8')).toBeNull();
    expect(addressProblem('2001:4860:4860::8888')).toBeNull();
    expect(addressProblem('127.0.0.53')).toMatch(/loopback/);
    expect(addressProblem('::ffff:10.0.0.1')).toMatch(/IPv4-mapped/);
    expect(addressProblem('fe80::1%eth0')).toMatch(/not an IP address/);
    expect(addressProblem('4000::1')).toMatch(/not global unicast/);
  });

  it('parses every IPv6 spelling to the same groups', () => {
    const loop = [0, 0, 0, 0, 0, 0, 0, 1];
    for (const s of ['::1', '0::1', '0:0:0:0:0:0:0:1', '[::1]', '0000:0000:0000:0000:0000:0000:0000:0001', '::0.0.0.1']) expect(parseIPv6(s), s).toEqual(loop);
    expect(parseIPv6('::ffff:127.0.0.1')).toEqual([0, 0, 0, 0, 0, 0xffff, 0x7f00, 1]);
    for (const s of ['1:2:3:4:5:6:7:8:9', '1::2::3', ':::', '12345::', '::ffff:256.0.0.1', 'x::1']) expect(parseIPv6(s), s).toBeNull();
  });
});
