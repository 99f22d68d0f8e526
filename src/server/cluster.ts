/**
 * Cluster mode: several TrackerServer instances behind one load balancer share what they know through an MQTT
 * broker (topics in cluster-protocol.ts): which instance each device is connected to, the commands queued for
 * devices (delivered once, cluster-commands.ts), and per-device state of the nodes (SharedState). MQTT.js is
 * loaded when a cluster starts, never otherwise. The broker is trusted infrastructure: whoever may publish
 * under the prefix can command devices.
 */
import { randomBytes } from 'node:crypto';
import { hostname } from 'node:os';
import type { IClientPublishOptions, MqttClient } from 'mqtt';
import { OfferExchange } from './cluster-commands';
import {
  ClusterTopics,
  type DeviceLocation,
  type DirectoryEntry,
  type InboxMessage,
  type InstanceRef,
  MAX_TOPIC_DEVICE_ID,
  newerEntry,
  type Offer,
  readAnnouncement,
  readEntry,
  readInbox,
  readJson,
  readOffer,
  readShared,
  type SharedStateMessage,
  sameRef,
} from './cluster-protocol';
import { type CommandRecord, queueFull } from './command-queue';
import { type CommandEvent, type CommandLifecycle, type CommandRelay, NOT_DELIVERED } from './commands';
import type { ClusterOptions } from './options';
import type { DeviceInfo, DeviceRegistry } from './registry';
import type { ProtocolName } from '../types';
import { dropOldest } from '../lru';

/** What the cluster needs of its TrackerServer. */
export interface ClusterHost {
  readonly registry: DeviceRegistry;
  readonly commands: CommandLifecycle;
  /** The device connected to another instance: drop its connection here, without an offline event. */
  moved(deviceId: string, reason: string): void;
  /** A status of a command issued here (delivered here or elsewhere). */
  emitCommand(event: CommandEvent): void;
  warn(message: string): void;
}

export interface ClusterLimits {
  /** The tracker port (part of the default instance name). */
  port: number;
  maxQueuedCommands: number;
  maxKnownDevices: number;
}

export interface ClusterStats {
  instance: string;
  connected: boolean;
  /** Instances announced on the broker, this one included. */
  instances: string[];
  /** Devices the cluster knows, and how many are connected to some instance. */
  knownDevices: number;
  connectedDevices: number;
  /** Commands queued in the cluster. */
  queuedCommands: number;
  published: number;
  received: number;
}

/** listen() waits this long for the broker before serving devices anyway. */
export const CLUSTER_START_TIMEOUT_MS = 5000;
export const DEFAULT_PREFIX = 'trackers';
/** Default seconds between two publications of one device's changing figures (mileage, last fix). */
export const DEFAULT_STATE_INTERVAL = 15;
/** How long the broker keeps this instance's session (inbox) while it is away. */
const SESSION_EXPIRY_S = 3600;
/** Delivered commands and heard statuses remembered (to answer repeats), at most. */
const REMEMBERED = 10000;

/** Sets `key` in a map that forgets its oldest keys past `max`. */
function remember<K, V>(map: Map<K, V>, key: K, value: V, max = REMEMBERED): void {
  map.delete(key);
  map.set(key, value);
  if (map.size > max) dropOldest(map);
}

/** The broker URL without credentials, for messages. */
function shown(url: string): string {
  try {
    const u = new URL(url);
    u.username = '';
    u.password = '';
    return u.toString();
  } catch {
    return 'the broker';
  }
}

export class Cluster implements CommandRelay {
  readonly me: InstanceRef;
  readonly topics: ClusterTopics;
  readonly stateInterval: number;
  private client: MqttClient | undefined;
  private connected = false;
  private closing: Promise<void> | undefined;
  private readonly startedAt = Date.now();
  /** Instance lives announced on the broker: name -> run. */
  private readonly live = new Map<string, string>();
  /** Every device the cluster knows (least recently changed first), and where it is connected. */
  private readonly directory = new Map<string, DirectoryEntry>();
  /** The entries this instance published for the devices connected to it. */
  private readonly mine = new Map<string, DirectoryEntry>();
  private readonly exchange: OfferExchange;
  /** As deliverer: the latest status of each command delivered for another instance, to tell it again. */
  private readonly lastStatus = new Map<string, { seq: number; event: CommandEvent; issuer: string }>();
  /** As issuer: the latest status number heard per command. */
  private readonly heard = new Map<string, number>();
  private readonly channels = new Map<string, SharedState>();
  private readonly syncs = new Map<string, () => void>();
  /** Until the first sync of this life, offers issued by its previous life are adopted. */
  private synced = false;
  /** Offers seen since the last connect (those not seen again were withdrawn while away). */
  private refreshed: Set<string> | undefined;
  private onFirstSync: (() => void) | undefined;
  private down = false;
  private nameConflictReported = false;
  private readonly counters = { published: 0, received: 0 };

