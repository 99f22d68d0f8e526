/**
 * The PROXY protocol header (versions 1 and 2, as HAProxy specifies it) that a load balancer puts in front of
 * a TCP stream to tell the server who the client really is. Pure: bytes in, a verdict out, never a throw,
 * and bounded: a version 1 line is at most 107 bytes, a version 2 header at most MAX_V2_HEADER bytes; anything
 * longer, or malformed, is refused before the rest of the stream is looked at (README, "Scaling out").
 */
import { isIPv4, isIPv6 } from 'node:net';

/** A version 1 header, "PROXY ... \r\n", is never longer than this. */
export const MAX_V1_HEADER = 107;
/**
 * Most bytes of a version 2 header we accept (16 fixed + addresses + TLVs). The format allows 65,551; balancers
 * send 28 (IPv4) or 52 (IPv6) plus a few TLVs. A connection that announces more is refused rather than buffered.
 */
export const MAX_V2_HEADER = 1024;

const V1_PREFIX = Buffer.from('PROXY ', 'latin1');
const V2_SIGNATURE = Buffer.from([0x0d, 0x0a, 0x0d, 0x0a, 0x00, 0x0d, 0x0a, 0x51, 0x55, 0x49, 0x54, 0x0a]);

export interface ProxyEndpoint {
  address: string;
  port: number;
}

export type ProxyParse =
  /** More bytes are needed. */
  | { state: 'partial' }
  | { state: 'invalid'; reason: string }
  | {
      state: 'done';
      version: 1 | 2;
      /** Header bytes to skip: the device's own bytes start there. */
      length: number;
      /**
       * `proxy`: source/destination are the client's and the balancer's; `local` (v2 LOCAL, e.g. a health
       * check) and `unknown` (v1 UNKNOWN, v2 with an unspecified or UNIX family): use the connection's own.
       */
      command: 'proxy' | 'local' | 'unknown';
      source?: ProxyEndpoint;
      destination?: ProxyEndpoint;
    };

const invalid = (reason: string): ProxyParse => ({ state: 'invalid', reason });
const PARTIAL: ProxyParse = { state: 'partial' };

/** True when `data` (shorter than `prefix`) could still become `prefix`, or starts with it. */
function matchesPrefix(data: Buffer, prefix: Buffer): boolean {
  const n = Math.min(data.length, prefix.length);
  return data.subarray(0, n).equals(prefix.subarray(0, n));
}

/**
 * What the first bytes of a connection are: `header` (a PROXY signature, complete), `maybe` (too few bytes to
 * tell: a strict prefix of a signature) or `none`. Used on connections that may not send a header at all.
 */
export function proxySignature(data: Buffer): 'header' | 'maybe' | 'none' {
  for (const sig of [V1_PREFIX, V2_SIGNATURE]) {
    if (!matchesPrefix(data, sig)) continue;
    return data.length >= sig.length ? 'header' : 'maybe';
  }
  return 'none';
}

/** Parses the header at the start of `data` (the first bytes a trusted balancer sent). */
export function parseProxyHeader(data: Buffer): ProxyParse {
  if (data.length === 0) return PARTIAL;
  if (data[0] === V1_PREFIX[0]) return parseV1(data);
  if (data[0] === V2_SIGNATURE[0]) return parseV2(data);
  return invalid('no PROXY protocol header');
}

// --- version 1: "PROXY TCP4 192.0.2.1 198.51.100.1 56324 443\r\n" ------------------------------------------

const V1_FAMILIES: Record<string, (s: string) => boolean> = { TCP4: isIPv4, TCP6: isIPv6 };

function parseV1(data: Buffer): ProxyParse {
  if (!matchesPrefix(data, V1_PREFIX)) return invalid('not a PROXY protocol header');
  const limit = Math.min(data.length, MAX_V1_HEADER);
  let end = -1;
  for (let i = 0; i < limit; i++) {
    const b = data[i];
    if (b === 0x0d) {
      if (i + 1 >= data.length) return PARTIAL;
      if (data[i + 1] !== 0x0a) return invalid('version 1 header: CR without LF');
      end = i;
      break;
    }
    if (b < 0x20 || b > 0x7e) return invalid('version 1 header: not printable text');
  }
  if (end < 0) return data.length >= MAX_V1_HEADER ? invalid('version 1 header longer than 107 bytes') : PARTIAL;
  const length = end + 2;
  const fields = data.toString('latin1', V1_PREFIX.length, end).split(' ');
  const family = fields[0];
  // UNKNOWN: the balancer could not tell; whatever follows on the line is ignored.
  if (family === 'UNKNOWN') return { state: 'done', version: 1, length, command: 'unknown' };
  const valid = V1_FAMILIES[family];
  if (!valid) return invalid(`version 1 header: unknown family "${family.slice(0, 8)}"`);
  if (fields.length !== 5) return invalid('version 1 header: expected 4 fields after the family');
  const [, src, dst, sport, dport] = fields;
  if (!valid(src) || !valid(dst)) return invalid(`version 1 header: bad ${family} address`);
  const sourcePort = v1Port(sport);
  const destinationPort = v1Port(dport);
  if (sourcePort < 0 || destinationPort < 0) return invalid('version 1 header: bad port');
  return {
    state: 'done',
    version: 1,
    length,
    command: 'proxy',
    source: { address: normalizeAddress(src), port: sourcePort },
    destination: { address: normalizeAddress(dst), port: destinationPort },
  };
}

