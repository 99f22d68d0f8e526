/**
 * `tracker-flags`: expands the status and alarm bitfields of a tracker record into named booleans
 * (`msg.flags = {status, alarms, signals, valid, app}`), lists the set ones, or, per device, emits only
 * what changed as edge events (`sosStarted`, `accOn`...).
 */
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { expandFlags, flagChanges, type FlagState } from '../flags';
import type { TrackerMessage } from '../types';
import { STATE_WRITE_MS } from './state-file';
import { dropOldest } from '../lru';

interface TrackerFlagsDef extends NodeDef {
  mode?: 'all' | 'set' | 'edges';
  /** What to do with a message that has no tracker bitfields. */
  other?: 'pass' | 'warn' | 'drop';
}

/** Devices whose previous flags are remembered for edge mode (least recently seen forgotten first). */
const MAX_DEVICES = 100000;

/** A saved map: [deviceId, state] pairs, least recently seen first (older versions saved an object). */
function savedDevices(saved: unknown): Map<string, FlagState> {
  if (Array.isArray(saved)) return new Map(saved.filter((e) => Array.isArray(e) && typeof e[0] === 'string'));
  return new Map(saved && typeof saved === 'object' ? Object.entries(saved) : []);
}

export default function register(RED: NodeAPI): void {
  function TrackerFlagsNode(this: Node, def: TrackerFlagsDef) {
    RED.nodes.createNode(this, def);
    const mode = def.mode ?? 'all';
    const other = def.other ?? 'pass';
    // Edge state lives in node context, so it survives redeploys and restarts when settings.js configures a
    // context store (without one, Node-RED drops a node's context when it closes). It is used from memory and
    // written to the context at most every STATE_WRITE_MS and on close: writing the whole map per message cost
    // O(devices) each, which a flood of made-up IDs turned into a stall. (One context key per device would be
    // O(1) too, but context keys are property paths, and IDs come from devices.)
    const context = this.context();
    const devices = savedDevices(context.get('devices'));
    let saveTimer: NodeJS.Timeout | undefined;
    const save = () => {
      if (saveTimer) clearTimeout(saveTimer);
      saveTimer = undefined;
      context.set('devices', [...devices]);
    };
    this.on('close', (removed: boolean, done: () => void) => {
      if (removed) clearTimeout(saveTimer);
      else if (saveTimer) save(); // a redeploy or a stop: the next node starts from this state
      saveTimer = undefined;
      done();
    });

    this.on('input', (msg: NodeMessageInFlow & { flags?: unknown; edges?: string[] }, send, done) => {
      const record = msg.payload as TrackerMessage;
      const flags = expandFlags(record);
      if (!flags) {
        if (other === 'warn') this.warn('tracker-flags: msg.payload is not a tracker record with status or alarm bits');
        if (other !== 'drop') send(msg);
        done();
        return;
      }
      if (mode === 'edges') {
        const id = String(record.deviceId ?? msg.topic ?? '');
        const prev = devices.get(id);
        const { changed, edges, next } = flagChanges(prev, flags);
        // delete + set: the map's first key is always the least recently seen device
        devices.delete(id);
        devices.set(id, next);
        if (devices.size > MAX_DEVICES) dropOldest(devices);
        if (!saveTimer) {
          saveTimer = setTimeout(save, STATE_WRITE_MS);
          saveTimer.unref();
        }
        if (edges.length) {
          msg.flags = changed;
          msg.edges = edges;
          this.status({ fill: 'blue', shape: 'dot', text: edges.join(' ').slice(0, 30) });
          send(msg);
        }
      } else if (mode === 'set') {
        const set: Record<string, string[]> = {};
        for (const [group, values] of Object.entries(flags.groups))
          set[group] = Object.keys(values).filter((k) => values[k]);
        msg.flags = { ...set, values: flags.values };
        send(msg);
      } else {
        msg.flags = { ...flags.groups, values: flags.values };
        send(msg);
      }
      done();
    });
  }

  RED.nodes.registerType('tracker-flags', TrackerFlagsNode as any);
}
