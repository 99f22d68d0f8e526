/**
 * `tracker-in`: one message per decoded record (msg.topic = deviceId, msg.payload = TrackerMessage) on
 * output 1, device online/offline events on output 2. Decode problems go to node.error (rate-limited, so
 * a junk flood cannot flood the log) where a Catch node can see them.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import type { DecodeError, TrackerMessage } from '../types';
import type { DeviceInfo, PeerInfo } from '../server/registry';
import type { ServerState, TrackerServerConfigNode } from './tracker-server';

interface TrackerInDef extends NodeDef {
  server: string;
  filter?: 'all' | 'positions' | 'alarms';
  devices?: string;
}

/** At most this many decode errors reported per window; the rest are counted and summarised. */
const ERROR_BURST = 10;
const ERROR_WINDOW_MS = 10000;

export default function register(RED: NodeAPI): void {
  function TrackerInNode(this: Node, def: TrackerInDef) {
    RED.nodes.createNode(this, def);
    const node = this;
    const config = RED.nodes.getNode(def.server) as TrackerServerConfigNode | null;
    if (!config || !config.tracker) {
      node.status({ fill: 'red', shape: 'ring', text: 'no server configured' });
      node.error('tracker-in: choose a tracker-server');
      return;
    }
    const tracker = config.tracker;
    const filter = def.filter ?? 'all';
    const only = new Set(
      (def.devices ?? '')
        .split(/[\s,;]+/)
        .map((s) => s.trim())
        .filter(Boolean),
    );
    const wanted = (deviceId: string) => only.size === 0 || only.has(deviceId);

    const onMessage = (m: TrackerMessage, peer: PeerInfo) => {
      if (!wanted(m.deviceId)) return;
      if (filter === 'positions' && m.type !== 'position') return;
      if (filter === 'alarms' && m.alarms.length === 0) return;
      // Several tracker-in nodes on one server get the same record: give each its own copy.
      const payload = tracker.listenerCount('message') > 1 ? RED.util.cloneMessage({ payload: m }).payload : m;
      node.send([{ topic: m.deviceId, payload, tracker: { ...peer } } as NodeMessage, null]);
    };
    const deviceEvent = (event: 'online' | 'offline') => (d: DeviceInfo, reason?: string) => {
      if (!wanted(d.deviceId)) return;
      const payload: Record<string, unknown> = {
        event,
        deviceId: d.deviceId,
        protocol: d.protocol,
        time: new Date().toISOString(),
        transport: d.transport,
        remoteAddress: d.remoteAddress,
        remotePort: d.remotePort,
        connectedAt: new Date(d.connectedAt).toISOString(),
      };
      if (reason) payload.reason = reason;
      node.send([null, { topic: d.deviceId, payload } as NodeMessage]);
    };
    const onOnline = deviceEvent('online');
    const onOffline = deviceEvent('offline');
    const onRejected = (deviceId: string, peer: PeerInfo, reason: string) => {
      if (!wanted(deviceId)) return;
      node.send([
        null,
        {
          topic: deviceId,
          payload: { event: 'rejected', deviceId, time: new Date().toISOString(), ...peer, reason },
        } as NodeMessage,
      ]);
    };

    let windowStart = 0;
    let inWindow = 0;
    let suppressed = 0;
    let recentErrors = 0;
    const onDecodeError = (e: DecodeError, peer: PeerInfo) => {
      if (e.deviceId && !wanted(e.deviceId)) return;
      recentErrors++;
      const now = Date.now();
      if (now - windowStart > ERROR_WINDOW_MS) {
        if (suppressed) node.warn(`${suppressed} more decode errors were not shown`);
        windowStart = now;
        inWindow = 0;
        suppressed = 0;
      }
      if (++inWindow > ERROR_BURST) {
        suppressed++;
        return;
      }
      const who = e.deviceId ?? `${peer.remoteAddress}:${peer.remotePort}`;
      node.error(`${e.protocol ?? 'tracker'} ${who}: ${e.message}`, {
        topic: e.deviceId ?? '',
        payload: e,
        tracker: { ...peer },
      } as NodeMessage);
      showStatus(config.currentState);
    };

    const showStatus = (s: ServerState) => {
      if (s.state === 'starting') node.status({ fill: 'grey', shape: 'ring', text: `starting :${s.port}` });
      else if (s.state === 'failed') node.status({ fill: 'red', shape: 'ring', text: s.error.slice(0, 32) });
      else if (recentErrors > 0)
        node.status({ fill: 'yellow', shape: 'dot', text: `${s.devices} dev · ${recentErrors} err` });
      else if (s.devices > 0) node.status({ fill: 'green', shape: 'dot', text: `${s.devices} device${s.devices === 1 ? "" : "s"} :${s.port}` });
      else node.status({ fill: 'grey', shape: 'ring', text: `listening :${s.port}` });
    };
    // Error counts fade: the status turns back to normal a minute after the last decode problem.
    const fade = setInterval(() => {
      if (recentErrors) {
        recentErrors = 0;
        showStatus(config.currentState);
      }
    }, 60000);

    tracker.on('message', onMessage);
    tracker.on('online', onOnline);
    tracker.on('offline', onOffline);
    tracker.on('decodeError', onDecodeError);
    tracker.on('rejected', onRejected);
    config.stateEvents.on('state', showStatus);
    showStatus(config.currentState);

    node.on('close', (_removed: boolean, done: () => void) => {
      clearInterval(fade);
      tracker.off('message', onMessage);
      tracker.off('online', onOnline);
      tracker.off('offline', onOffline);
      tracker.off('decodeError', onDecodeError);
      tracker.off('rejected', onRejected);
      config.stateEvents.off('state', showStatus);
      node.status({});
      done();
    });
  }

  RED.nodes.registerType('tracker-in', TrackerInNode as any);
}
