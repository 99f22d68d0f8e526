/** Settings of a TrackerServer, their defaults and validation. */
import { CODECS } from '../protocols';
import type { ProtocolName } from '../types';
import type { CommandStore } from './command-queue';
import { TrustedProxies } from './trusted-proxies';

/** Cluster mode: several instances share devices, commands and state through an MQTT broker (README, "Scaling out"). */
export interface ClusterOptions {
  /** Broker URL: `mqtt://host:1883`, `mqtts://`, `ws://`, `wss://`. */
  url: string;
  username?: string;
  password?: string;
  /** First topic level(s) of everything the instances publish (default `trackers`). */
  prefix?: string;
  /** This instance's name, unique among the instances and stable across restarts (default: host name and port). */
  instance?: string;
  /** Seconds between two publications of a device's changing figures (mileage, last fix); default 15. */
  stateInterval?: number;
}

export interface ServerOptions {
  /** TCP and UDP port (default 5023; 0 picks a free port). */
  port?: number;
  /** Bind address (default all interfaces). */
  host?: string;
  /** Listen on TCP (default true). */
  tcp?: boolean;
  /** Listen on UDP on the same port (default true). */
  udp?: boolean;
  /** Protocols to detect (default: every protocol this package decodes). */
  protocols?: readonly ProtocolName[];
  /** Close a TCP connection / forget a UDP peer silent for this many seconds (default 600). */
  idleTimeout?: number;
  /** Close a connection that has not identified itself (login) within this many seconds (default 120). */
  identifyTimeout?: number;
  /** Most concurrent TCP connections (default 10000). */
  maxConnections?: number;
  /**
   * Most UDP peers (address and port) tracked at once (default 10000). When full, the peer heard from least
   * recently among those that have not identified themselves is forgotten first; a device's only when all are.
   */
  maxUdpPeers?: number;
  /** Most bytes held for one incomplete frame (default 16384). */
  maxBufferBytes?: number;
  /**
   * Close a connection after this many bytes that decode as nothing before it identified (default 4096); once
   * identified, when its junk since then exceeds this plus the bytes of the frames it sent since then.
   */
  maxJunkBytes?: number;
  /** Drop frames with a bad checksum instead of decoding and reporting them (default false). */
  strictChecksum?: boolean;
  /** Device clock offset from UTC in minutes, overriding devices and protocol defaults. */
  timezoneOffset?: number;
  /** How often time-driven work runs (reassembly timeouts, UDP peer expiry), ms (default 1000). */
  pollInterval?: number;
  /** How long a command may wait for an offline device, seconds (default 86400). */
  commandTtl?: number;
  /** Most commands waiting per device (default 20). */
  maxQueuedCommands?: number;
  /** How long to wait for a device's answer to a command, seconds (default 120). */
  answerTimeout?: number;
  /** Where queued commands and known devices are kept across restarts (default: memory only). */
  commandStore?: CommandStore;
  /** Seconds to wait for missing packages of a sub-packaged message before asking again (default 10). */
  reassemblyTimeout?: number;
  /** Most TCP connections from one remote address (0 = no limit; carriers put many devices behind one address). */
  maxConnectionsPerAddress?: number;
  /** Datagrams per second accepted from one UDP source address (bursts of twice that pass). */
  udpRateLimit?: number;
  /** Most UDP source addresses rate-limited at once (default 10000); when full, the least recently used is dropped. */
  maxUdpAddresses?: number;
  /**
   * Which device IDs are served: `any`; `flag` (serve all, but mark IDs outside the allow-list as unknown);
   * `allow` (only the allow-list: others get no acknowledgement, or their protocol's refusal such as Teltonika's
   * `00`, and are disconnected).
   */
  identityPolicy?: 'any' | 'flag' | 'allow';
  /** Allowed device IDs (exact). */
  allowedDevices?: readonly string[];
  /** Allowed device IDs (a regular expression matched against the whole ID). */
  allowedPattern?: string;
  /**
   * A device ID that logs in while another live connection has it: `newest` (default) serves the newcomer and
   * closes the older connection (a device back after a silent drop is served at once); `established` keeps the
   * live connection and refuses the newcomer like an unlisted device (nobody can take over a live device's
   * stream and commands; a device whose old connection died silently waits for that one's idle timeout).
   */
  idTakeover?: 'newest' | 'established';
  /**
   * Stop reading from devices while nobody listens for `message` events (a Node-RED redeploy between the
   * input nodes closing and the server closing): unread data is not acknowledged, so devices resend it.
   */
  holdWithoutListeners?: boolean;
  /** Most devices remembered as known (they may be sent queued commands), least recently seen dropped first. */
  maxKnownDevices?: number;
  /**
   * A secret every HTTP device (phone) must present, as a `token` parameter of its URL or body, or in an
   * `Authorization: Bearer` header; requests without it are answered 403. Binary protocols have no place for one.
   */
  httpToken?: string;
  /** A secret per HTTP device ID (overrides `httpToken` for that device); devices listed here count as allowed. */
  httpTokens?: Readonly<Record<string, string>>;
  /** Largest HTTP request body accepted, bytes (default 65536, Traccar's limit); larger ones get 413. */
  maxHttpBodyBytes?: number;
  /**
   * Load balancers allowed to send a PROXY protocol header (v1 or v2) on TCP: addresses or CIDR ranges, IPv4 or
   * IPv6. Their connections must start with one; a header from any other address is refused.
   */
  trustedProxies?: readonly string[];
  /** Cluster mode through an MQTT broker; without it nothing of the cluster code (nor MQTT.js) is loaded. */
  cluster?: ClusterOptions;
}

