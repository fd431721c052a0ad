/** IP addresses for the `cidr` operator (EventBridge also compares literals that are IP addresses as addresses). */

const IPV4 = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/;
const IPV6_CHARS = /^[0-9a-fA-F:]*:[0-9a-fA-F:]*$/;

/** The bytes of an IPv4 (4) or IPv6 (16) address literal, or null. IPv6 is hexadecimal groups with optional `::`. */
export function parseIpAddress(s: string): Uint8Array | null {
  const v4 = IPV4.exec(s);
  if (v4) {
    const out = new Uint8Array(4);
    for (let i = 0; i < 4; i++) {
      const n = Number(v4[i + 1]);
      if (n > 255) return null;
      out[i] = n;
    }
    return out;
  }
  if (!IPV6_CHARS.test(s)) return null;
  const halves = s.split('::');
  if (halves.length > 2) return null;
  const groups = (part: string) => (part === '' ? [] : part.split(':'));
  const head = groups(halves[0]);
  const tail = halves.length === 2 ? groups(halves[1]) : [];
  const missing = 8 - head.length - tail.length;
  if (halves.length === 1 ? missing !== 0 : missing < 1) return null;
  const all = [...head, ...Array<string>(halves.length === 2 ? missing : 0).fill('0'), ...tail];
  const out = new Uint8Array(16);
  for (let i = 0; i < 8; i++) {
    const g = all[i];
    if (!/^[0-9a-fA-F]{1,4}$/.test(g)) return null;
    const n = parseInt(g, 16);
    out[i * 2] = n >> 8;
    out[i * 2 + 1] = n & 0xff;
  }
  return out;
}

export interface CidrRange {
  low: Uint8Array;
  high: Uint8Array;
}

/**
 * The addresses `cidr` covers. As in EventBridge, the range runs from the address as written to
 * the top of its block (host bits are not cleared), and the mask is below the address width
 * (EventBridge refuses /32 and /128: match one address with the address itself).
 */
export function parseCidr(cidr: string): CidrRange | string {
  const parts = cidr.split('/');
  if (parts.length !== 2) return `"${cidr}" is not a CIDR block: write an address, one "/" and the mask bits, e.g. "10.0.0.0/24"`;
  const low = parseIpAddress(parts[0]);
  if (!low) return `"${parts[0]}" is not an IPv4 or IPv6 address`;
  if (!/^\d+$/.test(parts[1])) return `the mask bits "${parts[1]}" must be a whole number`;
  const bits = Number(parts[1]);
  const width = low.length * 8;
  if (bits >= width) return `mask bits must be below ${width} for ${low.length === 4 ? 'IPv4' : 'IPv6'} (EventBridge refuses /${width}: to match one address, give the address as a plain string)`;
  const high = low.slice();
  for (let bit = bits; bit < width; bit++) high[bit >> 3] |= 0x80 >> (bit & 7);
  return { low, high };
}

export function cidrSyntaxError(cidr: string): string | null {
  const r = parseCidr(cidr);
  return typeof r === 'string' ? r : null;
}