  constructor(
    private readonly options: ClusterOptions,
    private readonly host: ClusterHost,
    private readonly limits: ClusterLimits,
  ) {
    const instance =
      options.instance ?? `${hostname()}-${limits.port || process.pid}`.replace(/[^\w.:-]/g, '_').slice(0, 64);
    this.me = { instance, run: randomBytes(6).toString('hex') };
    this.topics = new ClusterTopics(options.prefix ?? DEFAULT_PREFIX);
    this.stateInterval = options.stateInterval ?? DEFAULT_STATE_INTERVAL;
    this.live.set(instance, this.me.run);
    this.exchange = new OfferExchange(
      this.me,
      (ref) => this.isLive(ref),
      (deviceId) => host.registry.link(deviceId) !== undefined,
      {
        publish: (o) => this.publishOffer(o),
        withdraw: (o) => this.publish(this.topics.offer(o.deviceId, o.id), '', true),
        send: (issuer, message) => this.publish(this.topics.inbox(issuer), message, false),
        deliver: (o) => {
          const record = this.record(o, o.issuer);
          // A phone has no connection to write on: the command leaves with the answer to its next request.
          if (!this.host.commands.deliver(record)) this.host.commands.hold(record);
        },
        report: (o) => {
          const last = this.lastStatus.get(o.id);
          if (last) this.sendStatus(last.issuer, last.seq, last.event);
        },
      },
    );
  }

