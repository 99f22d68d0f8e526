/**
 * tracker-sim's engine: N simulated devices (one or mixed protocols) against host:port over TCP or UDP.
 * Each logs in, drives along a route, sends heartbeats and alarms, checks every reply byte against what
 * the protocol requires, and reconnects with backoff. It is also the load generator of the benchmarks.
 */
import { createSocket, type Socket as UdpSocket } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { connect, type Socket } from 'node:net';
import { CODECS } from '../protocols';
import type { DeviceProtocol, Exchange, Fix, HttpDeviceProtocol } from '../protocols/common/device';
import { HttpSimDevice } from './http-device';
import { loopRoute, nextFix, type RoutePoint } from './route';
import { LatencyRecorder, newCounters, type SimCounters } from './stats';

/** Every protocol whose folder has a simulated device, by name. */
export const DEVICE_PROTOCOLS: Readonly<Record<string, DeviceProtocol | HttpDeviceProtocol>> = Object.fromEntries(
  [...CODECS.values()].flatMap((c) => (c.device ? [[c.protocol, c.device]] : [])),
);

export interface SimOptions {
  host?: string;
  /** Local address the devices connect from (e.g. one of 127.0.0.0/8, to tell them apart behind a balancer). */
  localAddress?: string;
  port: number;
  transport?: 'tcp' | 'udp';
  devices?: number;
  /** Protocols of the devices, assigned round-robin. */
  protocols?: string[];
  /** Seconds between two positions of one device (ignored when `rate` is set). */
  interval?: number;
  /** Total positions per second across all devices (a fixed offered load). */
  rate?: number;
  /** Send positions as fast as acknowledgements allow, `window` unacknowledged at most per device. */
  flood?: boolean;
  /** Most unacknowledged frames per device (default 1 = wait for each ACK). */
  window?: number;
  /** Seconds between heartbeats (0 = none). */
  heartbeat?: number;
  /** On average one SOS per device every this many seconds (0 = only on demand). */
  sosEvery?: number;
  route?: RoutePoint[];
  /** km/h along the route. */
  speed?: number;
  /** Index of the first device (its ID derives from it). */
  firstIndex?: number;
  /** Devices connecting at once while ramping up. */
  connectConcurrency?: number;
  /** Compare every reply with the bytes the protocol requires (default true; false counts any reply as an ACK). */
  verify?: boolean;
}

export interface SimSummary {
  counters: SimCounters;
  seconds: number;
  ackLatencyMs: { p50: number; p99: number; count: number };
  positionsPerSecond: number;
}

interface Pending {
  expect: Buffer;
  sentAt: number;
  kind: 'login' | 'position' | 'heartbeat' | 'alarm';
}

/** What the simulator asks of a device, whatever it speaks. */
export interface SimulatedDevice {
  readonly id: string;
  readonly up: boolean;
  readonly inFlight: number;
  start(): void;
  stop(): void;
  sendPosition(alarm?: boolean): void;
}