type OptionalSettings =
  | 'timezoneOffset'
  | 'host'
  | 'commandStore'
  | 'allowedPattern'
  | 'httpToken'
  | 'httpTokens'
  | 'cluster';

export type ResolvedServerOptions = Required<Omit<ServerOptions, OptionalSettings>> &
  Pick<ServerOptions, OptionalSettings>;

export const SERVER_DEFAULTS = {
  port: 5023,
  tcp: true,
  udp: true,
  idleTimeout: 600,
  identifyTimeout: 120,
  maxConnections: 10000,
  maxUdpPeers: 10000,
  maxUdpAddresses: 10000,
  maxBufferBytes: 16384,
  maxJunkBytes: 4096,
  strictChecksum: false,
  pollInterval: 1000,
  commandTtl: 86400,
  maxQueuedCommands: 20,
  answerTimeout: 120,
  maxKnownDevices: 100000,
  reassemblyTimeout: 10,
  maxConnectionsPerAddress: 0,
  udpRateLimit: 50,
  identityPolicy: 'any',
  idTakeover: 'newest',
  allowedDevices: [] as readonly string[],
  holdWithoutListeners: false,
  maxHttpBodyBytes: 65536,
  trustedProxies: [] as readonly string[],
} as const;

function positiveInt(name: string, v: unknown, min: number, max: number): number {
  if (typeof v !== 'number' || !Number.isInteger(v) || v < min || v > max)
    throw new RangeError(`${name} must be an integer from ${min} to ${max} (got ${String(v)})`);
  return v;
}

/** The integer settings and their possible values (inclusive). */
const INTEGER_RANGES: readonly [keyof ResolvedServerOptions, number, number][] = [
  ['port', 0, 65535],
  ['idleTimeout', 1, 86400 * 7],
  ['identifyTimeout', 1, 86400],
  ['maxConnections', 1, 1_000_000],
  ['maxUdpPeers', 1, 1_000_000],
  ['maxUdpAddresses', 1, 1_000_000],
  ['maxBufferBytes', 256, 16 * 1024 * 1024],
  ['maxJunkBytes', 0, 1024 * 1024 * 1024],
  ['pollInterval', 10, 60000],
  ['commandTtl', 1, 86400 * 365],
  ['maxQueuedCommands', 1, 10000],
  ['answerTimeout', 1, 86400],
  ['maxKnownDevices', 1, 10_000_000],
  ['reassemblyTimeout', 1, 3600],
  ['maxConnectionsPerAddress', 0, 1_000_000],
  ['udpRateLimit', 1, 1_000_000],
  ['maxHttpBodyBytes', 256, 16 * 1024 * 1024],
];

