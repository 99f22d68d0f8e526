/**
 * One port, TCP and UDP, every protocol: accepts tracker connections, runs a session per connection or
 * UDP peer, writes the replies, keeps the registry of connected devices and emits what was decoded.
 * Plain Node (no Node-RED). Nothing a remote sends can throw out of here: bad input is reported through
 * `decodeError` events, misbehaving connections are closed, and listeners' exceptions are contained.
 */
import { createSocket, type Socket as UdpSocket, type RemoteInfo } from 'node:dgram';
import { EventEmitter } from 'node:events';
import { createServer, isIPv6, type Server, type Socket } from 'node:net';
import type { CommandRequest } from '../protocols/codec';
import { printable } from '../protocols/common/printable';
import type { TrackerSession } from '../session';
import type { DecodeError, ProtocolName, PushResult, Refusal, SessionOptions, TrackerMessage } from '../types';
import { resolveServerOptions, type ResolvedServerOptions, type ServerOptions } from './options';
import { CommandLifecycle, type CommandEvent, type CommandOptions } from './commands';

export type { CommandEvent, CommandOptions } from './commands';
import { HttpDevices } from './http-devices';
import { Peer, TcpPeer, UdpPeer, udpPeerKey } from './peer';
import { PROXY_HEADER_TIMEOUT_MS, readProxyHeader, screenProxyHeader } from './proxy-accept';
import type { ProxyEndpoint } from './proxy-protocol';
import { TrustedProxies } from './trusted-proxies';
import { dropOldest } from '../lru';
import { Cluster } from './cluster';
import { DeviceRegistry, type DeviceInfo, type DeviceLink, type PeerInfo } from './registry';

export interface ServerStats {
  connections: number;
  udpPeers: number;
  devices: number;
  messages: number;
  decodeErrors: number;
  /** Frames and requests on which a decoder threw (a bug: each is also a `codec-exception` decodeError). */
  codecExceptions: number;
  refusedConnections: number;
  rejectedDevices: number;
  /** Datagrams dropped by the per-address rate limit. */
  droppedDatagrams: number;
  /** Bytes not sent to UDP peers that had not proven they receive at their address (the reflection budget). */
  withheldBytes: number;
  /** UDP peers forgotten to make room for a new one (the table was full). */
  evictedUdpPeers: number;
}

export interface TrackerServerEvents {
  listening: [address: { port: number; host: string }];
  message: [message: TrackerMessage, peer: PeerInfo];
  online: [device: DeviceInfo];
  offline: [device: DeviceInfo, reason: string];
  decodeError: [error: DecodeError, peer: PeerInfo];
  /**
   * A device refused by the identity policy (not in the allow-list, or, with `idTakeover: 'established'`, its ID
   * live on another connection): its frame is not acknowledged (a protocol that has a refusal answer, such as
   * Teltonika's `00` to the IMEI login, gets it) and the connection is closed.
   */
  rejected: [deviceId: string, peer: PeerInfo, reason: string];
  connect: [peer: PeerInfo];
  disconnect: [peer: PeerInfo, reason: string];
  command: [event: CommandEvent];
  /** Operational problems that do not stop the server (a listener threw, a connection was refused...). */
  warning: [warning: Error];
}

/** ECONNRESET and friends on a device socket: the 'close' that follows does the cleanup. */
function ignoreSocketError(): void {}

/** Closing after a refusal without a refusal answer: what was written before (earlier frames' replies) goes out. */
const NO_FAREWELL = Buffer.alloc(0);

