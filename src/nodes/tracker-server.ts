/**
 * `tracker-server` config node: owns one TrackerServer (the TCP+UDP port and the registry of connected
 * devices) and shares it with every tracker node that points at it, as the MQTT broker or Modbus client
 * config nodes do. Its close handler resolves only once the port is free, so a redeploy never hits
 * EADDRINUSE.
 */
import { EventEmitter } from 'node:events';
import { JsonFileStore } from '../server/file-store';
import type { Node, NodeAPI } from 'node-red';
import { TrackerServer } from '../server/tracker-server';
import type { ServerOptions } from '../server/options';
import { parseServerDef, parseTokens, type TrackerServerCredentials, type TrackerServerDef } from './server-def';
import { stateFile } from './state-file';

/** What the shared server is doing, for the status of the nodes that use it. */
export type ServerState =
  | { state: 'starting'; port: number }
  | { state: 'listening'; port: number; devices: number }
  | { state: 'failed'; port: number; error: string };

export interface TrackerServerConfigNode extends Node<TrackerServerCredentials> {
  /** The shared server (plain-Node API: events message/online/offline/decodeError, devices(), sendCommand()). */
  tracker: TrackerServer;
  /** Emits `state` (ServerState) whenever listening state or the device count changes. */
  stateEvents: EventEmitter;
  currentState: ServerState;
}

/** Retry a bind that failed (port held by another program) this often. */
const RETRY_MS = 15000;

export default function register(RED: NodeAPI): void {
  function TrackerServerNode(this: TrackerServerConfigNode, def: TrackerServerDef) {
    RED.nodes.createNode(this, def);
    let options: ServerOptions;
    const credentials = (this.credentials ?? {}) as TrackerServerCredentials;
    const { badLines } = parseTokens(credentials.httpTokens);
    if (badLines.length)
      this.warn(`tracker-server: tokens per device, line ${badLines.join(', ')}: not device-id=token, ignored`);
    try {
      options = parseServerDef(def, credentials);
    } catch (err) {
      this.error(`tracker-server: ${(err as Error).message}`);
      options = { port: 5023 };
    }
    const port = options.port ?? 5023;
    // Queued commands survive redeploys and restarts in a file under the Node-RED user directory.
    const store = new JsonFileStore(stateFile(RED, 'tracker-commands', this.id), 200, (err) =>
      this.warn(`tracker-server: command queue file: ${err.message}`),
    );
    options.commandStore = store;
    // Advanced settings from settings.js (trackerServer* names, all optional)
    const settings = RED.settings as unknown as Record<string, unknown>;
    const fromSettings: Array<[keyof typeof options, string]> = [
      ['reassemblyTimeout', 'trackerServerReassemblyTimeout'],
      ['identifyTimeout', 'trackerServerIdentifyTimeout'],
      ['maxJunkBytes', 'trackerServerMaxJunkBytes'],
      ['maxBufferBytes', 'trackerServerMaxBufferBytes'],
      ['commandTtl', 'trackerServerCommandTtl'],
      ['answerTimeout', 'trackerServerAnswerTimeout'],
      ['udpRateLimit', 'trackerServerUdpRateLimit'],
      ['maxUdpPeers', 'trackerServerMaxUdpPeers'],
      ['maxUdpAddresses', 'trackerServerMaxUdpAddresses'],
      ['maxHttpBodyBytes', 'trackerServerMaxHttpBodyBytes'],
    ];
    for (const [key, name] of fromSettings) {
      const v = settings[name];
      if (typeof v === 'number') (options as Record<string, unknown>)[key] = v;
    }
    if (options.cluster && typeof settings.trackerServerStateInterval === 'number')
      options.cluster.stateInterval = settings.trackerServerStateInterval;
    this.stateEvents = new EventEmitter();
    this.stateEvents.setMaxListeners(0);
    try {
      this.tracker = new TrackerServer(options);
    } catch (err) {
      // A setting the editor let through but the server refuses (a trusted proxy, the broker URL...).
      this.error(`tracker-server: ${(err as Error).message}`);
      this.tracker = new TrackerServer({ ...options, trustedProxies: [], cluster: undefined });
    }
    const setState = (s: ServerState) => {
      this.currentState = s;
      this.stateEvents.emit('state', s);
    };
    setState({ state: 'starting', port });

    const devicesChanged = () => {
      if (this.currentState.state === 'listening')
        setState({ state: 'listening', port: this.tracker.port, devices: this.tracker.registry.size });
    };
    this.tracker.on('online', devicesChanged);
    this.tracker.on('offline', devicesChanged);
    this.tracker.on('warning', (w) => this.warn(w.message));

    let closed = false;
    let retry: NodeJS.Timeout | undefined;
    let reported = false;
    const start = () => {
      this.tracker.listen().then(
        (address) => {
          if (closed) return;
          this.log(`listening for trackers on TCP/UDP port ${address.port}`);
          const cluster = this.tracker.cluster;
          if (cluster)
            this.log(`cluster instance "${cluster.me.instance}" under topic prefix "${cluster.topics.prefix}"`);
          setState({ state: 'listening', port: address.port, devices: 0 });
        },
        (err: NodeJS.ErrnoException) => {
          if (closed) return;
          const text =
            err.code === 'EADDRINUSE'
              ? `port ${port} in use`
              : err.code === 'EACCES'
                ? `port ${port} not permitted`
                : err.message;
          if (!reported)
            this.error(`tracker-server: cannot listen on port ${port}: ${text}; retrying every ${RETRY_MS / 1000} s`);
          reported = true;
          setState({ state: 'failed', port, error: text });
          retry = setTimeout(start, RETRY_MS);
        },
      );
    };
    start();

    this.on('close', (_removed: boolean, done: () => void) => {
      closed = true;
      if (retry) clearTimeout(retry);
      this.tracker.removeAllListeners();
      this.tracker.close().then(
        () => done(),
        () => done(),
      );
    });
  }

  RED.nodes.registerType('tracker-server', TrackerServerNode as any, {
    credentials: {
      httpToken: { type: 'password' },
      httpTokens: { type: 'text' },
      brokerUsername: { type: 'text' },
      brokerPassword: { type: 'password' },
    },
  });

  // Connected and known devices of a deployed server, for the editor (device pickers, live state).
  RED.httpAdmin.get('/tracker-server/:id/devices', RED.auth.needsPermission('tracker-server.read'), (req, res) => {
    const server = RED.nodes.getNode(String(req.params.id)) as TrackerServerConfigNode | null;
    if (!server?.tracker) {
      res.json({ deployed: false, devices: [] });
      return;
    }
    res.json({
      deployed: true,
      state: server.currentState,
      stats: server.tracker.stats,
      cluster: server.tracker.cluster?.stats(),
      devices: server.tracker.devices().map((d) => ({
        ...d,
        connectedAt: new Date(d.connectedAt).toISOString(),
        lastSeen: new Date(d.lastSeen).toISOString(),
      })),
    });
  });
}