/** Fills in defaults and rejects impossible settings with a clear RangeError. */
export function resolveServerOptions(options: ServerOptions = {}): ResolvedServerOptions {
  const o = { ...SERVER_DEFAULTS, protocols: [...CODECS.keys()], ...stripUndefined(options) } as ResolvedServerOptions;
  for (const [name, min, max] of INTEGER_RANGES) positiveInt(name, o[name], min, max);
  if (o.httpToken !== undefined && (typeof o.httpToken !== 'string' || o.httpToken === ''))
    throw new RangeError('httpToken must be a non-empty string');
  for (const [id, token] of Object.entries(o.httpTokens ?? {}))
    if (typeof token !== 'string' || token === '') throw new RangeError(`the token of device ${id} is empty`);
  if (!['any', 'flag', 'allow'].includes(o.identityPolicy))
    throw new RangeError(`identityPolicy must be any, flag or allow`);
  if (!['newest', 'established'].includes(o.idTakeover))
    throw new RangeError(`idTakeover must be newest or established`);
  if (o.allowedPattern !== undefined && o.allowedPattern !== '') {
    try {
      new RegExp(`^(?:${o.allowedPattern})$`);
    } catch {
      throw new RangeError(`allowedPattern is not a regular expression: ${o.allowedPattern}`);
    }
  }
  if (o.timezoneOffset !== undefined) positiveInt('timezoneOffset', o.timezoneOffset, -840, 840);
  if (!o.tcp && !o.udp) throw new RangeError('enable TCP, UDP or both');
  for (const p of o.protocols) if (!CODECS.has(p)) throw new RangeError(`unknown protocol "${p}"`);
  if (!o.protocols.length) throw new RangeError('at least one protocol is needed');
  if (!Array.isArray(o.trustedProxies)) throw new RangeError('trustedProxies must be a list of addresses');
  new TrustedProxies(o.trustedProxies); // throws on a bad entry
  if (o.cluster !== undefined) validateCluster(o.cluster);
  return o;
}

const BROKER_SCHEMES = new Set(['mqtt:', 'mqtts:', 'tcp:', 'tls:', 'ssl:', 'ws:', 'wss:']);
/** Topic levels: no wildcards, no empty level, not a `$SYS`-like name. */
const PREFIX = /^[^#+$/\u0000][^#+\u0000]*$/;
const INSTANCE = /^[\w.:-]{1,64}$/;

function validateCluster(c: ClusterOptions): void {
  if (!c || typeof c !== 'object')
    throw new RangeError('cluster must be { url, username?, password?, prefix?, instance? }');
  let url: URL;
  try {
    url = new URL(c.url);
  } catch {
    throw new RangeError(`cluster.url is not a URL: ${String(c.url)}`);
  }
  if (!BROKER_SCHEMES.has(url.protocol))
    throw new RangeError(`cluster.url: use mqtt://, mqtts://, ws:// or wss:// (got ${url.protocol})`);
  if (c.prefix !== undefined && (!PREFIX.test(c.prefix) || c.prefix.endsWith('/') || c.prefix.includes('//')))
    throw new RangeError(`cluster.prefix: topic levels without + # or empty levels (got "${c.prefix}")`);
  if (c.instance !== undefined && !INSTANCE.test(c.instance))
    throw new RangeError(`cluster.instance: 1 to 64 letters, digits, . _ : - (got "${c.instance}")`);
  if (c.stateInterval !== undefined) positiveInt('cluster.stateInterval', c.stateInterval, 1, 3600);
}

function stripUndefined<T extends object>(o: T): Partial<T> {
  const r: Partial<T> = {};
  for (const [k, v] of Object.entries(o)) if (v !== undefined) (r as Record<string, unknown>)[k] = v;
  return r;
}
