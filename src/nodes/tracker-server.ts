/**
 * `tracker-server` config node: owns one TrackerServer (the TCP+UDP port and the registry of connected
 * devices) and shares it with every tracker node that points at it, as the MQTT broker or Modbus client
 * config nodes do. Its close handler resolves only once the port is free, so a redeploy never hits
 * EADDRINUSE.
 */
import { EventEmitter } from 'node:events';
import type { Node, NodeAPI } from 'node-red';
import { TrackerServer } from '../server/tracker-server';
import type { ServerOptions } from '../server/options';
import { parseServerDef, type TrackerServerDef } from './server-def';

/** What the shared server is doing, for the status of the nodes that use it. */
export type ServerState =
  | { state: 'starting'; port: number }
  | { state: 'listening'; port: number; devices: number }
  | { state: 'failed'; port: number; error: string };

export interface TrackerServerConfigNode extends Node {
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
    const node = this;
    let options: ServerOptions;
    try {
      options = parseServerDef(def);
    } catch (err) {
      node.error(`tracker-server: ${(err as Error).message}`);
      options = { port: 5023 };
    }
    const port = options.port ?? 5023;
    node.stateEvents = new EventEmitter();
    node.stateEvents.setMaxListeners(0);
    node.tracker = new TrackerServer(options);
    const setState = (s: ServerState) => {
      node.currentState = s;
      node.stateEvents.emit('state', s);
    };
    setState({ state: 'starting', port });

    const devicesChanged = () => {
      if (node.currentState.state === 'listening')
        setState({ state: 'listening', port: node.tracker.port, devices: node.tracker.registry.size });
    };
    node.tracker.on('online', devicesChanged);
    node.tracker.on('offline', devicesChanged);
    node.tracker.on('warning', (w) => node.warn(w.message));

    let closed = false;
    let retry: NodeJS.Timeout | undefined;
    let reported = false;
    const start = () => {
      node.tracker.listen().then(
        (address) => {
          if (closed) return;
          node.log(`listening for trackers on TCP/UDP port ${address.port}`);
          setState({ state: 'listening', port: address.port, devices: 0 });
        },
        (err: NodeJS.ErrnoException) => {
          if (closed) return;
          const text = err.code === 'EADDRINUSE' ? `port ${port} in use` : err.code === 'EACCES' ? `port ${port} not permitted` : err.message;
          if (!reported) node.error(`tracker-server: cannot listen on port ${port}: ${text}; retrying every ${RETRY_MS / 1000} s`);
          reported = true;
          setState({ state: 'failed', port, error: text });
          retry = setTimeout(start, RETRY_MS);
        },
      );
    };
    start();

    node.on('close', (_removed: boolean, done: () => void) => {
      closed = true;
      if (retry) clearTimeout(retry);
      node.tracker.removeAllListeners();
      node.tracker.close().then(
        () => done(),
        () => done(),
      );
    });
  }

  RED.nodes.registerType('tracker-server', TrackerServerNode as any);
}