class SimDevice implements SimulatedDevice {
  readonly id: string;
  up = false;
  private tcp: Socket | undefined;
  private udp: UdpSocket | undefined;
  private serial = 0;
  /** Where on the route it is (see nextFix). */
  routeIndex: number;
  routeOffset = 0;
  private pending: Pending[] = [];
  private head = 0;
  private received = Buffer.alloc(0);
  private backoff = 1000;
  private stopped = false;
  private heartbeatTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly index: number,
    readonly protocol: DeviceProtocol,
    private readonly sim: Simulator,
    /** Where on the route this device starts, 0..1: spread evenly so that the cars do not start on top of each other. */
    start: number,
  ) {
    this.id = protocol.deviceId(index);
    this.routeIndex = Math.floor(start * sim.route.length) % sim.route.length;
  }

  get inFlight(): number {
    return this.pending.length - this.head;
  }

  start(): void {
    this.sim.counters.connecting++;
    const o = this.sim.options;
    if (o.transport === 'udp') {
      this.udp = createSocket('udp4');
      this.udp.on('message', (m) => this.onData(m));
      this.udp.on('error', () => {});
      this.udp.bind(0, () => {
        this.sim.counters.connecting--;
        this.login();
      });
      return;
    }
    const socket = connect({ host: o.host, port: o.port, localAddress: o.localAddress });
    this.tcp = socket;
    socket.setNoDelay(true);
    socket.on('connect', () => {
      this.sim.counters.connecting--;
      this.backoff = 1000;
      this.login();
    });
    socket.on('data', (d) => this.onData(d));
    socket.on('error', (err) => {
      if (!this.up) this.sim.emit('connectError', err);
    });
    socket.on('close', (hadError) => {
      if (!this.up) {
        this.sim.counters.connecting--;
        if (hadError) this.sim.counters.connectErrors++;
      }
      this.down();
      if (!this.stopped) {
        this.sim.counters.reconnects++;
        const wait = this.backoff * (0.5 + Math.random());
        this.backoff = Math.min(30000, this.backoff * 2);
        setTimeout(() => !this.stopped && this.start(), wait).unref();
      }
    });
  }

  stop(): void {
    this.stopped = true;
    this.down();
    this.tcp?.destroy();
    this.udp?.close();
  }

  private down(): void {
    if (this.up) this.sim.counters.devicesUp--;
    this.up = false;
    this.sim.counters.unanswered += this.inFlight;
    this.pending = [];
    this.head = 0;
    this.received = Buffer.alloc(0);
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
  }

  private login(): void {
    const x = this.protocol.login(this.id, this.nextSerial());
    this.send(x, 'login');
    if (!x.expect) this.loggedIn(); // protocols whose first message is not acknowledged
  }

  private nextSerial(): number {
    this.serial = (this.serial + 1) & 0xffff;
    return this.serial;
  }

  private send(x: Exchange, kind: Pending['kind']): void {
    if (x.expect) this.pending.push({ expect: x.expect, sentAt: performance.now(), kind });
    else if (kind === 'position') this.sim.counters.positionsAcked++; // nothing to wait for: count it as through
    this.sim.counters.sent++;
    if (this.udp) this.udp.send(x.frame, this.sim.options.port, this.sim.options.host);
    else this.tcp?.write(x.frame);
  }

  sendPosition(alarm = false): void {
    const fix = this.nextFix();
    if (alarm) {
      this.sim.counters.alarmsSent++;
      this.send(this.protocol.alarm(fix, this.nextSerial(), this.id), 'alarm');
    } else {
      this.sim.counters.positionsSent++;
      this.send(this.protocol.position(fix, this.nextSerial(), this.id), 'position');
    }
  }

  private nextFix(): Fix {
    return nextFix(this.sim.route, this, this.sim.options);
  }

  private onData(d: Buffer): void {
    const buf = this.received.length ? Buffer.concat([this.received, d]) : d;
    let off = 0;
    while (off < buf.length) {
      const n = this.protocol.replyLength(buf, off);
      if (n === 0) break;
      if (n < 0) {
        this.sim.counters.unexpectedReplies++;
        off++;
        continue;
      }
      this.onReply(buf.subarray(off, off + n));
      off += n;
    }
    this.received = off < buf.length ? Buffer.from(buf.subarray(off)) : Buffer.alloc(0);
  }

  private onReply(reply: Buffer): void {
    const c = this.sim.counters;
    if (this.head >= this.pending.length) {
      c.unexpectedReplies++; // e.g. a command from the server
      return;
    }
    const p = this.pending[this.head++];
    if (this.head > 1024) {
      this.pending = this.pending.slice(this.head);
      this.head = 0;
    }
    const same = this.protocol.matches ? this.protocol.matches(reply, p.expect) : reply.equals(p.expect);
    if (this.sim.options.verify && !same) {
      c.wrongReplies++;
      this.sim.emit('wrongReply', {
        deviceId: this.id,
        kind: p.kind,
        expected: p.expect.toString('hex'),
        got: reply.toString('hex'),
      });
      return;
    }
    c.acked++;
    this.sim.latency.add(performance.now() - p.sentAt);
    if (p.kind === 'position') c.positionsAcked++;
    else if (p.kind === 'alarm') c.alarmsAcked++;
    if (p.kind === 'login') this.loggedIn();
    if (this.sim.options.flood && this.up) this.sim.refill(this);
  }

  private loggedIn(): void {
    this.up = true;
    this.sim.counters.devicesUp++;
    this.sim.counters.logins++;
    const hb = this.sim.options.heartbeat;
    if (hb > 0) {
      this.heartbeatTimer = setInterval(() => {
        if (!this.sim.draining) this.send(this.protocol.heartbeat(this.nextSerial(), this.id), 'heartbeat');
      }, hb * 1000);
      this.heartbeatTimer.unref();
    }
  }
}

export class Simulator extends EventEmitter {
  readonly options: Required<Omit<SimOptions, 'rate' | 'route' | 'localAddress'>> &
    Pick<SimOptions, 'rate' | 'localAddress'>;
  readonly route: RoutePoint[];
  readonly counters: SimCounters = newCounters();
  readonly latency = new LatencyRecorder();
  private readonly devices: SimulatedDevice[] = [];
  private ticker: NodeJS.Timeout | undefined;
  /** Set by drain(): no more positions or heartbeats are sent. */
  draining = false;
  private startedAt = 0;
  private due = 0;
  private cursor = 0;

