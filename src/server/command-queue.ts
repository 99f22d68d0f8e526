/**
 * Commands waiting for their device: queued while it is offline (flushed on its next message, as Traccar
 * does), then awaiting the device's answer. Pure bookkeeping with an injected clock and an optional store,
 * so it works the same in plain Node, in tests and inside Node-RED.
 */
import { randomUUID } from 'node:crypto';
import type { CommandRequest } from '../protocols/codec';
import type { ProtocolName } from '../types';
import { dropOldest } from '../lru';

export type CommandStatus = 'queued' | 'sent' | 'delivered' | 'result' | 'failed' | 'expired';

export interface CommandRecord {
  id: string;
  deviceId: string;
  command: CommandRequest;
  /** Who asked (a tracker-command node id), so results find their way back. */
  origin?: string;
  createdAt: number;
  /** Queued past this time (ms): expired, never sent. */
  expiresAt: number;
  status: CommandStatus;
  /** From the encoder: what the device's answer will carry. */
  reference?: string;
  sentAt?: number;
  /** Cluster mode: the instance whose node issued it, when this one delivers it on its behalf. */
  issuer?: string;
}

/** What is saved so queued commands survive a redeploy or a restart. */
export interface PersistedCommands {
  version: 1;
  queued: CommandRecord[];
  /** Devices seen before, with their protocol: commands to them are queued, not refused. */
  devices: Array<[deviceId: string, protocol: ProtocolName, lastSeen: number]>;
}

/**
 * Known devices are saved at most this often (and on close): a new device ID costs O(1), not a rewrite of the
 * whole list, so a flood of made-up IDs cannot slow the devices that are real.
 */
export const KNOWN_DEVICES_SAVE_MS = 5000;

export interface CommandStore {
  load(): PersistedCommands | undefined;
  /**
   * The whole state: called when commands are queued, sent or expire, and for devices seen (new ones, and the
   * order in which they were last seen) at most every KNOWN_DEVICES_SAVE_MS and on close.
   */
  save(state: PersistedCommands): void;
  /** Writes anything still pending (called when the server closes). */
  flush?(): void;
}

export interface CommandQueueOptions {
  maxPerDevice: number;
  answerTimeoutMs: number;
  maxKnownDevices: number;
  store?: CommandStore;
}

export function queueFull(deviceId: string, waiting: number): Error {
  return new Error(`device ${deviceId} already has ${waiting} commands waiting (the limit)`);
}

export class CommandQueue {
  private readonly queued = new Map<string, CommandRecord[]>();
  private readonly awaiting = new Map<string, CommandRecord[]>();
  /**
   * A least-recently-seen list: every sighting moves the device to the end (delete + set), so the first key is
   * always the one seen longest ago, and evicting it costs O(1).
   */
  private readonly known = new Map<string, { protocol: ProtocolName; lastSeen: number }>();
  /** Known devices changed since the last save (saved later, in `sweep` or `flush`). */
  private devicesChanged = false;
  private savedAt = Number.NEGATIVE_INFINITY;

  constructor(private readonly options: CommandQueueOptions) {
    const saved = safeLoad(options.store);
    if (saved) {
      // saved least recently seen first; past the limit (lowered since) the most recently seen are kept
      const devices = saved.devices.slice(Math.max(0, saved.devices.length - options.maxKnownDevices));
      for (const [id, protocol, lastSeen] of devices) this.known.set(id, { protocol, lastSeen });
      for (const r of saved.queued) if (r?.deviceId && r.command) this.list(this.queued, r.deviceId).push(r);
    }
  }

  newRecord(deviceId: string, command: CommandRequest, ttlMs: number, now: number, origin?: string): CommandRecord {
    return { id: randomUUID(), deviceId, command, origin, createdAt: now, expiresAt: now + ttlMs, status: 'queued' };
  }

  /** Devices that have connected before (this run or, with a store, an earlier one). */
  knownProtocol(deviceId: string): ProtocolName | undefined {
    return this.known.get(deviceId)?.protocol;
  }

  /** A device identified itself (or sent a request): known from now on, and the most recently seen. O(1). */
  remember(deviceId: string, protocol: ProtocolName, now: number): void {
    const k = this.known.get(deviceId);
    if (k) {
      this.known.delete(deviceId);
      k.protocol = protocol;
      k.lastSeen = now;
      this.known.set(deviceId, k);
    } else {
      this.known.set(deviceId, { protocol, lastSeen: now });
      if (this.known.size > this.options.maxKnownDevices) dropOldest(this.known);
    }
    this.devicesChanged = true;
  }