/** A decimal port without leading zeros, 0..65535; -1 otherwise. */
function v1Port(s: string): number {
  if (!/^(0|[1-9][0-9]{0,4})$/.test(s)) return -1;
  const n = Number(s);
  return n <= 65535 ? n : -1;
}

// --- version 2: 12-byte signature, version/command, family/transport, length, addresses, TLVs -------------

/** Address block size by family (high nibble of byte 13): INET, INET6, UNIX. */
const V2_ADDRESS_BYTES: Record<number, number> = { 0x1: 12, 0x2: 36, 0x3: 216 };

function parseV2(data: Buffer): ProxyParse {
  if (!matchesPrefix(data, V2_SIGNATURE)) return invalid('not a PROXY protocol header');
  if (data.length < 16) return PARTIAL;
  const versionCommand = data[12];
  if (versionCommand >> 4 !== 2) return invalid(`version 2 header: version ${versionCommand >> 4}`);
  const command = versionCommand & 0x0f;
  if (command > 1) return invalid(`version 2 header: unknown command ${command}`);
  const family = data[13] >> 4;
  const transport = data[13] & 0x0f;
  if (family > 3 || transport > 2) return invalid('version 2 header: unknown address family or transport');
  const length = 16 + data.readUInt16BE(14);
  if (length > MAX_V2_HEADER) return invalid(`version 2 header of ${length} bytes (at most ${MAX_V2_HEADER})`);
  const addressBytes = V2_ADDRESS_BYTES[family] ?? 0;
  if (length - 16 < addressBytes) return invalid('version 2 header: shorter than its addresses');
  if (data.length < length) return PARTIAL;
  // LOCAL: the balancer's own connection (health check): the connection's endpoints are the real ones.
  if (command === 0) return { state: 'done', version: 2, length, command: 'local' };
  // Unspecified family, or UNIX sockets: nothing usable; the TLVs after the addresses are skipped in every case.
  if (family !== 1 && family !== 2) return { state: 'done', version: 2, length, command: 'unknown' };
  const a = data.subarray(16, 16 + addressBytes);
  const size = family === 1 ? 4 : 16;
  const format = family === 1 ? ipv4Text : ipv6Text;
  return {
    state: 'done',
    version: 2,
    length,
    command: 'proxy',
    source: { address: format(a.subarray(0, size)), port: a.readUInt16BE(2 * size) },
    destination: { address: format(a.subarray(size, 2 * size)), port: a.readUInt16BE(2 * size + 2) },
  };
}

function ipv4Text(b: Buffer): string {
  return `${b[0]}.${b[1]}.${b[2]}.${b[3]}`;
}

function ipv6Text(b: Buffer): string {
  const groups: string[] = [];
  for (let i = 0; i < 16; i += 2) groups.push(b.readUInt16BE(i).toString(16));
  return normalizeAddress(groups.join(':'));
}

/**
 * The address as Node writes a socket's remoteAddress: IPv6 compressed and lower-case (RFC 5952), an IPv4
 * client on a dual-stack listener as `::ffff:1.2.3.4`.
 */
export function normalizeAddress(address: string): string {
  if (!address.includes(':')) return address;
  const compressed = new URL(`http://[${address}]/`).hostname.slice(1, -1);
  const mapped = /^::ffff:([0-9a-f]{1,4}):([0-9a-f]{1,4})$/.exec(compressed);
  if (!mapped) return compressed;
  const hi = Number.parseInt(mapped[1], 16);
  const lo = Number.parseInt(mapped[2], 16);
  return `::ffff:${hi >> 8}.${hi & 0xff}.${lo >> 8}.${lo & 0xff}`;
}