  /**
   * Connects to the broker (MQTT.js, loaded now) and resolves once this instance has read the cluster's state,
   * or after CLUSTER_START_TIMEOUT_MS with a warning: devices are served meanwhile, the cluster catches up.
   */
  start(): Promise<void> {
    if (this.client) return Promise.resolve();
    const mqtt = require('mqtt') as typeof import('mqtt');
    const o = this.options;
    const client = mqtt.connect(o.url, {
      clientId: `${this.topics.prefix.replace(/[^\w-]/g, '_')}-${this.me.instance}`,
      username: o.username || undefined,
      password: o.password || undefined,
      protocolVersion: 5,
      clean: false,
      properties: { sessionExpiryInterval: SESSION_EXPIRY_S },
      reconnectPeriod: 1000,
      connectTimeout: CLUSTER_START_TIMEOUT_MS,
      resubscribe: false, // subscribed again at every connect: the retained state is read afresh
      will: { topic: this.topics.instance(this.me.instance), payload: Buffer.alloc(0), qos: 1, retain: true },
    });
    this.client = client;
    client.on('connect', () => this.connectedNow());
    client.on('message', (topic, payload, packet) => this.message(topic, payload, packet.properties?.userProperties));
    client.on('close', () => {
      this.connected = false;
    });
    client.on('error', (err) => this.brokerDown(err.message));
    client.on('offline', () => this.brokerDown('connection lost'));
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.onFirstSync = undefined;
        this.host.warn(
          `cluster: ${shown(o.url)} not reachable within ${CLUSTER_START_TIMEOUT_MS / 1000} s; serving devices here, joining the cluster when it is`,
        );
        resolve();
      }, CLUSTER_START_TIMEOUT_MS);
      timer.unref();
      this.onFirstSync = () => {
        clearTimeout(timer);
        resolve();
      };
    });
  }

  /** Leaves the cluster: this instance's devices are marked disconnected, its announcement cleared. */
  close(): Promise<void> {
    if (this.closing) return this.closing;
    const client = this.client;
    if (!client) return Promise.resolve();
    for (const channel of [...this.channels.values()]) channel.flush();
    for (const [deviceId, m] of this.mine)
      this.publish(
        this.topics.device(deviceId),
        { v: 1, protocol: m.protocol, gen: m.gen, lastSeen: Date.now() },
        true,
      );
    this.mine.clear();
    this.publish(this.topics.instance(this.me.instance), '', true);
    this.closing = new Promise<void>((resolve) => {
      let finished = false;
      const done = () => {
        if (finished) return;
        finished = true;
        clearTimeout(timer);
        client.removeAllListeners();
        client.on('error', () => {}); // late socket errors of a client that is gone
        // Ready to start again (a server that failed to bind its port retries listen()).
        this.client = undefined;
        this.closing = undefined;
        this.connected = false;
        this.synced = false;
        resolve();
      };
      const timer = setTimeout(() => client.end(true, {}, done), 2000);
      // Connected: the goodbye messages above are flushed first; not connected: nothing to wait for.
      client.end(!this.connected, {}, done);
    });
    return this.closing;
  }

  stats(): ClusterStats {
    let connectedDevices = 0;
    for (const e of this.directory.values()) if (e.at && this.isLive(e.at)) connectedDevices++;
    return {
      instance: this.me.instance,
      connected: this.connected,
      instances: [...this.live.keys()].sort(),
      knownDevices: this.directory.size,
      connectedDevices,
      queuedCommands: this.exchange.desk.size,
      ...this.counters,
    };
  }

  // --- the device directory -------------------------------------------------------------------------

  /** The instance the device is connected to now, if any. */
  holder(deviceId: string): string | undefined {
    if (this.host.registry.link(deviceId)) return this.me.instance;
    const at = this.directory.get(deviceId)?.at;
    return at && this.isLive(at) ? at.instance : undefined;
  }

  /** Where the device is connected, from the directory (undefined: nowhere the cluster knows of). */
  location(deviceId: string): DeviceLocation | undefined {
    const at = this.directory.get(deviceId)?.at;
    return at && this.isLive(at) ? at : undefined;
  }

  /**
   * Whether this instance speaks for the device in time-driven events (offline after silence): it does for
   * its own devices, and the first instance by name does for devices connected nowhere.
   */
  responsible(deviceId: string): boolean {
    const h = this.holder(deviceId);
    if (h !== undefined) return h === this.me.instance;
    for (const name of this.live.keys()) if (name < this.me.instance) return false;
    return true;
  }

  /** The device identified itself on a connection of this instance. */
  deviceOnline(deviceId: string, info: DeviceInfo): void {
    if (deviceId.length > MAX_TOPIC_DEVICE_ID) {
      this.host.warn(`cluster: device ID of ${deviceId.length} characters not shared with the cluster`);
      return;
    }
    const previous = this.mine.get(deviceId) ?? this.directory.get(deviceId);
    const entry: DirectoryEntry = {
      v: 1,
      protocol: info.protocol,
      gen: (previous?.gen ?? 0) + 1,
      lastSeen: info.lastSeen,
      at: {
        ...this.me,
        since: info.connectedAt,
        transport: info.transport,
        remoteAddress: info.remoteAddress,
        remotePort: info.remotePort,
      },
    };
    this.mine.set(deviceId, entry);
    this.setEntry(deviceId, entry);
    this.publish(this.topics.device(deviceId), entry, true);
    // Its queued commands go out after the reply to the frame that identified it.
    setImmediate(() => {
      if (this.host.registry.link(deviceId)) this.exchange.arrived(deviceId);
    });
  }

  /** The device's connection to this instance closed. */
  deviceOffline(deviceId: string, lastSeen: number): void {
    const m = this.mine.get(deviceId);
    if (!m) return;
    this.mine.delete(deviceId);
    const entry: DirectoryEntry = { v: 1, protocol: m.protocol, gen: m.gen, lastSeen };
    this.setEntry(deviceId, entry);
    this.publish(this.topics.device(deviceId), entry, true);
  }

  private setEntry(deviceId: string, e: DirectoryEntry): void {
    const current = this.directory.get(deviceId);
    if (current && current.gen > e.gen) return; // an older connection's news
    this.directory.delete(deviceId);
    this.directory.set(deviceId, e);
    if (this.directory.size > this.limits.maxKnownDevices) {
      for (const id of this.directory.keys()) {
        if (this.mine.has(id)) continue;
        this.directory.delete(id);
        break;
      }
    }
  }

  private entryReceived(deviceId: string, e: DirectoryEntry | undefined): void {
    const mine = this.mine.get(deviceId);
    if (!e) {
      // Someone removed the retained entry: ours is put back, anyone else's forgotten.
      if (mine) this.publish(this.topics.device(deviceId), mine, true);
      else this.directory.delete(deviceId);
      return;
    }
    if (mine) {
      if (sameRef(e.at, this.me)) {
        if (e.gen >= mine.gen) this.setEntry(deviceId, e); // our own, back from the broker
        return;
      }
      if (e.at && this.isLive(e.at) && newerEntry(e, mine)) {
        // The device logged in again through another instance: that connection wins, as it would here.
        this.mine.delete(deviceId);
        this.setEntry(deviceId, e);
        this.host.moved(deviceId, `connected again through instance ${e.at.instance}`);
        return;
      }
      // An older connection elsewhere, or a stale entry: ours stands, with a later generation.
      mine.gen = Math.max(mine.gen, e.gen) + 1;
      this.setEntry(deviceId, mine);
      this.publish(this.topics.device(deviceId), mine, true);
      return;
    }
    let entry = e;
    if (e.at?.instance === this.me.instance && e.at.run !== this.me.run) {
      // Left by this instance's previous life: the device is not connected here now.
      entry = { v: 1, protocol: e.protocol, gen: e.gen, lastSeen: e.lastSeen };
      this.publish(this.topics.device(deviceId), entry, true);
    }
    this.setEntry(deviceId, entry);
  }

  // --- instances ------------------------------------------------------------------------------------

  private isLive(ref: InstanceRef): boolean {
    return this.live.get(ref.instance) === ref.run;
  }

  private instanceReceived(name: string, run: string | undefined): void {
    if (name === this.me.instance) {
      if (run === undefined || run === this.me.run) {
        // Our announcement cleared (the will of an earlier connection of ours, published late): announce again.
        if (run === undefined && this.connected && !this.closing) this.announce();
        return;
      }
      if (!this.nameConflictReported)
        this.host.warn(`cluster: another instance is announced as "${name}": give every instance its own name`);
      this.nameConflictReported = true;
      return;
    }
    const before = this.live.get(name);
    if (run === undefined) this.live.delete(name);
    else this.live.set(name, run);
    if (before !== undefined && before !== run) this.exchange.lifeEnded(); // its grants go back
  }

  private announce(): void {
    this.publish(this.topics.instance(this.me.instance), { v: 1, run: this.me.run, since: this.startedAt }, true);
  }

  // --- commands (CommandRelay) ------------------------------------------------------------------------

  protocolOf(deviceId: string): ProtocolName | undefined {
    return this.directory.get(deviceId)?.protocol;
  }

  enqueue(record: CommandRecord): void {
    if (record.deviceId.length > MAX_TOPIC_DEVICE_ID) throw new Error('device ID too long to queue in the cluster');
    const waiting = this.exchange.desk.waiting(record.deviceId);
    if (waiting >= this.limits.maxQueuedCommands) throw queueFull(record.deviceId, waiting);
    const { id, deviceId, command, origin, createdAt, expiresAt } = record;
    this.exchange.issue({ id, deviceId, command, origin, createdAt, expiresAt }, this.location(deviceId));
  }

  report(record: CommandRecord, event: CommandEvent): void {
    const issuer = record.issuer!;
    const seq = (this.lastStatus.get(event.id)?.seq ?? 0) + 1;
    remember(this.lastStatus, event.id, { seq, event, issuer });
    this.sendStatus(issuer, seq, event);
  }

  sweep(now: number): void {
    for (const o of this.exchange.expire(now))
      this.host.commands.status(this.record(o), 'expired', { error: NOT_DELIVERED });
  }

  /** An offer as a command record; with `issuer`, its statuses go back there. */
  private record(o: Offer, issuer?: string): CommandRecord {
    const r: CommandRecord = {
      id: o.id,
      deviceId: o.deviceId,
      command: o.command,
      origin: o.origin,
      createdAt: o.createdAt,
      expiresAt: o.expiresAt,
      status: 'queued',
    };
    if (issuer !== undefined) r.issuer = issuer;
    return r;
  }

  private sendStatus(issuer: string, seq: number, event: CommandEvent): void {
    if (issuer === this.me.instance) this.statusHeard(seq, event);
    else this.publish(this.topics.inbox(issuer), { t: 'status', seq, event } satisfies InboxMessage, false);
  }

  /** As issuer: a status of one of our commands, from wherever it was delivered. */
  private statusHeard(seq: number, event: CommandEvent): void {
    if (seq <= (this.heard.get(event.id) ?? 0)) return; // a repeat
    remember(this.heard, event.id, seq);
    this.exchange.settled(event.id);
    this.host.emitCommand(event);
  }

  private publishOffer(o: Offer): void {
    // The broker drops it at the end of its time-to-live even if its issuer is gone by then.
    const ttl = Math.min(0xffffffff, Math.max(1, Math.ceil((o.expiresAt - Date.now()) / 1000)));
    this.publish(this.topics.offer(o.deviceId, o.id), o, true, ttl);
  }

  // --- shared per-device state of nodes -------------------------------------------------------------

  /** A channel for one node's per-device state (`scope`: unique per node, the same on every instance). */
  shareState(scope: string, owner: SharedStateOwner): SharedState {
    this.channels.get(scope)?.close();
    const channel = new SharedState(this, scope, owner, this.stateInterval * 1000);
    this.channels.set(scope, channel);
    if (this.connected) this.client?.subscribe(this.topics.stateFilter(scope), { qos: 1 });
    return channel;
  }

  /** @internal SharedState's way out. */
  publishState(scope: string, deviceId: string, state: unknown): void {
    if (deviceId.length > MAX_TOPIC_DEVICE_ID) return;
    const topic = this.topics.state(scope, deviceId);
    if (state !== undefined) this.publish(topic, { v: 1, from: this.me, state } satisfies SharedStateMessage, true);
    // A clear (empty payload) says who cleared in its properties, so that it is not taken back as news.
    else this.publish(topic, '', true, undefined, { instance: this.me.instance, run: this.me.run });
  }

  /** @internal */
  unshare(channel: SharedState): void {
    if (this.channels.get(channel.scope) !== channel) return;
    this.channels.delete(channel.scope);
    if (this.connected && !this.closing) this.client?.unsubscribe(this.topics.stateFilter(channel.scope));
  }

  // --- the broker connection ------------------------------------------------------------------------

  private connectedNow(): void {
    // Small messages that wait for each other's acknowledgements: Nagle's algorithm would hold them ~40 ms.
    (this.client?.stream as { setNoDelay?: (on: boolean) => void } | undefined)?.setNoDelay?.(true);
    this.connected = true;
    this.down = false;
    // The broker's retained state is read afresh: lives no longer announced there end when it has been read.
    this.live.clear();
    this.live.set(this.me.instance, this.me.run);
    // What this instance stands for, again: the broker may have restarted without its retained messages.
    this.announce();
    for (const [deviceId, e] of this.mine) this.publish(this.topics.device(deviceId), e, true);
    for (const o of this.exchange.book.all()) this.publishOffer(o);
    for (const channel of this.channels.values()) channel.republish();
    this.refreshed = new Set();
    const filters = [
      ...this.topics.filters(this.me.instance),
      ...[...this.channels.keys()].map((s) => this.topics.stateFilter(s)),
    ];
    this.client!.subscribe(filters, { qos: 1 }, (err) => {
      if (err && !this.closing) this.host.warn(`cluster: subscribe: ${err.message}`);
    });
    this.sync().then(() => {
      const seen = this.refreshed;
      this.refreshed = undefined;
      // Offers withdrawn while this instance was away are not in the broker's snapshot.
      if (seen) this.exchange.desk.retain((o) => seen.has(o.id) || this.exchange.book.has(o.id));
      this.synced = true;
      this.exchange.lifeEnded();
      for (const deviceId of this.mine.keys()) this.exchange.arrived(deviceId);
      this.onFirstSync?.();
      this.onFirstSync = undefined;
    });
  }

  /** Resolves when a marker published now comes back: the broker has sent everything it had before it. */
  private sync(): Promise<void> {
    const nonce = randomBytes(8).toString('hex');
    return new Promise((resolve) => {
      this.syncs.set(nonce, () => {
        this.syncs.delete(nonce);
        resolve();
      });
      this.publish(this.topics.sync(this.me.instance), { nonce }, false);
    });
  }

  private brokerDown(reason: string): void {
    if (this.down || this.closing) return;
    this.down = true;
    this.host.warn(`cluster: ${shown(this.options.url)}: ${reason}; reconnecting`);
  }

  private publish(
    topic: string,
    payload: unknown,
    retain: boolean,
    expirySeconds?: number,
    userProperties?: Record<string, string>,
  ): void {
    const client = this.client;
    if (!client) return;
    this.counters.published++;
    const opts: IClientPublishOptions = { qos: 1, retain };
    if (expirySeconds !== undefined) opts.properties = { messageExpiryInterval: expirySeconds };
    if (userProperties) opts.properties = { ...opts.properties, userProperties };
    client.publish(topic, typeof payload === 'string' ? payload : JSON.stringify(payload), opts, (err) => {
      if (err) this.brokerDown(err.message);
    });
  }

  private message(topic: string, payload: Buffer, userProperties?: Record<string, string | string[]>): void {
    this.counters.received++;
    const t = this.topics.parse(topic);
    if (!t) return;
    const json = readJson(payload);
    if (json === null) return; // not ours to read
    const [key, second] = t.keys;
    try {
      switch (t.kind) {
        case 'instances': {
          const a = json && readAnnouncement(json);
          if (json && !a) return;
          this.instanceReceived(key, a?.run);
          return;
        }
        case 'devices': {
          const e = json && readEntry(json);
          if (json && !e) return;
          this.entryReceived(key, e);
          return;
        }
        case 'queue': {
          if (!json) {
            this.exchange.withdrawn(key, second);
            return;
          }
          const o = readOffer(json);
          if (!o || o.deviceId !== key || o.id !== second) return;
          this.refreshed?.add(o.id);
          this.exchange.offer(o, !this.synced);
          return;
        }
        case 'inbox': {
          const m = json && readInbox(json);
          if (!m) return;
          if (m.t === 'status') this.statusHeard(m.seq, m.event);
          else this.exchange.inbox(m);
          return;
        }
        case 'sync':
          if (json && typeof json.nonce === 'string') this.syncs.get(json.nonce)?.();
          return;
        case 'state': {
          const s = json && readShared(json);
          if (json && !s) return;
          const by = json ? undefined : { instance: userProperties?.instance, run: userProperties?.run };
          if (by && sameRef(by as InstanceRef, this.me)) return; // our own clear
          this.channels.get(key)?.received(second, s);
          return;
        }
      }
    } catch (err) {
      this.host.warn(`cluster: ${topic}: ${(err as Error).message}`);
    }
  }
}

