/**
 * Which remote addresses may put a PROXY protocol header in front of their stream: single addresses and CIDR
 * ranges, IPv4 and IPv6. An IPv4 rule also matches the same client seen on a dual-stack socket
 * (`::ffff:1.2.3.4`) and the other way round. Matching is Node's own `BlockList`.
 */
import { BlockList, isIPv4, isIPv6 } from 'node:net';

/** `::ffff:1.2.3.4` to `1.2.3.4`; other addresses unchanged. */
function unmapped(address: string): string {
  const m = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address);
  return m ? m[1] : address;
}

export class TrustedProxies {
  private readonly list = new BlockList();
  readonly size: number;

  /** Throws a RangeError naming the first entry that is neither an address nor a CIDR range. */
  constructor(entries: readonly string[]) {
    let n = 0;
    for (const raw of entries) {
      const entry = String(raw).trim();
      if (!entry) continue;
      const [address, bits, extra] = entry.split('/');
      const plain = unmapped(address);
      const type = isIPv4(plain) ? 'ipv4' : isIPv6(plain) ? 'ipv6' : undefined;
      if (!type || extra !== undefined)
        throw new RangeError(`trustedProxies: "${entry}" is not an IP address or CIDR range`);
      if (bits === undefined) this.list.addAddress(plain, type);
      else {
        // A mapped range (::ffff:10.0.0.0/104) counts as the IPv4 range it maps.
        const mappedShift = plain !== address ? 96 : 0;
        const prefix = /^\d{1,3}$/.test(bits) ? Number(bits) - mappedShift : Number.NaN;
        const max = type === 'ipv4' ? 32 : 128;
        if (!(prefix >= 0 && prefix <= max))
          throw new RangeError(`trustedProxies: "${entry}" has a bad prefix length (0..${max + mappedShift})`);
        this.list.addSubnet(plain, prefix, type);
      }
      n++;
    }
    this.size = n;
  }

  /** True when `address` (a socket's remoteAddress) is one of the trusted proxies. */
  trusts(address: string | undefined): boolean {
    if (!this.size || !address) return false;
    const plain = unmapped(address);
    return this.list.check(plain, isIPv4(plain) ? 'ipv4' : 'ipv6');
  }
}