  constructor(options: SimOptions) {
    super();
    const o = {
      host: '127.0.0.1',
      transport: 'tcp' as const,
      devices: 1,
      protocols: ['gt06'],
      interval: 10,
      flood: false,
      window: 1,
      heartbeat: 0,
      sosEvery: 0,
      speed: 40,
      firstIndex: 1,
      connectConcurrency: 200,
      verify: true,
      ...options,
      rate: options.rate,
    };
    for (const p of o.protocols)
      if (!DEVICE_PROTOCOLS[p]) throw new Error(`tracker-sim cannot simulate "${p}" devices`);
    this.options = o;
    this.route = options.route ?? loopRoute();
  }

  /** Connects every device (ramping up) and starts sending. */
  async start(): Promise<void> {
    const o = this.options;
    for (let i = 0; i < o.devices; i++) {
      const device = DEVICE_PROTOCOLS[o.protocols[i % o.protocols.length]];
      const protocol = o.transport === 'udp' && 'udp' in device ? (device.udp ?? device) : device;
      this.devices.push(
        'http' in protocol
          ? new HttpSimDevice(o.firstIndex + i, protocol, this, i / o.devices)
          : new SimDevice(o.firstIndex + i, protocol, this, i / o.devices),
      );
    }
    for (let i = 0; i < this.devices.length; i += o.connectConcurrency) {
      for (const d of this.devices.slice(i, i + o.connectConcurrency)) d.start();
      while (this.counters.connecting > o.connectConcurrency / 2) await new Promise((r) => setTimeout(r, 5));
    }
    this.startedAt = performance.now();
    if (!o.flood) {
      this.ticker = setInterval(() => this.tick(), 10);
      this.ticker.unref();
    }
  }

  /** Resolves once `n` devices are logged in (or rejects after `ms`). */
  async waitUp(n = this.options.devices, ms = 30000): Promise<void> {
    const deadline = Date.now() + ms;
    while (this.counters.devicesUp < n) {
      if (Date.now() > deadline) throw new Error(`only ${this.counters.devicesUp}/${n} devices logged in`);
      await new Promise((r) => setTimeout(r, 20));
    }
  }

  /** Flood mode: start every device's window (call after waitUp). */
  flood(): void {
    this.startedAt = performance.now();
    for (const d of this.devices) if (d.up) this.refill(d);
  }

  refill(d: SimulatedDevice): void {
    while (d.inFlight < this.options.window) d.sendPosition();
  }

  /** An SOS from one device (a random connected one by default). */
  sos(index?: number): string | undefined {
    const up = this.devices.filter((d) => d.up);
    const d = index !== undefined ? this.devices[index] : up[Math.floor(Math.random() * up.length)];
    if (!d?.up) return undefined;
    d.sendPosition(true);
    return d.id;
  }

  /** Positions at the configured total rate, spread round-robin over the connected devices. */
  private tick(): void {
    const o = this.options;
    const rate = o.rate ?? o.devices / o.interval;
    const elapsed = (performance.now() - this.startedAt) / 1000;
    const target = Math.floor(rate * elapsed);
    let n = target - this.due;
    this.due = target;
    const count = this.devices.length;
    const sosChance = o.sosEvery > 0 ? 1 / (o.sosEvery * (rate / count)) : 0;
    while (n-- > 0) {
      for (let tries = 0; tries < count; tries++) {
        const d = this.devices[this.cursor];
        this.cursor = (this.cursor + 1) % count;
        if (d.up && d.inFlight < Math.max(o.window, 64)) {
          d.sendPosition(sosChance > 0 && Math.random() < sosChance);
          break;
        }
      }
    }
  }

  summary(): SimSummary {
    const seconds = this.startedAt ? (performance.now() - this.startedAt) / 1000 : 0;
    return {
      counters: { ...this.counters },
      seconds,
      ackLatencyMs: { p50: this.latency.percentile(50), p99: this.latency.percentile(99), count: this.latency.count },
      positionsPerSecond: seconds > 0 ? this.counters.positionsAcked / seconds : 0,
    };
  }

  /**
   * Stops sending (positions, heartbeats) and waits until every frame sent has its answer, or `ms` passed.
   * What is still unanswered then counts as `unanswered` when the simulator stops.
   */
  async drain(ms = 10000): Promise<void> {
    this.draining = true;
    if (this.ticker) clearInterval(this.ticker);
    this.ticker = undefined;
    const deadline = Date.now() + ms;
    while (Date.now() < deadline && this.devices.some((d) => d.inFlight > 0))
      await new Promise((r) => setTimeout(r, 20));
  }

  async stop(): Promise<SimSummary> {
    if (this.ticker) clearInterval(this.ticker);
    const s = this.summary();
    for (const d of this.devices) d.stop();
    return s;
  }
}