/** What a node that shares per-device state through the cluster provides. */
export interface SharedStateOwner {
  /** Another instance published this device's state (undefined: cleared). */
  remote(deviceId: string, state: unknown): void;
  /** The states this instance speaks for, to publish again after the broker may have lost them. */
  local(): Iterable<[deviceId: string, state: unknown]>;
}

/**
 * One node's per-device state, retained on the broker per device, so the instance a device reconnects through
 * continues from it. Changes that others must not repeat are published at once; figures that only need to
 * be recent (mileage, last fix) at most once per interval per device.
 */
export class SharedState {
  private readonly due = new Map<string, () => unknown>();
  private readonly lastSent = new Map<string, number>();
  private readonly timer: NodeJS.Timeout;
  private closed = false;

  constructor(
    private readonly cluster: Cluster,
    readonly scope: string,
    private readonly owner: SharedStateOwner,
    private readonly intervalMs: number,
  ) {
    this.timer = setInterval(() => this.flushDue(Date.now()), Math.max(100, Math.min(1000, intervalMs / 4)));
    this.timer.unref();
  }

  /** Publishes now (undefined clears the device's state). */
  publish(deviceId: string, state: unknown): void {
    if (this.closed) return;
    this.due.delete(deviceId);
    remember(this.lastSent, deviceId, Date.now(), 1_000_000);
    this.cluster.publishState(this.scope, deviceId, state);
  }

