/**
 * `tracker-flags`: expands the status and alarm bitfields of a tracker record into named booleans
 * (`msg.flags = {status, alarms, signals, valid, app}`), lists the set ones, or, per device, emits only
 * what changed as edge events (`sosStarted`, `accOn`...).
 */
import type { Node, NodeAPI, NodeDef, NodeMessageInFlow } from 'node-red';
import { expandFlags, flagChanges, type FlagState } from '../flags';
import type { TrackerMessage } from '../types';

interface TrackerFlagsDef extends NodeDef {
  mode?: 'all' | 'set' | 'edges';
  /** What to do with a message that has no tracker bitfields. */
  other?: 'pass' | 'warn' | 'drop';
}

/** Devices whose previous flags are remembered for edge mode (least recently seen forgotten first). */
const MAX_DEVICES = 100000;

export default function register(RED: NodeAPI): void {
  function TrackerFlagsNode(this: Node, def: TrackerFlagsDef) {
    RED.nodes.createNode(this, def);
    const mode = def.mode ?? 'all';
    const other = def.other ?? 'pass';
    // Edge state lives in node context, so it survives redeploys (and restarts with a persistent store).
    const context = this.context();
    const devices = new Map<string, FlagState>(Object.entries((context.get('devices') as object) ?? {}));

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
        devices.delete(id);
        devices.set(id, next);
        if (devices.size > MAX_DEVICES) devices.delete(devices.keys().next().value!);
        context.set('devices', Object.fromEntries(devices));
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
