/**
 * The life of a command: checked against its protocol's declaration, sent on the device's live connection or
 * queued until its next message, matched to the device's answers (which the decoders report), expired when no
 * answer comes. Every step is a `CommandEvent`. Knows nothing of sockets: it writes through the device's link.
 */
import { getCodec } from '../protocols';
import type { CommandAnswer, CommandRequest, EncodedCommand } from '../protocols/codec';
import { validateCommand } from '../protocols/common/commands';
import type { ProtocolName } from '../types';
import { CommandQueue, type CommandQueueOptions, type CommandRecord, type CommandStatus } from './command-queue';

/** Why a queued command expired. */
export const NOT_DELIVERED = 'not delivered within its time-to-live';

/** Where a command stands; emitted at every step (`command` event) and returned by `command()`. */
export interface CommandEvent {
  id: string;
  deviceId: string;
  command: CommandRequest;
  /** Who asked (tracker-command node id), when given. */
  origin?: string;
  status: CommandStatus;
  /** The device's answer (`result`, and `delivered`/`failed` acks that carry one). */
  result?: unknown;
  /** Why it failed or expired. */
  error?: string;
  time: string;
}

export interface CommandOptions {
  /** Seconds the command may wait for an offline device (default: the server's commandTtl). */
  ttl?: number;
  origin?: string;
}

/** What the lifecycle needs of a device's connection. */
export interface CommandLink {
  encodeCommand(command: CommandRequest): EncodedCommand;
  write(frames: Buffer[]): boolean;
  /** false: the device cannot be written to yet (a UDP peer that has not proven its address): commands wait. */
  readonly reachable?: boolean;
}

/** Cluster mode: where commands for devices connected elsewhere, or to nobody, go (src/server/cluster.ts). */
export interface CommandRelay {
  /** The protocol of a device the cluster knows (connected to another instance, or seen before). */
  protocolOf(deviceId: string): ProtocolName | undefined;
  /** Queues a checked command where every instance sees it; throws when the device has too many waiting. */
  enqueue(record: CommandRecord): void;
  /** A status of a command this instance delivers for another (`record.issuer`): it goes back there. */
  report(record: CommandRecord, event: CommandEvent): void;
  sweep(now: number): void;
}

export interface CommandLifecycleOptions extends CommandQueueOptions {
  /** Default time-to-live of a queued command, seconds. */
  commandTtl: number;
  /** Seconds to wait for an answer, for the `expired` message. */
  answerTimeout: number;
}

export class CommandLifecycle {
  readonly queue: CommandQueue;
  /** Set in cluster mode: commands for devices not connected here are queued in the cluster instead. */
  relay: CommandRelay | undefined;

  constructor(
    private readonly options: CommandLifecycleOptions,
    /** The device's live, identified connection, if any. */
    private readonly linkOf: (deviceId: string) => CommandLink | undefined,
    private readonly emit: (event: CommandEvent) => void,
  ) {
    this.queue = new CommandQueue(options);
  }

  /**
   * Sends a command on the device's live connection, or queues it when the device is offline. Returns the first
   * status: `sent`, `queued` or `failed` (unknown device, a command its protocol does not declare, bad
   * parameters, queue full: nothing is sent). Later statuses arrive through `emit`.
   */
  command(deviceId: string, command: CommandRequest, options: CommandOptions = {}): CommandEvent {
    const now = Date.now();
    const ttlMs = (options.ttl ?? this.options.commandTtl) * 1000;
    const record = this.queue.newRecord(deviceId, command, ttlMs, now, options.origin);
    if (!command || typeof command.type !== 'string' || !command.type)
      return this.status(record, 'failed', { error: 'a command needs a "type"' });
    const link = this.linkOf(deviceId);
    if (link) return this.sendNow(link, record);
    const protocol = this.relay?.protocolOf(deviceId) ?? this.queue.knownProtocol(deviceId);
    if (!protocol)
      return this.status(record, 'failed', { error: `device ${deviceId} has never connected to this server` });
    try {
      // Checked now against the declaration, so a bad command fails at once, not when the device comes back.
      validateCommand(protocol, getCodec(protocol)?.commands ?? [], command);
      if (this.relay) this.relay.enqueue(record);
      else this.queue.enqueue(record);
    } catch (err) {
      return this.status(record, 'failed', { error: (err as Error).message });
    }
    return this.status(record, 'queued');
  }

  /** Encodes and sends a command now; throws when the device is not connected or it cannot be encoded. */
  sendCommand(deviceId: string, command: CommandRequest): Buffer[] {
    const link = this.linkOf(deviceId);
    if (!link) throw new Error(`device ${deviceId} is not connected`);
    const encoded = link.encodeCommand(command);
    if (!link.write(encoded.frames)) throw new Error(`device ${deviceId}: connection is closing`);
    return encoded.frames;
  }

  /** After a device's frames were decoded: their answers to earlier commands, then what was queued for it. */
  traffic(deviceId: string, link: CommandLink, answers: readonly CommandAnswer[]): void {
    this.queue.seen(deviceId, Date.now());
    for (const answer of answers) {
      const record = this.queue.answer(deviceId, answer.reference, answer.final);
      if (record) this.status(record, answer.status, { result: answer.result });
    }
    if (link.reachable !== false && this.queue.hasQueued(deviceId))
      for (const record of this.queue.takeQueued(deviceId)) this.sendNow(link, record);
  }

  /**
   * Sends a command queued elsewhere (a cluster offer) on the device's connection here; false when the device
   * is not connected here. Its statuses go where `record.issuer` says.
   */
  deliver(record: CommandRecord): boolean {
    const link = this.linkOf(record.deviceId);
    if (!link) return false;
    this.sendNow(link, record);
    return true;
  }

  /**
   * A command queued elsewhere for a device connected here without a connection to write on (a phone): it
   * waits here for the device's next request, as a command issued here would.
   */
  hold(record: CommandRecord): void {
    try {
      this.queue.enqueue(record);
    } catch (err) {
      this.status(record, 'failed', { error: (err as Error).message });
    }
  }

  /** Queued commands past their time-to-live and sent ones never answered become `expired`. */
  sweep(now: number): void {
    this.relay?.sweep(now);
    const { expired, unanswered } = this.queue.sweep(now);
    for (const r of expired) this.status(r, 'expired', { error: NOT_DELIVERED });
    for (const r of unanswered)
      this.status(r, 'expired', { error: `no answer within ${this.options.answerTimeout} s` });
  }

  private sendNow(link: CommandLink, record: CommandRecord): CommandEvent {
    try {
      const encoded = link.encodeCommand(record.command);
      if (!link.write(encoded.frames)) throw new Error('the connection is closing');
      record.reference = encoded.reference;
      record.sentAt = Date.now();
      if (encoded.expectsAnswer) this.queue.await(record);
      return this.status(record, 'sent');
    } catch (err) {
      return this.status(record, 'failed', { error: (err as Error).message });
    }
  }

  /** Records a status and emits it (or, for a command delivered for another instance, sends it back there). */
  status(record: CommandRecord, status: CommandStatus, extra: { result?: unknown; error?: string } = {}): CommandEvent {
    record.status = status;
    const event: CommandEvent = {
      id: record.id,
      deviceId: record.deviceId,
      command: record.command,
      status,
      time: new Date().toISOString(),
    };
    if (record.origin !== undefined) event.origin = record.origin;
    if (extra.result !== undefined) event.result = extra.result;
    if (extra.error !== undefined) event.error = extra.error;
    if (record.issuer !== undefined && this.relay) this.relay.report(record, event);
    else this.emit(event);
    return event;
  }
}