  /** Publishes now if the device's last publication is older than the interval, else when it is. */
  publishSoon(deviceId: string, state: () => unknown): void {
    if (this.closed) return;
    const last = this.lastSent.get(deviceId);
    if (last === undefined || Date.now() - last >= this.intervalMs) this.publish(deviceId, state());
    else this.due.set(deviceId, state);
  }

  /** Publishes everything waiting (on close). */
  flush(): void {
    for (const [deviceId, state] of [...this.due]) this.publish(deviceId, state());
  }

  close(): void {
    if (this.closed) return;
    this.flush();
    this.closed = true;
    clearInterval(this.timer);
    this.cluster.unshare(this);
  }

  /** @internal from the cluster */
  received(deviceId: string, message: SharedStateMessage | undefined): void {
    if (this.closed || (message && sameRef(message.from, this.cluster.me))) return;
    this.owner.remote(deviceId, message?.state);
  }

  /** @internal from the cluster, after a reconnect */
  republish(): void {
    for (const [deviceId, state] of this.owner.local()) this.publish(deviceId, state);
  }

  private flushDue(now: number): void {
    for (const [deviceId, state] of this.due) {
      if (now - (this.lastSent.get(deviceId) ?? 0) >= this.intervalMs) this.publish(deviceId, state());
    }
    for (const [deviceId, at] of this.lastSent) {
      if (now - at < this.intervalMs) break; // oldest first: the rest are recent
      if (!this.due.has(deviceId)) this.lastSent.delete(deviceId);
    }
  }
}
