/**
 * `tracker-command`: sends a command to a device through the shared tracker-server (at once when it is
 * connected, queued until its next message otherwise) and emits every status of it: queued, sent,
 * delivered, result, failed, expired. Thin glue over TrackerServer.command().
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { CODECS, declaredCommands } from '../protocols';
import type { CommandRequest } from '../protocols/codec';
import type { CommandSpec } from '../protocols/common/commands';
import type { CommandEvent } from '../server/tracker-server';
import type { ProtocolName } from '../types';
import { COMMAND_TYPES } from '../vocabulary';
import type { TrackerServerConfigNode } from './tracker-server';
import { dropOldest } from '../lru';

/** A parameter as the editor stores it: a typed input (value and its type: str, num, bool, json, msg...). */
interface ParamInput {
  v: string;
  t: string;
}

interface TrackerCommandDef extends NodeDef {
  server: string;
  /** 'payload' = msg.payload says what to send; otherwise a command type. */
  command: string;
  device: string;
  deviceType: string;
  /** The protocol whose declared commands the editor offered ('' = any). */
  protocol?: string;
  /** The command's parameters by name, as declared by the protocol. */
  params?: Record<string, ParamInput>;
  /** Seconds a command may wait for an offline device; empty = server default. */
  ttl?: string;
  // Flows saved before parameters were declared: one value field, an output index and a checkbox.
  value?: string;
  valueType?: string;
  index?: string;
  alternative?: boolean;
}

interface Credentials {
  password?: string;
}

/** The declaration of a command type: the chosen protocol's, else the first protocol that declares it. */
function specOf(type: string, protocol: string | undefined): CommandSpec | undefined {
  const find = (list: readonly CommandSpec[]) => list.find((c) => c.type === type);
  if (protocol && CODECS.has(protocol as ProtocolName)) return find(declaredCommands(protocol as ProtocolName));
  for (const codec of CODECS.values()) {
    const spec = find(codec.commands);
    if (spec) return spec;
  }
  return undefined;
}

/** Parameters of a flow saved before they were declared: its one value went to the command's first parameter. */
function legacyParams(d: TrackerCommandDef): Record<string, ParamInput> {
  const params: Record<string, ParamInput> = {};
  const spec = specOf(d.command, d.protocol);
  const first = spec?.params.find((p) => !p.hidden && !p.optional && p.default === undefined);
  if (first && d.value !== undefined && d.value !== '') params[first.name] = { v: d.value, t: d.valueType || 'str' };
  if (d.command === 'outputControl' && d.index) params.index = { v: d.index, t: 'num' };
  if (d.alternative) params.alternative = { v: 'true', t: 'bool' };
  return params;
}

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
      // the password credential goes only to protocols whose command takes one (GT06 DYD/HFYD)
      const protocol = tracker.protocolOf(deviceId);
      const takesPassword = protocol && specOf(command.type, protocol)?.params.some((p) => p.name === 'password');
      if (this.credentials?.password && takesPassword) command.password = this.credentials.password;
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
      if (remembered.size >= MAX_REMEMBERED) dropOldest(remembered);
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
      // Each parameter is evaluated as typed; the server checks the whole against the device's protocol.
      const command: CommandRequest = { type: d.command };
      for (const [name, input] of Object.entries(d.params ?? legacyParams(d))) {
        if (!input || input.v === undefined || input.v === '') continue;
        const value = RED.util.evaluateNodeProperty(input.v, input.t || 'str', n, msg);
        if (value !== undefined && value !== '') command[name] = value;
      }
      return command;
    }
  }

  RED.nodes.registerType('tracker-command', TrackerCommandNode as any, {
    credentials: { password: { type: 'password' } },
  });

  // What each protocol declares, for the editor: it offers exactly these commands and parameters.
  RED.httpAdmin.get('/tracker-command/commands', RED.auth.needsPermission('tracker-command.read'), (_req, res) => {
    res.json({
      descriptions: COMMAND_TYPES,
      protocols: Object.fromEntries([...CODECS].map(([name, codec]) => [name, codec.commands])),
    });
  });
}