export class TrackerServer extends EventEmitter<TrackerServerEvents> {
  readonly options: ResolvedServerOptions;
  readonly registry = new DeviceRegistry();
  /** Session options per transport, shared by every session of that transport. */
  private readonly sessionOptions: { tcp: SessionOptions; udp: SessionOptions };
  private tcp: Server | undefined;
  private udp: UdpSocket | undefined;
  private readonly tcpPeers = new Set<TcpPeer>();
  /** UDP peers by address and port, least recently heard from first. */
  private readonly udpPeers = new Map<string, UdpPeer>();
  /** The UDP peers that have not identified themselves yet, least recently heard from first: evicted first. */
  private readonly unidentifiedUdp = new Map<string, UdpPeer>();
  private timer: NodeJS.Timeout | undefined;
  private nextId = 1;
  private boundPort = 0;
  private state: 'new' | 'listening' | 'closing' | 'closed' = 'new';
  private closing: Promise<void> | undefined;
  private readonly counters = {
    messages: 0,
    decodeErrors: 0,
    codecExceptions: 0,
    refusedConnections: 0,
    rejectedDevices: 0,
    droppedDatagrams: 0,
    withheldBytes: 0,
    evictedUdpPeers: 0,
  };
  /** Open TCP connections per remote address (only kept when a per-address limit is set). */
  private readonly perAddress = new Map<string, number>();
  /** UDP token buckets per source address, least recently used first. */
  private readonly udpBuckets = new Map<string, { tokens: number; at: number }>();
  private readonly allowed: ((id: string) => boolean) | undefined;
  /** Balancers whose connections start with a PROXY header. */
  private readonly proxies: TrustedProxies;
  /** Connections from a trusted balancer whose header has not arrived yet. */
  private readonly awaitingHeader = new Set<Socket>();
  private held = false;
  /** Commands: checked, sent or queued, matched to answers, expired (src/server/commands.ts). */
  readonly commands: CommandLifecycle;
  /** Connections that speak HTTP (phones), request by request (src/server/http-devices.ts). */
  private readonly http: HttpDevices;
  /** Cluster mode (the `cluster` option): devices, commands and node state shared through an MQTT broker. */
  readonly cluster: Cluster | undefined;

  constructor(options: ServerOptions = {}) {
    super();
    this.options = resolveServerOptions(options);
    const o = this.options;
    this.proxies = new TrustedProxies(o.trustedProxies);
    const sessionOptions: SessionOptions = {
      protocol: 'auto',
      protocols: o.protocols,
      maxBufferBytes: o.maxBufferBytes,
      strictChecksum: o.strictChecksum,
      timezoneOffset: o.timezoneOffset,
      reassemblyTimeout: o.reassemblyTimeout,
      // every frame that names a new device ID, and every HTTP request, is checked before it is acknowledged
      refuseDevice: (deviceId, session, credential) => this.refuseDevice(deviceId, session, credential),
    };
    this.sessionOptions = {
      tcp: { ...sessionOptions, transport: 'tcp' },
      udp: { ...sessionOptions, transport: 'udp' },
    };
    if (o.identityPolicy !== 'any') {
      const ids = new Set(o.allowedDevices);
      const pattern = o.allowedPattern ? new RegExp(`^(?:${o.allowedPattern})$`) : undefined;
      this.allowed = (id) => ids.has(id) || pattern?.test(id) === true;
    }
    if (o.holdWithoutListeners) {
      this.held = true; // until a listener comes
      const untyped = this as EventEmitter;
      untyped.on('newListener', (event: string | symbol) => {
        if (event === 'message') setImmediate(() => this.holdReading());
      });
      untyped.on('removeListener', (event: string | symbol) => {
        if (event === 'message') this.holdReading();
      });
    }
    this.commands = new CommandLifecycle(
      {
        maxPerDevice: o.maxQueuedCommands,
        answerTimeoutMs: o.answerTimeout * 1000,
        maxKnownDevices: o.maxKnownDevices,
        store: o.commandStore,
        commandTtl: o.commandTtl,
        answerTimeout: o.answerTimeout,
      },
      // a phone has no live connection to send on: its commands wait for its next request
      // nor has a UDP peer that has not proven it receives at its address: commands wait for it to send again
      (deviceId) => {
        const link = this.registry.link(deviceId);
        return link instanceof Peer && link.reachable ? link : undefined;
      },
      (event) => this.safeEmit('command', event),
    );
    this.http = new HttpDevices(this.options, {
      registry: this.registry,
      commands: this.commands,
      allowed: this.allowed,
      heldElsewhere: (deviceId, own) => this.heldElsewhere(deviceId, (link) => link === own),
      accepting: () => !this.held,
      message: (m, info) => {
        this.counters.messages++;
        this.safeEmit('message', m, info);
      },
      errors: (errors, info) => this.emitErrors(errors, info),
      rejected: (deviceId, info, reason) => {
        this.counters.rejectedDevices++;
        this.safeEmit('rejected', deviceId, info, reason);
      },
      online: (device) => {
        this.safeEmit('online', device);
        this.cluster?.deviceOnline(device.deviceId, device);
      },
      offline: (device, reason) => {
        this.cluster?.deviceOffline(device.deviceId, device.lastSeen);
        this.safeEmit('offline', device, reason);
      },
      warn: (message) => this.warn(message),
    });
    this.cluster = o.cluster
      ? new Cluster(
          o.cluster,
          {
            registry: this.registry,
            commands: this.commands,
            moved: (deviceId, reason) => this.moved(deviceId, reason),
            emitCommand: (event) => this.safeEmit('command', event),
            warn: (message) => this.warn(message),
          },
          { port: o.port, maxQueuedCommands: o.maxQueuedCommands, maxKnownDevices: o.maxKnownDevices },
        )
      : undefined;
    this.commands.relay = this.cluster;
  }

