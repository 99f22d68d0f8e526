/**
 * A simulated phone for tracker-sim: it posts its positions over HTTP with Node's own client on a keep-alive
 * connection, as the Traccar Client apps do, and checks that every answer is the one the app expects
 * (200 with an empty body). Its first accepted request counts as its login.
 */
import { Agent, request } from 'node:http';
import type { HttpDeviceProtocol, HttpExchange } from '../protocols/common/device';
import { nextFix } from './route';
import type { SimulatedDevice, Simulator } from './simulator';

type Kind = 'login' | 'position' | 'heartbeat' | 'alarm';

export class HttpSimDevice implements SimulatedDevice {
  readonly id: string;
  up = false;
  routeIndex: number;
  routeOffset = 0;
  private agent: Agent | undefined;
  private pending = 0;
  private stopped = false;
  private backoff = 1000;
  private heartbeatTimer: NodeJS.Timeout | undefined;

  constructor(
    readonly index: number,
    readonly protocol: HttpDeviceProtocol,
    private readonly sim: Simulator,
    /** Where on the route it starts, 0..1 (see SimDevice). */
    start: number,
  ) {
    this.id = protocol.deviceId(index);
    this.routeIndex = Math.floor(start * sim.route.length) % sim.route.length;
  }

  get inFlight(): number {
    return this.pending;
  }

  start(): void {
    this.sim.counters.connecting++;
    // one connection per phone (more only when the simulator lets several requests be in flight)
    this.agent = new Agent({ keepAlive: true, noDelay: true, maxSockets: Math.max(1, this.sim.options.window) });
    this.sim.counters.positionsSent++;
    this.send(this.protocol.position(this.fix(), this.id), 'login');
  }

  stop(): void {
    this.stopped = true;
    this.sim.counters.unanswered += this.pending;
    this.down();
    this.agent?.destroy();
  }

  sendPosition(alarm = false): void {
    const fix = this.fix();
    if (alarm) {
      this.sim.counters.alarmsSent++;
      this.send(this.protocol.alarm(fix, this.id), 'alarm');
    } else {
      this.sim.counters.positionsSent++;
      this.send(this.protocol.position(fix, this.id), 'position');
    }
  }

  private fix() {
    return nextFix(this.sim.route, this, this.sim.options);
  }

  private send(x: HttpExchange, kind: Kind): void {
    const agent = this.agent;
    if (!agent || this.stopped) return;
    const o = this.sim.options;
    const body = Buffer.from(x.body);
    const sentAt = performance.now();
    this.pending++;
    this.sim.counters.sent++;
    const req = request(
      {
        agent,
        host: o.host,
        port: o.port,
        localAddress: o.localAddress,
        method: x.method,
        path: x.path,
        headers: { ...x.headers, 'Content-Length': body.length },
      },
      (res) => {
        let size = 0;
        res.on('data', (chunk: Buffer) => {
          size += chunk.length;
        });
        res.on('end', () => {
          this.pending--;
          this.answered(x, kind, res.statusCode ?? 0, size, sentAt);
        });
        res.on('error', () => {});
      },
    );
    req.on('error', (err) => {
      this.pending--;
      if (!this.stopped) this.sim.counters.unanswered++; // once stopped, stop() counted it
      if (!this.up) this.sim.emit('connectError', err);
      this.failed();
    });
    req.end(body);
  }

  private answered(x: HttpExchange, kind: Kind, status: number, bodySize: number, sentAt: number): void {
    if (this.stopped) return;
    const c = this.sim.counters;
    if (this.sim.options.verify && status !== x.expectStatus) {
      c.wrongReplies++;
      this.sim.emit('wrongReply', {
        deviceId: this.id,
        kind,
        expected: `HTTP ${x.expectStatus}`,
        got: `HTTP ${status}`,
      });
      return;
    }
    if (bodySize > 0) c.unexpectedReplies++; // a command from the server in the answer's body
    c.acked++;
    this.sim.latency.add(performance.now() - sentAt);
    if (kind === 'position' || kind === 'login') c.positionsAcked++;
    else if (kind === 'alarm') c.alarmsAcked++;
    if (kind === 'login') this.loggedIn();
    if (this.sim.options.flood && this.up) this.sim.refill(this);
  }

  /** The server could not be reached or dropped the connection: down, and again later (with backoff). */
  private failed(): void {
    if (this.stopped || !this.agent) return; // stopped, or already handling the failure of another request
    const c = this.sim.counters;
    if (!this.up) {
      c.connecting--;
      c.connectErrors++;
    }
    this.down();
    this.agent?.destroy();
    this.agent = undefined;
    c.reconnects++;
    const wait = this.backoff * (0.5 + Math.random());
    this.backoff = Math.min(30000, this.backoff * 2);
    setTimeout(() => !this.stopped && this.start(), wait).unref();
  }

  private loggedIn(): void {
    this.sim.counters.connecting--;
    this.up = true;
    this.backoff = 1000;
    this.sim.counters.devicesUp++;
    this.sim.counters.logins++;
    const hb = this.sim.options.heartbeat;
    if (hb > 0) {
      this.heartbeatTimer = setInterval(() => {
        if (!this.sim.draining) this.send(this.protocol.heartbeat(this.fix(), this.id), 'heartbeat');
      }, hb * 1000);
      this.heartbeatTimer.unref();
    }
  }

  private down(): void {
    if (this.up) this.sim.counters.devicesUp--;
    this.up = false;
    if (this.heartbeatTimer) clearInterval(this.heartbeatTimer);
  }
}
