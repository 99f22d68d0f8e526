/**
 * `tracker-in`: one message per decoded record (msg.topic = deviceId, msg.payload = TrackerMessage, with
 * the server's derived figures in payload.derived) on output 1; device events (online, offline, ignition,
 * moving/stopped, overspeed, alarm, rejected) on output 2. Decode problems go to node.error (rate-limited,
 * so a junk flood cannot flood the log) where a Catch node can see them.
 */
import type { Node, NodeAPI, NodeDef, NodeMessage } from 'node-red';
import { printable } from '../protocols/common/printable';
import type { DecodeError, TrackerMessage } from '../types';
import type { DeviceInfo, PeerInfo } from '../server/registry';
import {
  DeviceEventTracker,
  type DeviceEvent,
  type DeviceEventSnapshot,
  type LiveDeviceEventSnapshot,
} from '../events/device-events';
import { JsonFile } from '../server/file-store';
import { STATE_WRITE_MS, stateFile } from './state-file';
import type { ServerState, TrackerServerConfigNode } from './tracker-server';
import { parseEventDef, type TrackerEventDef } from './event-def';

interface TrackerInDef extends NodeDef, TrackerEventDef {
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
    const config = RED.nodes.getNode(def.server) as TrackerServerConfigNode | null;
    if (!config?.tracker) {
      this.status({ fill: 'red', shape: 'ring', text: 'no server configured' });
      this.error('tracker-in: choose a tracker-server');
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

    let eventOptions: ReturnType<typeof parseEventDef>;
    try {
      eventOptions = parseEventDef(def);
    } catch (err) {
      this.error(`tracker-in: ${(err as Error).message}`);
      eventOptions = parseEventDef({});
    }
    const { enabled: eventsEnabled, derived: addDerived, ...trackerOptions } = eventOptions;
    // Event state (online, motion, mileage) outlives redeploys and restarts in a file under the user dir.
    const store = new JsonFile<DeviceEventSnapshot, LiveDeviceEventSnapshot>(
      stateFile(RED, 'tracker-events', this.id),
      STATE_WRITE_MS,
      (err) => this.warn(`tracker-in: event state file: ${err.message}`),
    );
    const events = new DeviceEventTracker(trackerOptions);
    events.restore(store.load());
    // written in the background, a slice at a time, from the live map (no copy of every device)
    const changed = () => store.save(() => events.liveSnapshot());
    const emit = (list: DeviceEvent[], extra?: Record<string, unknown>) => {
      if (!eventsEnabled) return;
      for (const e of list)
        this.send([null, { topic: e.deviceId, payload: extra ? { ...e, ...extra } : e } as NodeMessage]);
    };

    // Cluster mode: the state of each device follows it to whichever instance it reconnects through.
    const shared = tracker.cluster?.shareState(`events/${this.id}`, {
      remote: (deviceId, state) => {
        if (!wanted(deviceId)) return;
        const d = tracker.registry.get(deviceId);
        emit(events.adopt(deviceId, state, d !== undefined, Date.now()), d && connection(d));
        changed();
      },
      *local() {
        for (const d of tracker.registry.list()) {
          const state = events.deviceState(d.deviceId);
          if (state) yield [d.deviceId, state];
        }
      },
    });
    /** Events must not repeat elsewhere: shared at once; mileage and the last fix only need to be recent. */
    const share = (deviceId: string, urgent: boolean) => {
      if (!shared) return;
      if (urgent) shared.publish(deviceId, events.deviceState(deviceId));
      else shared.publishSoon(deviceId, () => events.deviceState(deviceId));
    };

    const onMessage = (m: TrackerMessage, peer: PeerInfo) => {
      if (!wanted(m.deviceId)) return;
      const { events: happened, derived } = events.update(m, Date.now());
      changed();
      share(m.deviceId, happened.length > 0);
      if (!(filter === 'positions' && m.type !== 'position') && !(filter === 'alarms' && m.alarms.length === 0)) {
        // Several tracker-in nodes on one server get the same record: give each its own copy.
        const record = tracker.listenerCount('message') > 1 ? RED.util.cloneMessage({ payload: m }).payload : m;
        const payload = derived && addDerived ? { ...record, derived } : record;
        this.send([{ topic: m.deviceId, payload, tracker: { ...peer } } as NodeMessage, null]);
      }
      emit(happened);
    };
    const connection = (d: DeviceInfo) => ({
      protocol: d.protocol,
      transport: d.transport,
      remoteAddress: d.remoteAddress,
      remotePort: d.remotePort,
      connectedAt: new Date(d.connectedAt).toISOString(),
    });
    const onOnline = (d: DeviceInfo) => {
      if (!wanted(d.deviceId)) return;
      emit(events.connected(d.deviceId, d.protocol, Date.now()), connection(d));
      changed();
      share(d.deviceId, true);
    };
    const onOffline = (d: DeviceInfo, reason?: string) => {
      if (!wanted(d.deviceId)) return;
      emit(events.disconnected(d.deviceId, reason, Date.now()), connection(d));
      changed();
      share(d.deviceId, true);
    };
    const cluster = tracker.cluster;
    const responsible = cluster && ((deviceId: string) => cluster.responsible(deviceId));
    const offlineCheck = setInterval(
      () => {
        const gone = events.tick(Date.now(), responsible);
        if (gone.length) {
          emit(gone);
          changed();
          for (const e of gone) share(e.deviceId, true);
        }
      },
      Math.min(5000, Math.max(250, (trackerOptions.offlineAfter ?? 600) * 250)),
    );
    const onRejected = (deviceId: string, peer: PeerInfo, reason: string) => {
      if (!wanted(deviceId)) return;
      this.send([
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
        if (suppressed) this.warn(`${suppressed} more decode errors were not shown`);
        windowStart = now;
        inWindow = 0;
        suppressed = 0;
      }
      if (++inWindow > ERROR_BURST) {
        suppressed++;
        return;
      }
      const who = e.deviceId ?? `${peer.remoteAddress}:${peer.remotePort}`;
      // IDs and messages may quote what a device sent: no device writes raw bytes into the log
      this.error(printable(`${e.protocol ?? 'tracker'} ${who}: ${e.message}`, 400), {
        topic: e.deviceId ?? '',
        payload: e,
        tracker: { ...peer },
      } as NodeMessage);
      showStatus(config.currentState);
    };

    const showStatus = (s: ServerState) => {
      if (s.state === 'starting') this.status({ fill: 'grey', shape: 'ring', text: `starting :${s.port}` });
      else if (s.state === 'failed') this.status({ fill: 'red', shape: 'ring', text: printable(s.error).slice(0, 32) });
      else if (recentErrors > 0)
        this.status({ fill: 'yellow', shape: 'dot', text: `${s.devices} dev · ${recentErrors} err` });
      else if (s.devices > 0)
        this.status({
          fill: 'green',
          shape: 'dot',
          text: `${s.devices} device${s.devices === 1 ? '' : 's'} :${s.port}`,
        });
      else this.status({ fill: 'grey', shape: 'ring', text: `listening :${s.port}` });
    };
    // Error counts fade: the status turns back to normal a minute after the last decode problem.
    const fade = setInterval(() => {
      if (recentErrors) {
        recentErrors = 0;
        showStatus(config.currentState);
      }
    }, 60000);

    // one table for subscribing and unsubscribing, so a listener added is always the one removed
    const listeners = [
      ['message', onMessage],
      ['online', onOnline],
      ['offline', onOffline],
      ['decodeError', onDecodeError],
      ['rejected', onRejected],
    ] as const;
    for (const [event, listener] of listeners) tracker.on(event, listener as (...args: any[]) => void);
    config.stateEvents.on('state', showStatus);
    showStatus(config.currentState);

    this.on('close', (removed: boolean, done: () => void) => {
      clearInterval(fade);
      clearInterval(offlineCheck);
      shared?.close();
      if (removed) store.remove();
      else store.flush();
      for (const [event, listener] of listeners) tracker.off(event, listener as (...args: any[]) => void);
      config.stateEvents.off('state', showStatus);
      this.status({});
      done();
    });
  }

  RED.nodes.registerType('tracker-in', TrackerInNode as any);
}