  /** The port in use once listening (useful with port 0). */
  get port(): number {
    return this.boundPort;
  }

  get listening(): boolean {
    return this.state === 'listening';
  }

  get stats(): ServerStats {
    return {
      connections: this.tcpPeers.size,
      udpPeers: this.udpPeers.size,
      devices: this.registry.size,
      ...this.counters,
    };
  }

  devices(): DeviceInfo[] {
    return this.registry.list();
  }

  /** The protocol a device speaks: from its live connection, else from when it was last seen. */
  protocolOf(deviceId: string): ProtocolName | undefined {
    return this.registry.get(deviceId)?.protocol ?? this.commands.queue.knownProtocol(deviceId);
  }

  /** Opens the port on TCP and UDP. Rejects (and holds nothing open) when the port cannot be bound. */
  async listen(): Promise<{ port: number; host: string }> {
    if (this.state !== 'new') throw new Error(`cannot listen: server is ${this.state}`);
    this.state = 'listening';
    const o = this.options;
    try {
      // Cluster mode: the cluster's state is read before the first device is served (or after a time-out).
      if (this.cluster) await this.cluster.start();
      if (o.tcp) this.boundPort = await this.listenTcp(o.port, o.host);
      if (o.udp) this.boundPort = await this.bindUdp(o.tcp ? this.boundPort : o.port, o.host);
    } catch (err) {
      await this.releaseSockets();
      this.state = 'new';
      throw err;
    }
    this.timer = setInterval(() => this.poll(), o.pollInterval);
    this.timer.unref();
    const address = { port: this.boundPort, host: o.host ?? '::' };
    this.safeEmit('listening', address);
    return address;
  }

  /**
   * Closes every connection and both sockets; resolves once the port is free again, so a new server can
   * bind it at once (a Node-RED redeploy). No offline events are emitted for devices cut by the close.
   */
  close(): Promise<void> {
    if (!this.closing) {
      this.state = 'closing';
      this.closing = this.releaseSockets().then(() => {
        this.state = 'closed';
      });
    }
    return this.closing;
  }

  /** Writes raw frames to a connected device; false when it is not connected. */
  send(deviceId: string, frames: Buffer[]): boolean {
    const link = this.registry.link(deviceId);
    return link ? link.write(frames) : false;
  }

  /**
   * Sends a command on the device's live connection, or queues it when the device is offline (it is sent
   * on the device's next message). Returns the first status: `sent`, `queued` or `failed` (unknown device,
   * a command its protocol does not declare, bad parameters, queue full: nothing is sent). Later statuses
   * (`delivered`, `result`, `failed`, `expired`) arrive as `command` events.
   */
  command(deviceId: string, command: CommandRequest, options: CommandOptions = {}): CommandEvent {
    return this.commands.command(deviceId, command, options);
  }

