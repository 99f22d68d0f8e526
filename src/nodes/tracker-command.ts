/**
 * `tracker-command`: sends a command to a device through the shared tracker-server (at once when it is
 * connected, queued until its next message otherwise) and emits every status of it: queued, sent,
 * delivered, result, failed, expired. Thin glue over TrackerServer.command().
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import type { CommandRequest } from '../protocols/codec';
import type { CommandEvent } from '../server/tracker-server';
import type { TrackerServerConfigNode } from './tracker-server';

interface TrackerCommandDef extends NodeDef {
  server: string;
  /** 'payload' = msg.payload says what to send; otherwise a command type. */
  command: string;
  device: string;
  deviceType: string;
  /** Parameter of the chosen type (interval, text, offset, data), typed input. */
  value: string;
  valueType: string;
  /** Output index for outputControl. */
  index?: string;
  /** Seconds a command may wait for an offline device; empty = server default. */
  ttl?: string;
  /** GT06: use the DYD,<password># / HFYD,<password># family for engine stop/resume. */
  alternative?: boolean;
}

interface Credentials {
  password?: string;
}

/** The parameter each command type reads from the node's value field. */
const VALUE_PARAM: Record<string, string | undefined> = {
  custom: 'text',
  positionPeriodic: 'interval',
  setTimezone: 'offset',
  outputControl: 'data',
  sendText: 'text',
};

/** Most original messages remembered to answer later statuses with (older ones get a fresh msg). */
const MAX_REMEMBERED = 1000;

export default function register(RED: NodeAPI): void {
  function TrackerCommandNode(this: Node<Credentials>, def: TrackerCommandDef) {
    RED.nodes.createNode(this, def);
    const config = RED.nodes.getNode(def.server) as TrackerServerConfigNode | null;
    if (!config?.tracker) {
      this.status({ fill: 'red', shape: 'ring', text: 'no server configured' });
      this.error('tracker-command: choose a tracker-server');
      return;
    }
    const tracker = config.tracker;
    const remembered = new Map<string, NodeMessage>();

    const statusOf = (e: CommandEvent) => {
      const fill = e.status === 'failed' || e.status === 'expired' ? 'red' : e.status === 'queued' ? 'yellow' : 'green';
      this.status({ fill, shape: e.status === 'result' ? 'dot' : 'ring', text: `${e.command.type}: ${e.status}` });
    };
    const output = (e: CommandEvent, original?: NodeMessage) => {
      const msg = original ? RED.util.cloneMessage(original) : ({} as NodeMessage);
      msg.topic = e.deviceId;
      msg.payload = e;
      return msg;
    };

    // Later statuses of this node's commands (delivered / result / failed / expired / sent from the queue).
    let answering = false; // the first status of a command is answered with the input msg, not here
    const onCommand = (e: CommandEvent) => {
      if (e.origin !== this.id || answering) return;
      const original = remembered.get(e.id);
      if (e.status !== 'queued' && e.status !== 'sent' && e.status !== 'delivered') remembered.delete(e.id);
      statusOf(e);
      this.send(output(e, original));
    };
    tracker.on('command', onCommand);

    this.on('input', (msg: NodeMessageInFlow, send, done) => {
      let deviceId: string;
      let command: CommandRequest;
      try {
        deviceId = String(
          RED.util.evaluateNodeProperty(def.device || 'topic', def.deviceType || 'msg', this, msg) ?? '',
        ).trim();
        if (!deviceId) throw new Error('no device: set msg.topic to the device ID (or choose one in the node)');
        command = buildCommand(def, this, msg);
      } catch (err) {
        done(err as Error);
        return;
      }
      if (def.alternative) command.alternative = true;
      if (this.credentials?.password) command.password = this.credentials.password;
      const ttl = def.ttl ? Number(def.ttl) : undefined;
      let first: CommandEvent;
      answering = true;
      try {
        first = tracker.command(deviceId, command, { ttl, origin: this.id });
      } finally {
        answering = false;
      }
      statusOf(first);
      if (first.status === 'failed') {
        const out = output(first, msg);
        send(out);
        done(new Error(`${deviceId}: ${first.command.type}: ${first.error}`));
        return;
      }
      if (remembered.size >= MAX_REMEMBERED) remembered.delete(remembered.keys().next().value!);
      remembered.set(first.id, msg);
      send(output(first, msg));
      done();
    });

    this.on('close', (_removed: boolean, done: () => void) => {
      tracker.off('command', onCommand);
      this.status({});
      done();
    });

    function buildCommand(d: TrackerCommandDef, n: Node, msg: NodeMessageInFlow): CommandRequest {
      if (!d.command || d.command === 'payload') {
        const p = msg.payload as unknown;
        if (typeof p === 'string') {
          if (!p) throw new Error('msg.payload is an empty string: nothing to send');
          return { type: 'custom', text: p };
        }
        if (p && typeof p === 'object' && typeof (p as CommandRequest).type === 'string')
          return { ...(p as CommandRequest) };
        throw new Error('msg.payload must be a command {type, ...} or a text to send as is');
      }
      const command: CommandRequest = { type: d.command };
      const param = VALUE_PARAM[d.command];
      if (param) {
        const v = RED.util.evaluateNodeProperty(d.value ?? '', d.valueType || 'str', n, msg);
        if (v === undefined || v === '') throw new Error(`${d.command} needs a ${param}`);
        command[param] = param === 'text' ? String(v) : v;
      }
      if (d.command === 'outputControl') command.index = Number(d.index || 1);
      return command;
    }
  }

  RED.nodes.registerType('tracker-command', TrackerCommandNode as any, {
    credentials: { password: { type: 'password' } },
  });
}
