/**
 * Devices that speak HTTP (phones running Traccar Client or OsmAnd, scripts): the tracker port detects their
 * connections, hands them to Node's HTTP server (http-intake.ts), and every request is decoded, checked and
 * answered here. Identity is per request, not per connection:
 * - each request names its device; the token check and the identity policy apply to that ID, every time;
 * - a phone is online from its first accepted request until it has sent nothing for the idle timeout (its
 *   TCP connections come and go between positions and say nothing about it); a new ID is a new device,
 *   and an ID that stops reporting goes offline after the idle timeout like any other;
 * - one connection may carry several devices (a proxy, a gateway): each is its own registry entry;
 * - commands wait in the queue and go back as the body of the answer to the device's next request.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import type { CommandRequest, EncodedCommand, HttpRequest } from '../protocols/codec';
import type { DecodeError, TrackerMessage } from '../types';
import type { CommandLifecycle } from './commands';
import { HTTP_INTAKE_DEFAULTS, type HttpAnswer, HttpIntake } from './http-intake';
import type { ResolvedServerOptions } from './options';
import type { TcpPeer } from './peer';
import type { DeviceInfo, DeviceLink, DeviceRegistry, PeerInfo } from './registry';

/** What the tracker server lends: its registry, command queue, policy, and a way to emit and count. */
export interface HttpDevicesHost {
  registry: DeviceRegistry;
  commands: CommandLifecycle;
  /** The allow-list check of the identity policy (absent: policy `any`). */
  allowed?: (deviceId: string) => boolean;
  /** Why the ID may not be taken from the connection that has it (`idTakeover: 'established'`), given our own link. */
  heldElsewhere(deviceId: string, own: DeviceLink | undefined): string | undefined;
  /** False while nobody receives records: requests are then answered 503 and the phone keeps its position. */
  accepting(): boolean;
  message(message: TrackerMessage, peer: PeerInfo): void;
  errors(errors: DecodeError[], peer: PeerInfo): void;
  rejected(deviceId: string, peer: PeerInfo, reason: string): void;
  online(device: DeviceInfo): void;
  offline(device: DeviceInfo, reason: string): void;
  warn(message: string): void;
}

/**
 * The registry's entry for a phone: it has no connection of its own. Commands never go through it (the
 * server queues them and they leave with the device's next answer), so `write` refuses.
 */
class HttpDeviceLink implements DeviceLink {
  lastSeen: number;
  constructor(
    readonly info: PeerInfo,
    now: number,
    private readonly onClose: (link: HttpDeviceLink, reason: string) => void,
  ) {
    this.lastSeen = now;
  }

  write(): boolean {
    return false;
  }

  close(reason: string): void {
    this.onClose(this, reason);
  }
}

/** SHA-256 of a secret, so that comparing two takes the same time whatever they hold. */
const digest = (s: string) => createHash('sha256').update(s).digest();

export class HttpDevices {
  private readonly intake: HttpIntake<TcpPeer>;
  /** Phones online now, by device ID. */
  private readonly links = new Map<string, HttpDeviceLink>();
  private readonly sharedToken: Buffer | undefined;
  private readonly deviceTokens: Map<string, Buffer>;
  /** When the last "too many phones" warning was given. */
  private fullSince = 0;

  constructor(
    private readonly options: ResolvedServerOptions,
    private readonly host: HttpDevicesHost,
  ) {
    this.intake = new HttpIntake<TcpPeer>(
      { ...HTTP_INTAKE_DEFAULTS, maxBodyBytes: options.maxHttpBodyBytes },
      (request, peer) => this.request(peer, request),
      (problem, peer) => host.errors([{ ...problem, protocol: peer.session.protocol }], peer.info),
    );
    this.sharedToken = options.httpToken === undefined ? undefined : digest(options.httpToken);
    this.deviceTokens = new Map(Object.entries(options.httpTokens ?? {}).map(([id, t]) => [id, digest(t)]));
  }

  /** A TCP connection detected as HTTP: `head` holds the bytes read so far, from its first request on. */
  adopt(peer: TcpPeer, head: Buffer): void {
    this.intake.adopt(peer.socket, head, peer);
  }

  /** Phones silent for the idle timeout go offline. */
  sweep(now: number): void {
    const idleMs = this.options.idleTimeout * 1000;
    for (const link of [...this.links.values()]) if (now - link.lastSeen > idleMs) link.close('idle timeout');
  }

  close(): void {
    this.intake.close();
    this.links.clear();
  }