  /** Encodes and sends a command now; throws when the device is not connected or it cannot be encoded. */
  sendCommand(deviceId: string, command: CommandRequest): Buffer[] {
    return this.commands.sendCommand(deviceId, command);
  }

  // --- TCP -----------------------------------------------------------------------------------------

  private listenTcp(port: number, host: string | undefined): Promise<number> {
    return new Promise((resolve, reject) => {
      const server = createServer({ noDelay: true, keepAlive: true, keepAliveInitialDelay: 60000 });
      server.maxConnections = this.options.maxConnections;
      server.on('connection', (socket) => this.acceptTcp(socket));
      server.on('drop', (data) => {
        this.counters.refusedConnections++;
        this.warn(`connection from ${data?.remoteAddress} refused: ${this.options.maxConnections} connections open`);
      });
      const onError = (err: Error) => reject(err);
      server.once('error', onError);
      server.listen({ port, host, exclusive: true }, () => {
        server.off('error', onError);
        server.on('error', (err) => this.warn(`TCP server: ${err.message}`));
        this.tcp = server;
        resolve((server.address() as { port: number }).port);
      });
    });
  }

  private acceptTcp(socket: Socket): void {
    socket.on('error', ignoreSocketError);
    // No address: closed (reset) before it was accepted, as a balancer's health check is. Nothing to serve.
    if (this.state !== 'listening' || socket.remoteAddress === undefined) {
      socket.destroy();
      return;
    }
    if (!this.proxies.trusts(socket.remoteAddress)) {
      this.openTcp(socket, undefined, undefined);
      return;
    }
    // A trusted balancer: its PROXY header says who the device is, before the session sees a byte.
    this.awaitingHeader.add(socket);
    const timeout = Math.min(PROXY_HEADER_TIMEOUT_MS, this.options.identifyTimeout * 1000);
    readProxyHeader(socket, timeout, (r) => {
      this.awaitingHeader.delete(socket);
      if (this.state !== 'listening' || socket.destroyed) socket.destroy();
      else if (r.ok) this.openTcp(socket, r.source ?? null, r.rest);
      else this.refuse(socket, `connection from proxy ${socket.remoteAddress} refused: ${r.reason}`);
    });
  }

  /** `source`: the device's endpoint from a PROXY header (null: the header said to use the socket's own). */
  private openTcp(socket: Socket, source: ProxyEndpoint | null | undefined, initial: Buffer | undefined): void {
    const address = source?.address ?? socket.remoteAddress ?? '';
    const limit = this.options.maxConnectionsPerAddress;
    if (limit > 0) {
      const open = this.perAddress.get(address) ?? 0;
      if (open >= limit) {
        this.refuse(socket, `connection from ${address} refused: ${limit} connections from that address are open`);
        return;
      }
      this.perAddress.set(address, open + 1);
      socket.once('close', () => {
        const n = (this.perAddress.get(address) ?? 1) - 1;
        if (n > 0) this.perAddress.set(address, n);
        else this.perAddress.delete(address);
      });
    }
    try {
      // Idle connections are closed by the poll sweep (one timer for all, not one per socket: memory per device).
      const peer = new TcpPeer(
        `tcp-${this.nextId++}`,
        socket,
        this.sessionOptions.tcp,
        Date.now(),
        (p, reason) => this.peerClosed(p, reason),
        source ?? undefined,
      );
      this.tcpPeers.add(peer);
      const onData = (chunk: Buffer) => this.received(peer, chunk);
      // Only trusted balancers may send a PROXY header: from anyone else it would be a forged address.
      const refuseHeader = () => {
        this.counters.refusedConnections++;
        this.warn(`connection from ${address} refused: PROXY header from an address not in trustedProxies`);
        peer.close('PROXY header from an untrusted address');
      };
      socket.on('data', source === undefined ? screenProxyHeader(onData, refuseHeader) : onData);
      if (this.held) socket.pause();
      this.safeEmit('connect', peer.info);
      if (initial?.length) {
        if (this.held) socket.unshift(initial);
        else this.received(peer, initial);
      }
    } catch (err) {
      this.warn(`connection from ${address}: ${(err as Error).message}`);
      socket.destroy();
    }
  }

