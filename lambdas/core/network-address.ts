/**
 * Which addresses a webhook may go to: public unicast only. Pure classification of IP addresses
 * (IPv4 dotted quads, IPv6 in any RFC 4291 spelling) and of webhook URLs, whose host is parsed
 * by the WHATWG URL parser — it canonicalises every IPv4 spelling (2130706433, 0x7f000001,
 * 0177.0.0.1, 127.1) to a dotted quad and IPv6 to its short form, so one classification covers
 * them all. Resolution and connecting live with the delivery code (platform/api/webhooks.ts).
 */

/** [first address, prefix length, why it is not public] for IPv4. */
const V4_BLOCKS: [string, number, string][] = [
  ['0.0.0.0', 8, '"this network" (0.0.0.0/8)'],
  ['10.0.0.0', 8, 'private (RFC 1918)'],
  ['100.64.0.0', 10, 'carrier-grade NAT (100.64.0.0/10)'],
  ['127.0.0.0', 8, 'loopback'],
  ['169.254.0.0', 16, 'link-local (169.254.0.0/16, cloud metadata)'],
  ['172.16.0.0', 12, 'private (RFC 1918)'],
  ['192.0.0.0', 24, 'IETF protocol assignments (192.0.0.0/24)'],
  ['192.0.2.0', 24, 'documentation (TEST-NET-1)'],
  ['192.88.99.0', 24, '6to4 relay anycast (192.88.99.0/24)'],
  ['192.168.0.0', 16, 'private (RFC 1918)'],
  ['198.18.0.0', 15, 'benchmarking (198.18.0.0/15)'],
  ['198.51.100.0', 24, 'documentation (TEST-NET-2)'],
  ['203.0.113.0', 24, 'documentation (TEST-NET-3)'],
  ['224.0.0.0', 4, 'multicast'],
  ['255.255.255.255', 32, 'broadcast'],
  ['240.0.0.0', 4, 'reserved (240.0.0.0/4)'],
];

/** Parses a strict dotted quad (what WHATWG URL and DNS give) to a 32-bit number, else null. */
export function parseIPv4(s: string): number | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(s);
  if (!m) return null;
  const o = m.slice(1).map(Number);
  if (o.some((x) => x > 255)) return null;
  return ((o[0]! << 24) | (o[1]! << 16) | (o[2]! << 8) | o[3]!) >>> 0;
}

/** Parses IPv6 (with `::`, an embedded dotted quad, optional brackets; no zone) to 8 groups, else null. */
export function parseIPv6(raw: string): number[] | null {
  const s = raw.startsWith('[') && raw.endsWith(']') ? raw.slice(1, -1) : raw;
  if (!s.includes(':') || s.includes('%')) return null;
  let tail: number[] = [];
  let text = s;
  const quad = /(?:^|:)(\d{1,3}(?:\.\d{1,3}){3})$/.exec(s);
  if (quad) {
    const v4 = parseIPv4(quad[1]!);
    if (v4 === null) return null;
    tail = [v4 >>> 16, v4 & 0xffff];
    text = s.slice(0, s.length - quad[1]!.length);
    if (text.endsWith(':') && !text.endsWith('::')) text = text.slice(0, -1);
  }
  const halves = text.split('::');
  if (halves.length > 2) return null;
  const groups = (h: string) => (h === '' ? [] : h.split(':'));
  const head = groups(halves[0]!);
  const rest = halves.length === 2 ? groups(halves[1]!) : [];
  if (![...head, ...rest].every((g) => /^[0-9a-fA-F]{1,4}$/.test(g))) return null;
  const given = head.length + rest.length + tail.length;
  if (halves.length === 1 ? given !== 8 : given > 7) return null;
  const zeros = new Array<number>(8 - given).fill(0);
  return [...head.map((g) => parseInt(g, 16)), ...(halves.length === 2 ? zeros : []), ...rest.map((g) => parseInt(g, 16)), ...tail];
}

const inV4 = (ip: number, base: string, bits: number): boolean => bits === 0 || ip >>> (32 - bits) === parseIPv4(base)! >>> (32 - bits);

function v4Problem(ip: number): string | null {
  for (const [base, bits, why] of V4_BLOCKS) if (inV4(ip, base, bits)) return why;
  return null;
}

/** The IPv4 address held in the last 32 bits of an IPv6 address. */
const embeddedV4 = (g: number[]): number => ((g[6]! << 16) | g[7]!) >>> 0;
const startsWith = (g: number[], prefix: number[], bits: number): boolean => {
  for (let i = 0; i < 8 && bits > 0; i++, bits -= 16) {
    const mask = bits >= 16 ? 0xffff : (0xffff << (16 - bits)) & 0xffff;
    if ((g[i]! & mask) !== ((prefix[i] ?? 0) & mask)) return false;
  }
  return true;
};