  private request(peer: TcpPeer, request: HttpRequest): HttpAnswer {
    // Nothing is acknowledged that nobody receives: the phone keeps the position and sends it again.
    if (!this.host.accepting()) return { status: 503 };
    const now = Date.now();
    peer.lastSeen = now;
    // the session checks the request's device ID and asks `refusal` (through the server) before it returns
    const result = peer.session.decodeRequest(request, now);
    if (result.errors.length) this.host.errors(result.errors, peer.info);
    if (result.refused) {
      this.host.rejected(result.refused.deviceId, peer.info, result.refused.reason);
      return { status: 403 };
    }
    const deviceId = peer.session.deviceId;
    if (result.status !== 200 || deviceId === undefined) return { status: result.status };
    const link = this.link(deviceId, peer, now);
    if (!link) return { status: 503 };
    for (const m of result.messages) this.host.message(m, link.info);
    this.host.commands.queue.remember(deviceId, 'osmand', now);
    return { status: 200, body: result.commands ? this.takeCommand(deviceId, peer) : undefined };
  }

  /**
   * Why a request for this device may not be served: its token, then the identity policy (the allow-list, and
   * with `idTakeover: 'established'` a binary connection that has the ID). The server's identity check for HTTP
   * sessions (SessionOptions.refuseDevice), asked by `session.decodeRequest` for every request.
   */
  refusal(deviceId: string, credential: string | undefined): string | undefined {
    const expected = this.deviceTokens.get(deviceId) ?? this.sharedToken;
    if (expected !== undefined) {
      if (credential === undefined) return 'no token';
      if (!timingSafeEqual(digest(credential), expected)) return 'wrong token';
    }
    if (this.options.identityPolicy === 'allow' && !this.known(deviceId)) return 'not in the allow-list';
    return this.host.heldElsewhere(deviceId, this.links.get(deviceId));
  }

  private known(deviceId: string): boolean {
    return this.deviceTokens.has(deviceId) || this.host.allowed?.(deviceId) !== false;
  }

  /** The device's registry entry, made (and the device reported online) on its first request. */
  private link(deviceId: string, peer: TcpPeer, now: number): HttpDeviceLink | undefined {
    let link = this.links.get(deviceId);
    if (!link) {
      if (this.links.size >= this.options.maxConnections) {
        if (now - this.fullSince > 60000) {
          this.fullSince = now; // one warning a minute, however many requests are refused
          this.host.warn(`new HTTP devices refused (503): ${this.links.size} are online, the max connections`);
        }
        return undefined;
      }
      link = new HttpDeviceLink({ ...peer.info }, now, (l, reason) => this.closed(deviceId, l, reason));
      this.links.set(deviceId, link);
      const replaced = this.host.registry.bind(deviceId, 'osmand', link, now);
      // the same ID on a binary connection until now: the newer wins (idTakeover `newest`; no offline/online pair)
      if (replaced) replaced.close(`replaced by HTTP requests from ${peer.info.connectionId}`);
      else this.host.online(this.host.registry.get(deviceId)!);
    } else if (this.host.registry.link(deviceId) !== link) {
      this.host.registry.bind(deviceId, 'osmand', link, now)?.close(`replaced by HTTP requests`);
    }
    // the connection that carried its latest request
    Object.assign(link.info, peer.info);
    if (this.host.allowed) link.info.known = this.known(deviceId);
    link.lastSeen = now;
    return link;
  }

  private closed(deviceId: string, link: HttpDeviceLink, reason: string): void {
    if (this.links.get(deviceId) !== link) return;
    this.links.delete(deviceId);
    const info = this.host.registry.get(deviceId);
    if (this.host.registry.unbind(deviceId, link) && info) this.host.offline(info, reason);
  }

  /**
   * The oldest command queued for the device, as the body of this answer (one per answer, as Traccar
   * sends them); the others wait for the next requests.
   */
  private takeCommand(deviceId: string, peer: TcpPeer): Buffer | undefined {
    const queue = this.host.commands.queue;
    if (!queue.hasQueued(deviceId)) return undefined;
    const [first, ...rest] = queue.takeQueued(deviceId);
    queue.enqueue(first);
    let body: Buffer | undefined;
    this.host.commands.traffic(
      deviceId,
      {
        encodeCommand: (command: CommandRequest): EncodedCommand => peer.session.encodeCommand(command),
        write: (frames) => {
          body = Buffer.concat(frames);
          return true;
        },
      },
      [],
    );
    for (const record of rest) queue.enqueue(record);
    return body;
  }
}