  private refuse(socket: Socket, message: string): void {
    this.counters.refusedConnections++;
    this.warn(message);
    socket.destroy();
  }

  // --- UDP -----------------------------------------------------------------------------------------

  private async bindUdp(port: number, host: string | undefined): Promise<number> {
    if (host) return this.bindUdpFamily(isIPv6(host) ? 'udp6' : 'udp4', port, host);
    try {
      return await this.bindUdpFamily('udp6', port, '::');
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code === 'EADDRINUSE') throw err;
      return this.bindUdpFamily('udp4', port, '0.0.0.0'); // no IPv6 on this machine
    }
  }

  private bindUdpFamily(type: 'udp4' | 'udp6', port: number, host: string): Promise<number> {
    return new Promise((resolve, reject) => {
      const socket = createSocket({ type, reuseAddr: false });
      const onError = (err: Error) => {
        socket.close();
        reject(err);
      };
      socket.once('error', onError);
      socket.bind({ port, address: host, exclusive: true }, () => {
        socket.off('error', onError);
        socket.on('error', (err) => this.warn(`UDP socket: ${err.message}`));
        socket.on('message', (msg, rinfo) => this.datagram(socket, msg, rinfo));
        this.udp = socket;
        resolve(socket.address().port);
      });
    });
  }

  private datagram(socket: UdpSocket, data: Buffer, rinfo: RemoteInfo): void {
    if (this.state !== 'listening' || this.held) return;
    if (!this.udpAllowed(rinfo.address)) {
      this.counters.droppedDatagrams++;
      return;
    }
    const key = udpPeerKey(rinfo.address, rinfo.port);
    let peer = this.udpPeers.get(key);
    if (peer) {
      // most recently heard from last: the eviction order
      this.udpPeers.delete(key);
      this.udpPeers.set(key, peer);
      if (peer.deviceId === undefined) {
        this.unidentifiedUdp.delete(key);
        this.unidentifiedUdp.set(key, peer);
      }
    } else {
      if (this.udpPeers.size >= this.options.maxUdpPeers) this.evictUdpPeer();
      peer = new UdpPeer(
        `udp-${this.nextId++}`,
        socket,
        rinfo.address,
        rinfo.port,
        this.sessionOptions.udp,
        Date.now(),
        (p, r) => this.peerClosed(p, r),
        (p, bytes) => this.withheld(p, bytes),
      );
      this.udpPeers.set(key, peer);
      this.unidentifiedUdp.set(key, peer);
      this.safeEmit('connect', peer.info);
    }
    peer.datagram(data.length);
    this.received(peer, data);
    if (peer.deviceId !== undefined) this.unidentifiedUdp.delete(key);
    if (peer.closed) return;
    // A datagram is complete in itself: a frame it left unfinished is dropped, not carried to the next one.
    const dropped = peer.session.discardBuffered();
    if (dropped) this.reportErrors(peer, [dropped]);
  }

  /**
   * The UDP peer table is full: forget the peer heard from least recently among those that have not identified
   * themselves (spoofed or junk sources), and only when every peer is a device, the device heard from least
   * recently (it comes back with its next datagram).
   */
  private evictUdpPeer(): void {
    const victim = this.unidentifiedUdp.values().next().value ?? this.udpPeers.values().next().value;
    if (!victim) return;
    this.counters.evictedUdpPeers++;
    victim.close(`forgotten: ${this.options.maxUdpPeers} UDP peers (the table is full)`);
  }

  /** Bytes a UDP peer's budget did not let out: counted, and reported once per peer. */
  private withheld(peer: UdpPeer, bytes: number): void {
    this.counters.withheldBytes += bytes;
    if (peer.withheldReported) return;
    peer.withheldReported = true;
    const { connectionId, remoteAddress, remotePort } = peer.info;
    this.warn(
      `${connectionId} (${remoteAddress}:${remotePort}): ${bytes} bytes not sent: a UDP peer gets no more bytes than ` +
        'it sent until it sends again after a first reply (its source address may be forged)',
    );
  }

  // --- shared --------------------------------------------------------------------------------------

  /**
   * Token bucket per UDP source address: the port cannot be used to flood, or to amplify at a third party. The
   * table has its own size; when full, the bucket used least recently makes room.
   */
  private udpAllowed(address: string): boolean {
    const now = Date.now();
    const rate = this.options.udpRateLimit;
    let b = this.udpBuckets.get(address);
    if (b) this.udpBuckets.delete(address);
    else {
      if (this.udpBuckets.size >= this.options.maxUdpAddresses) dropOldest(this.udpBuckets);
      b = { tokens: 2 * rate, at: now };
    }
    this.udpBuckets.set(address, b); // most recently used last
    b.tokens = Math.min(2 * rate, b.tokens + ((now - b.at) * rate) / 1000);
    b.at = now;
    if (b.tokens < 1) return false;
    b.tokens -= 1;
    return true;
  }

  /** Handles bytes from a connection or a datagram (a UDP peer's replies are within its budget: UdpPeer). */
  private received(peer: Peer, chunk: Buffer): void {
    const now = Date.now();
    peer.lastSeen = now;
    const junkBefore = peer.session.stats.droppedBytes;
    let result: PushResult;
    try {
      result = peer.session.push(chunk, now); // one clock read per chunk
    } catch (err) {
      // The session never throws by design; if it ever does, lose this connection, not the process.
      this.warn(`${peer.info.connectionId}: ${(err as Error).message}`);
      peer.close('internal error');
      return;
    }
    if (result.handover) {
      // HTTP (a phone): Node's HTTP server reads the connection from here on, request by request
      if (result.errors.length) this.reportErrors(peer, result.errors);
      if (peer instanceof TcpPeer) this.http.adopt(peer, result.handover);
      else peer.close('HTTP is served over TCP only');
      return;
    }
    // The session asked the identity policy frame by frame: what it returns was served; a refused frame, and
    // anything after it, is not in the result.
    const deviceId = peer.session.deviceId;
    if (deviceId !== undefined && deviceId !== peer.deviceId) this.identified(peer, deviceId, now);
    if (result.replies.length) peer.write(result.replies);
    const messages = result.messages;
    this.counters.messages += messages.length;
    for (let i = 0; i < messages.length; i++) {
      const m = messages[i];
      // a record of an ID the connection gave before it changed IDs in this chunk: marked by its own ID
      const info =
        this.allowed && m.deviceId !== peer.deviceId ? { ...peer.info, known: this.allowed(m.deviceId) } : peer.info;
      this.safeEmit('message', m, info);
    }
    if (result.errors.length) this.reportErrors(peer, result.errors);
    if (result.refused) {
      this.reject(peer, result.refused);
      return;
    }
    if (peer.deviceId !== undefined && !peer.closed) this.commands.traffic(peer.deviceId, peer, result.answers);
    this.limitJunk(peer, chunk.length, junkBefore);
  }

  /**
   * Junk (bytes that frame as nothing) costs what frames cost, no more, but it is bounded: before the device
   * identifies itself, past maxJunkBytes the connection is closed (a scanner, a wrong port). After, a real device
   * sends a garbled frame now and then, line noise that must never cost it its connection, while a connection
   * sending mostly junk is wasting the server's time: it is closed once its junk since identification exceeds
   * maxJunkBytes plus the bytes of the frames it sent since then. (A time window would cut a device whose one big
   * frame, a watch's voice message, got mangled; this rule lets every frame pay for as much junk.)
   */
  private limitJunk(peer: Peer, chunkLength: number, junkBefore: number): void {
    const stats = peer.session.stats;
    if (peer.deviceId === undefined) {
      if (stats.droppedBytes > this.options.maxJunkBytes) peer.close('too many bytes of no known protocol');
      return;
    }
    if (peer.bytesAtIdentity < 0) {
      // this chunk identified the device: its junk counts from here
      peer.bytesAtIdentity = stats.bytes - chunkLength;
      peer.junkAtIdentity = junkBefore;
    }
    const junk = stats.droppedBytes - peer.junkAtIdentity;
    const framed = stats.bytes - peer.bytesAtIdentity - junk - peer.session.bufferedBytes;
    if (junk > this.options.maxJunkBytes + Math.max(0, framed)) peer.close('too many bytes that are not frames');
  }

  /**
   * The identity policy for a device ID a frame of `session` gives (see SessionOptions.refuseDevice): why it is
   * refused, or undefined. HTTP requests: the token, then the policy (src/server/http-devices.ts).
   */
  private refuseDevice(deviceId: string, session: TrackerSession, credential: string | undefined): string | undefined {
    if (session.handedOver) return this.http.refusal(deviceId, credential);
    if (this.options.identityPolicy === 'allow' && this.allowed && !this.allowed(deviceId))
      return 'not in the allow-list';
    return this.heldElsewhere(deviceId, (link) => link instanceof Peer && link.session === session);
  }

  /**
   * With `idTakeover: 'established'`: why a device ID may not be taken by a newcomer (a live connection other than
   * the caller's own has it, here or, in cluster mode, on another live instance); undefined otherwise.
   */
  private heldElsewhere(deviceId: string, own: (link: DeviceLink) => boolean): string | undefined {
    if (this.options.idTakeover !== 'established') return undefined;
    const link = this.registry.link(deviceId);
    if (link) return own(link) ? undefined : `live on connection ${link.info.connectionId} (idTakeover: established)`;
    const holder = this.cluster?.holder(deviceId);
    return holder === undefined ? undefined : `live through instance ${holder} (idTakeover: established)`;
  }

  /** A device the identity policy refused: reported, answered as its protocol defines (if at all), disconnected. */
  private reject(peer: Peer, refusal: Refusal): void {
    this.counters.rejectedDevices++;
    this.safeEmit('rejected', refusal.deviceId, peer.info, refusal.reason);
    peer.close(`device ${refusal.deviceId} refused: ${refusal.reason}`, refusal.reply ?? NO_FAREWELL);
  }

  /** Binds a device, which the identity policy accepted, to its connection. */
  private identified(peer: Peer, deviceId: string, now: number): void {
    if (this.allowed) peer.info.known = this.allowed(deviceId);
    if (peer.deviceId !== undefined) this.registry.unbind(peer.deviceId, peer);
    peer.deviceId = deviceId;
    const replaced = this.registry.bind(deviceId, peer.session.protocol!, peer, now);
    this.commands.queue.remember(deviceId, peer.session.protocol!, now);
    if (replaced) {
      // The device logged in again on another connection: the newer one wins (idTakeover `newest`; with
      // `established` the session's check refused the newcomer), the older is closed. It never went offline,
      // so no offline/online pair is emitted.
      replaced.close(`replaced by ${peer.info.connectionId}`);
    } else {
      this.safeEmit('online', this.registry.get(deviceId)!);
    }
    this.cluster?.deviceOnline(deviceId, this.registry.get(deviceId)!);
  }

  /** Cluster: the device connected again through another instance: its connection here closes, not offline. */
  private moved(deviceId: string, reason: string): void {
    const link = this.registry.link(deviceId);
    if (!link || !this.registry.unbind(deviceId, link)) return;
    link.close(reason);
  }

  /** With holdWithoutListeners: pause every connection while nobody listens for records. */
  private holdReading(): void {
    const hold = this.listenerCount('message') === 0;
    if (hold === this.held) return;
    this.held = hold;
    for (const peer of this.tcpPeers) {
      if (hold) peer.socket.pause();
      else peer.socket.resume();
    }
  }

  private reportErrors(peer: Peer, errors: DecodeError[]): void {
    this.emitErrors(errors, peer.info);
  }

  private emitErrors(errors: DecodeError[], info: PeerInfo): void {
    this.counters.decodeErrors += errors.length;
    for (const e of errors) {
      if (e.code === 'codec-exception') this.counters.codecExceptions++;
      this.safeEmit('decodeError', e, info);
    }
  }

  private peerClosed(peer: Peer, reason: string): void {
    if (peer instanceof TcpPeer) this.tcpPeers.delete(peer);
    else {
      this.udpPeers.delete((peer as UdpPeer).key);
      this.unidentifiedUdp.delete((peer as UdpPeer).key);
    }
    if (this.state !== 'listening') return; // shutting down: no events
    if (peer.deviceId !== undefined) {
      const info = this.registry.get(peer.deviceId);
      if (this.registry.unbind(peer.deviceId, peer) && info) {
        this.cluster?.deviceOffline(peer.deviceId, peer.lastSeen);
        this.safeEmit('offline', info, reason);
      }
    }
    this.safeEmit('disconnect', peer.info, reason);
  }

  /** Timeouts and time-driven codec work, once per pollInterval. */
  private poll(): void {
    const now = Date.now();
    const idleMs = this.options.idleTimeout * 1000;
    const identifyMs = this.options.identifyTimeout * 1000;
    const sweep = (peer: Peer) => {
      if (peer.session.handedOver) {
        // HTTP (phones) names a device per request, not per connection: no identify timeout. Node's HTTP server
        // times out slow requests and idle kept-alive connections; this closes one that stopped reading answers.
        if (now - peer.lastSeen > idleMs) peer.close('idle timeout');
        return;
      }
      if (peer.deviceId === undefined && now - peer.createdAt > identifyMs) {
        peer.close('did not identify itself in time');
        return;
      }
      if (now - peer.lastSeen > idleMs) {
        peer.close('idle timeout');
        return;
      }
      const r = peer.session.poll();
      if (r.replies.length || r.messages.length || r.errors.length) {
        if (r.replies.length) peer.write(r.replies);
        this.counters.messages += r.messages.length;
        for (const m of r.messages) this.safeEmit('message', m, peer.info);
        if (r.errors.length) this.reportErrors(peer, r.errors);
      }
    };
    try {
      for (const p of [...this.tcpPeers]) sweep(p);
      for (const p of [...this.udpPeers.values()]) sweep(p);
      for (const [address, b] of this.udpBuckets) {
        if (now - b.at <= 60000) break; // least recently used first: the rest are fresher
        this.udpBuckets.delete(address);
      }
      this.commands.sweep(now);
      this.http.sweep(now);
    } catch (err) {
      this.warn(`poll: ${(err as Error).message}`);
    }
  }

  private async releaseSockets(): Promise<void> {
    this.commands.queue.flush();
    const leaving = this.cluster?.close();
    this.http.close();
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    for (const peer of this.tcpPeers) peer.socket.destroy();
    for (const socket of this.awaitingHeader) socket.destroy();
    this.awaitingHeader.clear();
    this.tcpPeers.clear();
    this.udpPeers.clear();
    this.unidentifiedUdp.clear();
    this.udpBuckets.clear();
    this.perAddress.clear();
    this.registry.clear();
    const tcp = this.tcp;
    const udp = this.udp;
    this.tcp = undefined;
    this.udp = undefined;
    await Promise.all([
      tcp && new Promise<void>((resolve) => tcp.close(() => resolve())),
      udp && new Promise<void>((resolve) => udp.close(() => resolve())),
      leaving,
    ]);
  }

  /** Warnings may quote what a remote sent (an address from a header, a decoder's message): shown escaped. */
  private warn(message: string): void {
    this.safeEmit('warning', new Error(printable(message)));
  }

  /** Emits without letting a listener's exception reach the socket code. */
  private safeEmit<K extends keyof TrackerServerEvents>(event: K, ...args: TrackerServerEvents[K]): void {
    try {
      (this.emit as (e: K, ...a: TrackerServerEvents[K]) => boolean)(event, ...args);
    } catch (err) {
      if (event !== 'warning') this.warn(`a "${String(event)}" listener threw: ${(err as Error).message}`);
    }
  }
}

export function createTrackerServer(options?: ServerOptions): TrackerServer {
  return new TrackerServer(options);
}
