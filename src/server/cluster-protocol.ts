/**
 * What the instances of a cluster say to each other through the MQTT broker: topic names and the JSON payloads
 * on them, read back defensively (another instance is trusted, but a malformed or foreign message must cost
 * nothing). Pure: no MQTT client here. The layout, under the prefix P:
 *
 *   P/instances/<instance>        retained: {run, since}; cleared by the instance's last will when it dies
 *   P/devices/<device>            retained: the device's protocol and, while connected, where (instance, run)
 *   P/queue/<device>/<command>    retained: a queued command (an offer) and who may deliver it (its grant)
 *   P/inbox/<instance>            claims, releases and command statuses addressed to one instance
 *   P/state/<scope>/<device>      retained: per-device state of a node (device events, geofence presence)
 *   P/sync/<instance>             an instance's own marker: everything the broker sent before it has arrived
 */
import type { CommandRequest } from '../protocols/codec';
import { CODECS } from '../protocols';
import type { ProtocolName } from '../types';
import type { CommandEvent } from './commands';

/** One life of an instance: its name, and a random id that changes at every start. */
export interface InstanceRef {
  instance: string;
  run: string;
}

export interface InstanceAnnouncement {
  v: 1;
  run: string;
  since: number;
}

/** Where a device is connected (absent: it is not connected anywhere). */
export interface DeviceLocation extends InstanceRef {
  since: number;
  transport: 'tcp' | 'udp';
  remoteAddress: string;
  remotePort: number;
}

export interface DirectoryEntry {
  v: 1;
  protocol: ProtocolName;
  /** Raised by every new connection of the device: a later login wins whatever the instances' clocks say. */
  gen: number;
  lastSeen: number;
  at?: DeviceLocation;
}

/** Who may deliver an offer now: one instance life, for one grant sequence number. */
export interface Grant extends InstanceRef {
  seq: number;
}

/** A command queued for a device that is not connected to the instance where it was issued. */
export interface Offer {
  v: 1;
  id: string;
  deviceId: string;
  command: CommandRequest;
  origin?: string;
  /** The instance that issued it: it alone grants, and its node gets the statuses. */
  issuer: string;
  createdAt: number;
  expiresAt: number;
  /** Grants given so far: the next one is numbered after it, also by an issuer that restarted. */
  grants: number;
  grant?: Grant;
}

export type InboxMessage =
  /** A holder of the device asks the issuer for the right to deliver. */
  | { t: 'claim'; id: string; from: InstanceRef }
  /** A grantee that does not hold the device gives the grant back. */
  | { t: 'release'; id: string; seq: number; from: InstanceRef }
  /** A status of a command delivered on behalf of the issuer; `seq` orders them per command. */
  | { t: 'status'; seq: number; event: CommandEvent };

export interface SharedStateMessage {
  v: 1;
  from: InstanceRef;
  state: unknown;
}

/** Device IDs longer than this are not announced (an ID is what a device says: bounded before it names a topic). */
export const MAX_TOPIC_DEVICE_ID = 256;
/** Payloads larger than this are ignored. */
export const MAX_PAYLOAD = 64 * 1024;

const enc = encodeURIComponent;

function dec(level: string): string | undefined {
  try {
    return decodeURIComponent(level);
  } catch {
    return undefined;
  }
}

/** Topic names under one prefix, and the reverse: which kind of topic a message came on. */
export class ClusterTopics {
  constructor(readonly prefix: string) {}

  instance(name: string): string {
    return `${this.prefix}/instances/${enc(name)}`;
  }
  device(deviceId: string): string {
    return `${this.prefix}/devices/${enc(deviceId)}`;
  }
  offer(deviceId: string, id: string): string {
    return `${this.prefix}/queue/${enc(deviceId)}/${enc(id)}`;
  }
  inbox(name: string): string {
    return `${this.prefix}/inbox/${enc(name)}`;
  }
  state(scope: string, deviceId: string): string {
    return `${this.prefix}/state/${enc(scope)}/${enc(deviceId)}`;
  }
  sync(name: string): string {
    return `${this.prefix}/sync/${enc(name)}`;
  }
  /** Filters every instance subscribes to. */
  filters(me: string): string[] {
    const p = this.prefix;
    return [`${p}/instances/+`, `${p}/devices/+`, `${p}/queue/+/+`, this.inbox(me), this.sync(me)];
  }
  stateFilter(scope: string): string {
    return `${this.prefix}/state/${enc(scope)}/+`;
  }

  /** The kind of a topic and its decoded levels; undefined for anything else. */
  parse(topic: string): { kind: string; keys: string[] } | undefined {
    if (!topic.startsWith(`${this.prefix}/`)) return undefined;
    const levels = topic.slice(this.prefix.length + 1).split('/');
    const kind = levels[0];
    const keys: string[] = [];
    for (const l of levels.slice(1)) {
      const k = dec(l);
      if (k === undefined) return undefined;
      keys.push(k);
    }
    const arity: Record<string, number> = { instances: 1, devices: 1, queue: 2, inbox: 1, state: 2, sync: 1 };
    return arity[kind] === keys.length ? { kind, keys } : undefined;
  }
}