  /** Traffic from a known device: it becomes the most recently seen. O(1). */
  seen(deviceId: string, now: number): void {
    const k = this.known.get(deviceId);
    if (!k) return;
    this.known.delete(deviceId);
    k.lastSeen = now;
    this.known.set(deviceId, k);
    this.devicesChanged = true;
  }

  /** Throws when the device already has the most commands it may have waiting. */
  enqueue(record: CommandRecord): void {
    const list = this.list(this.queued, record.deviceId);
    if (list.length >= this.options.maxPerDevice) throw queueFull(record.deviceId, list.length);
    record.status = 'queued';
    list.push(record);
    this.persist();
  }

  hasQueued(deviceId: string): boolean {
    return this.queued.has(deviceId);
  }

  /** Removes and returns the device's queued commands, oldest first. */
  takeQueued(deviceId: string): CommandRecord[] {
    const list = this.queued.get(deviceId) ?? [];
    this.queued.delete(deviceId);
    if (list.length) this.persist();
    return list;
  }

  queuedFor(deviceId?: string): CommandRecord[] {
    if (deviceId !== undefined) return [...(this.queued.get(deviceId) ?? [])];
    return [...this.queued.values()].flat();
  }

  /** A sent command whose answer we wait for (at most maxPerDevice per device; the oldest gives way). */
  await(record: CommandRecord): void {
    const list = this.list(this.awaiting, record.deviceId);
    list.push(record);
    if (list.length > this.options.maxPerDevice) list.shift();
  }

  /** The command an answer belongs to: by reference, else the oldest one waiting. Removed when `final`. */
  answer(deviceId: string, reference: string | undefined, final: boolean): CommandRecord | undefined {
    const list = this.awaiting.get(deviceId);
    if (!list) return undefined;
    const i = reference === undefined ? 0 : list.findIndex((r) => r.reference === reference);
    if (i < 0) return undefined;
    const record = list[i];
    if (final) {
      list.splice(i, 1);
      if (!list.length) this.awaiting.delete(deviceId);
    }
    return record;
  }

  /** Queued commands past their time-to-live, and sent ones whose answer never came. Both are removed. */
  sweep(now: number): { expired: CommandRecord[]; unanswered: CommandRecord[] } {
    const expired: CommandRecord[] = [];
    const unanswered: CommandRecord[] = [];
    for (const [id, list] of this.queued) {
      const keep: CommandRecord[] = [];
      for (const r of list) (r.expiresAt > now ? keep : expired).push(r);
      if (keep.length) this.queued.set(id, keep);
      else this.queued.delete(id);
    }
    for (const [id, list] of this.awaiting) {
      const keep: CommandRecord[] = [];
      for (const r of list) ((r.sentAt ?? 0) + this.options.answerTimeoutMs > now ? keep : unanswered).push(r);
      if (keep.length) this.awaiting.set(id, keep);
      else this.awaiting.delete(id);
    }
    if (this.devicesChanged && now - this.savedAt >= KNOWN_DEVICES_SAVE_MS) {
      this.savedAt = now;
      this.persist();
    } else if (expired.length) this.persist();
    return { expired, unanswered };
  }

  /** Saves what is not saved yet and has the store write it now (the server is closing). */
  flush(): void {
    if (this.devicesChanged) this.persist();
    try {
      this.options.store?.flush?.();
    } catch {
      /* reported by the store */
    }
  }

  /** Least recently seen first, in one pass (100,000 devices: every 5 s at most). */
  private knownList(): PersistedCommands['devices'] {
    const devices: PersistedCommands['devices'] = new Array(this.known.size);
    let i = 0;
    for (const [id, k] of this.known) devices[i++] = [id, k.protocol, k.lastSeen];
    return devices;
  }

  private list(map: Map<string, CommandRecord[]>, deviceId: string): CommandRecord[] {
    let list = map.get(deviceId);
    if (!list) {
      list = [];
      map.set(deviceId, list);
    }
    return list;
  }

  private persist(): void {
    const store = this.options.store;
    this.devicesChanged = false;
    if (!store) return;
    try {
      store.save({
        version: 1,
        queued: this.queuedFor(),
        devices: this.knownList(),
      });
    } catch {
      /* a store that cannot write must not stop commands; it reports on its own */
    }
  }
}

function safeLoad(store: CommandStore | undefined): PersistedCommands | undefined {
  try {
    const s = store?.load();
    return s && s.version === 1 && Array.isArray(s.queued) && Array.isArray(s.devices) ? s : undefined;
  } catch {
    return undefined;
  }
}
