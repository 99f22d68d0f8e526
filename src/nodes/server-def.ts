/** The tracker-server node's editor properties and their conversion to server options. */
import type { NodeDef } from 'node-red';
import { CODECS } from '../protocols';
import type { ServerOptions } from '../server/options';
import type { ProtocolName } from '../types';

export interface TrackerServerDef extends NodeDef {
  port: string | number;
  host?: string;
  tcp?: boolean;
  udp?: boolean;
  /** Comma-separated protocol names; empty = all. */
  protocols?: string;
  idleTimeout?: string | number;
  maxConnections?: string | number;
  /** Device clock offset from UTC in minutes; empty = what devices announce / protocol defaults. */
  timezone?: string;
  /** any | flag | allow */
  identityPolicy?: string;
  /** Allowed device IDs, separated by commas, spaces or lines. */
  allowedDevices?: string;
  /** Allowed device IDs as a regular expression. */
  allowedPattern?: string;
  /** newest | established: who keeps a device ID that a second connection claims. */
  idTakeover?: string;
  maxConnectionsPerAddress?: string | number;
  /** Load balancers allowed to send a PROXY protocol header: addresses or CIDR ranges. */
  trustedProxies?: string;
  /** Cluster mode: the MQTT broker's URL (empty: a single instance), topic prefix and this instance's name. */
  brokerUrl?: string;
  brokerPrefix?: string;
  instanceName?: string;
}

/** Entries separated by commas, spaces, semicolons or lines. */
function list(v: string | undefined): string[] {
  return (v ?? '')
    .split(/[\s,;]+/)
    .map((s) => s.trim())
    .filter(Boolean);
}

/** A "${NAME}" property Node-RED left as it was: no such environment variable is set. */
const UNSET_ENV_VAR = /^\$\{\S+\}$/;

function int(v: unknown, name: string, fallback: number): number {
  if (v === undefined || v === null || v === '') return fallback;
  const n = Number(v);
  if (!Number.isInteger(n)) throw new RangeError(`${name} must be a whole number (got "${String(v)}")`);
  return n;
}

/** The node's credentials (kept out of exported flows): the phones' secrets and the broker login. */
export interface TrackerServerCredentials {
  /** A token every HTTP device (phone) must present. */
  httpToken?: string;
  /** One `device-id=token` per line. */
  httpTokens?: string;
  /** Cluster mode: the broker login. */
  brokerUsername?: string;
  brokerPassword?: string;
}

/**
 * `device-id=token` lines (blank lines and `#` comments skipped) to a map, and the numbers of the lines that
 * are not of that form (the node warns about them; they protect nothing).
 */
export function parseTokens(text: string | undefined): { tokens?: Record<string, string>; badLines: number[] } {
  const tokens: Record<string, string> = {};
  const badLines: number[] = [];
  for (const [i, raw] of (text ?? '').split(/\r?\n/).entries()) {
    const line = raw.trim();
    if (!line || line.startsWith('#')) continue;
    const eq = line.indexOf('=');
    const id = line.slice(0, eq).trim();
    const token = line.slice(eq + 1).trim();
    if (eq < 0 || !id || !token) badLines.push(i + 1);
    else tokens[id] = token;
  }
  return Object.keys(tokens).length ? { tokens, badLines } : { badLines };
}

/** Editor values (strings) and credentials to server options; unset ones keep the server defaults. */
export function parseServerDef(def: TrackerServerDef, credentials: TrackerServerCredentials = {}): ServerOptions {
  const protocols = (def.protocols ?? '')
    .split(',')
    .map((p) => p.trim())
    .filter(Boolean) as ProtocolName[];
  for (const p of protocols) if (!CODECS.has(p)) throw new RangeError(`unknown protocol "${p}"`);
  const tz = def.timezone === undefined || def.timezone === '' ? undefined : int(def.timezone, 'timezone', 0);
  return {
    // the examples' port is ${TRACKER_PORT}: the default port while that variable is not set
    port: int(UNSET_ENV_VAR.test(String(def.port)) ? '' : def.port, 'port', 5023),
    host: def.host ? def.host.trim() : undefined,
    tcp: def.tcp !== false,
    udp: def.udp !== false,
    protocols: protocols.length ? protocols : undefined,
    idleTimeout: int(def.idleTimeout, 'idle timeout', 600),
    maxConnections: int(def.maxConnections, 'max connections', 10000),
    maxConnectionsPerAddress: int(def.maxConnectionsPerAddress, 'connections per address', 0),
    timezoneOffset: tz,
    identityPolicy: (['any', 'flag', 'allow'].includes(def.identityPolicy ?? '')
      ? def.identityPolicy
      : 'any') as ServerOptions['identityPolicy'],
    allowedDevices: list(def.allowedDevices),
    allowedPattern: def.allowedPattern?.trim() || undefined,
    idTakeover: def.idTakeover === 'established' ? 'established' : 'newest',
    httpToken: credentials.httpToken?.trim() || undefined,
    httpTokens: parseTokens(credentials.httpTokens).tokens,
    // Node-RED closes the input nodes before this server on a redeploy: do not acknowledge what nobody receives
    holdWithoutListeners: true,
    trustedProxies: list(def.trustedProxies),
    cluster: def.brokerUrl?.trim()
      ? {
          url: def.brokerUrl.trim(),
          prefix: def.brokerPrefix?.trim() || undefined,
          instance: def.instanceName?.trim() || undefined,
          username: credentials.brokerUsername || undefined,
          password: credentials.brokerPassword || undefined,
        }
      : undefined,
  };
}