// --- reading payloads ------------------------------------------------------------------------------------

type Json = Record<string, unknown>;

/** The JSON object in a payload; undefined for an empty (cleared) payload; null for anything unreadable. */
export function readJson(payload: Buffer): Json | undefined | null {
  if (payload.length === 0) return undefined;
  if (payload.length > MAX_PAYLOAD) return null;
  try {
    const v = JSON.parse(payload.toString('utf8'));
    return v && typeof v === 'object' && !Array.isArray(v) ? v : null;
  } catch {
    return null;
  }
}

const isString = (v: unknown, max = 256): v is string => typeof v === 'string' && v.length > 0 && v.length <= max;
const isTime = (v: unknown): v is number => typeof v === 'number' && Number.isFinite(v) && v >= 0;

function readRef(v: unknown): InstanceRef | undefined {
  const o = v as Json | undefined;
  return o && isString(o.instance, 64) && isString(o.run, 64) ? { instance: o.instance, run: o.run } : undefined;
}

export function readAnnouncement(o: Json): InstanceAnnouncement | undefined {
  return o.v === 1 && isString(o.run, 64) && isTime(o.since) ? { v: 1, run: o.run, since: o.since } : undefined;
}

export function readEntry(o: Json): DirectoryEntry | undefined {
  if (o.v !== 1 || !CODECS.has(o.protocol as ProtocolName) || !Number.isSafeInteger(o.gen) || !isTime(o.lastSeen))
    return undefined;
  const entry: DirectoryEntry = {
    v: 1,
    protocol: o.protocol as ProtocolName,
    gen: o.gen as number,
    lastSeen: o.lastSeen,
  };
  if (o.at !== undefined) {
    const a = o.at as Json;
    const ref = readRef(a);
    if (!ref || !isTime(a.since) || (a.transport !== 'tcp' && a.transport !== 'udp')) return undefined;
    entry.at = {
      ...ref,
      since: a.since,
      transport: a.transport,
      remoteAddress: typeof a.remoteAddress === 'string' ? a.remoteAddress.slice(0, 64) : '',
      remotePort: Number.isInteger(a.remotePort) ? (a.remotePort as number) : 0,
    };
  }
  return entry;
}

export function readOffer(o: Json): Offer | undefined {
  const command = o.command as Json | undefined;
  if (
    o.v !== 1 ||
    !isString(o.id, 64) ||
    !isString(o.deviceId, MAX_TOPIC_DEVICE_ID) ||
    !command ||
    typeof command !== 'object' ||
    !isString(command.type, 64) ||
    !isString(o.issuer, 64) ||
    !isTime(o.createdAt) ||
    !isTime(o.expiresAt) ||
    !Number.isSafeInteger(o.grants)
  )
    return undefined;
  const offer: Offer = {
    v: 1,
    id: o.id,
    deviceId: o.deviceId,
    command: command as CommandRequest,
    issuer: o.issuer,
    createdAt: o.createdAt,
    expiresAt: o.expiresAt,
    grants: o.grants as number,
  };
  if (isString(o.origin)) offer.origin = o.origin;
  if (o.grant !== undefined) {
    const ref = readRef(o.grant);
    const seq = (o.grant as Json).seq;
    if (!ref || !Number.isSafeInteger(seq)) return undefined;
    offer.grant = { ...ref, seq: seq as number };
  }
  return offer;
}

export function readInbox(o: Json): InboxMessage | undefined {
  if (o.t === 'claim' || o.t === 'release') {
    const from = readRef(o.from);
    if (!from || !isString(o.id, 64)) return undefined;
    if (o.t === 'claim') return { t: 'claim', id: o.id, from };
    return Number.isSafeInteger(o.seq) ? { t: 'release', id: o.id, seq: o.seq as number, from } : undefined;
  }
  if (o.t === 'status') {
    const e = o.event as Json | undefined;
    const statuses = ['queued', 'sent', 'delivered', 'result', 'failed', 'expired'];
    if (
      !e ||
      !isString(e.id, 64) ||
      !isString(e.deviceId, MAX_TOPIC_DEVICE_ID) ||
      !statuses.includes(e.status as string)
    )
      return undefined;
    if (!Number.isSafeInteger(o.seq) || !e.command || typeof e.command !== 'object') return undefined;
    return { t: 'status', seq: o.seq as number, event: e as unknown as CommandEvent };
  }
  return undefined;
}

export function readShared(o: Json): SharedStateMessage | undefined {
  const from = readRef(o.from);
  return o.v === 1 && from && o.state !== undefined ? { v: 1, from, state: o.state } : undefined;
}

/** Which of two entries of one device describes the later connection (higher gen; then later, then by name). */
export function newerEntry(a: DirectoryEntry, b: DirectoryEntry): boolean {
  if (a.gen !== b.gen) return a.gen > b.gen;
  const sa = a.at?.since ?? -1;
  const sb = b.at?.since ?? -1;
  if (sa !== sb) return sa > sb;
  return (a.at?.instance ?? '') > (b.at?.instance ?? '');
}

export const sameRef = (a: InstanceRef | undefined, b: InstanceRef | undefined): boolean =>
  !!a && !!b && a.instance === b.instance && a.run === b.run;