function v6Problem(g: number[]): string | null {
  const zeroHead = g.slice(0, 5).every((x) => x === 0);
  if (g.every((x) => x === 0)) return 'unspecified (::)';
  if (zeroHead && g[5] === 0 && g[6] === 0 && g[7] === 1) return 'loopback (::1)';
  if (zeroHead && g[5] === 0xffff) return 'IPv4-mapped IPv6 (::ffff:0:0/96)';
  if (zeroHead && g[5] === 0) return 'IPv4-compatible IPv6 (::/96)';
  if (startsWith(g, [0x64, 0xff9b], 96)) {
    const inner = v4Problem(embeddedV4(g));
    return inner ? `NAT64 of a non-public IPv4 address: ${inner}` : null;
  }
  if (startsWith(g, [0x64, 0xff9b, 1], 48)) return 'local-use NAT64 (64:ff9b:1::/48)';
  if (startsWith(g, [0x2002], 16)) {
    const inner = v4Problem(((g[1]! << 16) | g[2]!) >>> 0);
    return inner ? `6to4 of a non-public IPv4 address: ${inner}` : null;
  }
  if (startsWith(g, [0xfc00], 7)) return 'unique local (fc00::/7)';
  if (startsWith(g, [0xfe80], 10)) return 'link-local (fe80::/10)';
  if (startsWith(g, [0xfec0], 10)) return 'site-local (fec0::/10)';
  if (startsWith(g, [0xff00], 8)) return 'multicast (ff00::/8)';
  if (startsWith(g, [0x2001, 0], 32)) return 'Teredo (2001::/32)';
  if (startsWith(g, [0x2001, 0x0db8], 32)) return 'documentation (2001:db8::/32)';
  if (startsWith(g, [0x2001, 0x0010], 28) || startsWith(g, [0x2001, 0x0020], 28)) return 'ORCHID (2001:10::/28, 2001:20::/28)';
  if (startsWith(g, [0x2001], 23)) return 'IETF protocol assignments (2001::/23)';
  if (startsWith(g, [0x3fff], 20)) return 'documentation (3fff::/20)';
  // Everything outside global unicast is reserved or special-purpose.
  if (!startsWith(g, [0x2000], 3)) return 'not global unicast (outside 2000::/3)';
  return null;
}

/**
 * Why an IP address is not a public unicast address (loopback, private, link-local, metadata,
 * CGNAT, multicast, reserved, mapped, ...), or null when it is public. Not an address → a reason too.
 */
export function addressProblem(ip: string): string | null {
  const v4 = parseIPv4(ip);
  if (v4 !== null) return v4Problem(v4);
  const v6 = parseIPv6(ip);
  if (v6) return v6Problem(v6);
  return `"${ip}" is not an IP address`;
}

export type WebhookTarget =
  | { ok: false; problem: string }
  /** `address`: the host when it is an IP literal (already vetted), else null (a name to resolve). */
  | { ok: true; url: URL; hostname: string; address: string | null };

/**
 * A webhook URL as the delivery will see it: http(s), no credentials, and a host that is either
 * a public IP literal (any spelling) or a name that still has to be resolved and vetted.
 * `allowPrivate` (a deployment's opt-in) skips the address rules, not the URL ones.
 */
export function webhookTarget(raw: string, o: { allowPrivate?: boolean } = {}): WebhookTarget {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, problem: 'not a URL' };
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return { ok: false, problem: 'only http and https webhooks are supported' };
  if (url.username || url.password) return { ok: false, problem: 'a webhook URL may not carry credentials' };
  const hostname = url.hostname.startsWith('[') ? url.hostname.slice(1, -1) : url.hostname;
  const literal = parseIPv4(hostname) !== null || parseIPv6(hostname) !== null;
  if (o.allowPrivate) return { ok: true, url, hostname, address: literal ? hostname : null };
  if (literal) {
    const problem = addressProblem(hostname);
    return problem ? { ok: false, problem: `the webhook address is not public: ${problem}` } : { ok: true, url, hostname, address: hostname };
  }
  const name = hostname.replace(/\.$/, '').toLowerCase();
  // RFC 6761: these names are the machine itself whatever DNS says.
  if (name === 'localhost' || name.endsWith('.localhost')) return { ok: false, problem: 'the webhook address is not public: loopback (localhost)' };
  return { ok: true, url, hostname, address: null };
}
