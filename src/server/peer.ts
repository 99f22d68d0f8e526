/** A TCP connection or a UDP peer: one session, one device at most, and a way to write back. */
import type { Socket as UdpSocket } from 'node:dgram';
import type { Socket } from 'node:net';
import type { CommandRequest, EncodedCommand } from '../protocols/codec';
import { TrackerSession } from '../session';
import type { SessionOptions } from '../types';
import type { DeviceLink, PeerInfo, Transport } from './registry';

/** Bytes queued to a TCP device that does not read; past this the connection is closed. */
export const MAX_PENDING_WRITE = 1024 * 1024;

export abstract class Peer implements DeviceLink {
  readonly info: PeerInfo;
  readonly session: TrackerSession;
  readonly createdAt: number;
  lastSeen: number;
  deviceId: string | undefined;
  closed = false;
  /** The session's byte and junk counts when the device identified itself (-1: not yet); see the junk rule. */
  bytesAtIdentity = -1;
  junkAtIdentity = 0;
  /** It can receive what is written to it (a UDP peer must prove it first, see UdpPeer). */
  get reachable(): boolean {
    return true;
  }

  constructor(id: string, transport: Transport, address: string, port: number, options: SessionOptions, now: number) {
    this.info = { connectionId: id, transport, remoteAddress: plainAddress(address), remotePort: port };
    // The server passes one options object per transport, shared by all its sessions (memory per device).
    this.session = new TrackerSession(options.transport === transport ? options : { ...options, transport });
    this.createdAt = now;
    this.lastSeen = now;
  }

  /** A command for the device on this connection (see CommandLifecycle). */
  encodeCommand(command: CommandRequest): EncodedCommand {
    return this.session.encodeCommand(command);
  }

  abstract write(data: Buffer[]): boolean;
  /**
   * Closes the connection; `farewell` (a refusal the protocol defines) is written first. An empty farewell: nothing
   * more is said, but what was written before still goes out (replies to the frames served before a refusal).
   */
  abstract close(reason: string, farewell?: Buffer): void;
}

export class TcpPeer extends Peer {
  constructor(
    id: string,
    readonly socket: Socket,
    options: SessionOptions,
    now: number,
    private readonly onClose: (peer: TcpPeer, reason: string) => void,
    /** The device's real endpoint when a trusted balancer's PROXY header named it. */
    source?: { address: string; port: number },
  ) {
    super(
      id,
      'tcp',
      source?.address ?? socket.remoteAddress ?? '',
      source?.port ?? socket.remotePort ?? 0,
      options,
      now,
    );
    socket.once('close', () => this.finish('closed by device'));
  }

  private closeReason: string | undefined;

  write(data: Buffer[]): boolean {
    const s = this.socket;
    if (this.closed || !s.writable) return false;
    if (s.writableLength > MAX_PENDING_WRITE) {
      this.close('not reading its replies');
      return false;
    }
    if (data.length === 1) s.write(data[0]);
    else {
      s.cork();
      for (const b of data) s.write(b);
      s.uncork();
    }
    return true;
  }

  close(reason: string, farewell?: Buffer): void {
    const s = this.socket;
    if (this.closeReason === undefined) {
      this.closeReason = reason;
      if (farewell && s.writable) {
        // nothing more is read; the connection ends once the last word is out (a second close cuts it short)
        s.pause();
        s.end(farewell, () => s.destroy());
        return;
      }
    }
    s.destroy();
  }

  private finish(fallback: string): void {
    if (this.closed) return;
    this.closed = true;
    this.onClose(this, this.closeReason ?? fallback);
  }
}

/**
 * A UDP peer: an address and port. Its source address may be forged, so until it has proven that it receives at
 * that address (a datagram from it after our first one went out), everything written to it, replies, resend
 * requests, commands and refusals alike, has a budget: no more bytes sent than received from it. The port cannot
 * be used to reflect larger traffic at a third party. What does not fit is not sent (`onWithheld`).
 */
export class UdpPeer extends Peer {
  constructor(
    id: string,
    private readonly socket: UdpSocket,
    address: string,
    port: number,
    options: SessionOptions,
    now: number,
    private readonly onClose: (peer: UdpPeer, reason: string) => void,
    private readonly onWithheld: (peer: UdpPeer, bytes: number) => void,
  ) {
    super(id, 'udp', address, port, options, now);
    this.rawAddress = address;
    this.key = udpPeerKey(address, port);
  }

  private readonly rawAddress: string;
  /** Key of this peer in the server's map. */
  readonly key: string;
  /** Bytes received from the peer and sent to it, for the budget. */
  receivedBytes = 0;
  sentBytes = 0;
  /** It sent a datagram after our first one went out: it receives at its address; the budget no longer holds. */
  proven = false;
  /** Withheld bytes were reported for this peer (once). */
  withheldReported = false;

  override get reachable(): boolean {
    return this.proven;
  }

  /** A datagram of `size` bytes came from the peer: before it is decoded, so its replies may use the budget. */
  datagram(size: number): void {
    if (this.sentBytes > 0) this.proven = true;
    this.receivedBytes += size;
  }

  /** Replies go only to the address and port the datagrams came from, within the budget until proven. */
  write(data: Buffer[]): boolean {
    if (this.closed) return false;
    for (let i = 0; i < data.length; i++) {
      const b = data[i];
      if (!this.proven && this.sentBytes + b.length > this.receivedBytes) {
        let withheld = 0;
        for (let j = i; j < data.length; j++) withheld += data[j].length;
        this.onWithheld(this, withheld);
        return false;
      }
      this.sentBytes += b.length;
      this.socket.send(b, this.info.remotePort, this.rawAddress, () => {
        /* a send failure to one peer is not an error of the server: the device will retry */
      });
    }
    return true;
  }

  close(reason: string, farewell?: Buffer): void {
    if (this.closed) return;
    if (farewell?.length) this.write([farewell]);
    this.closed = true;
    this.onClose(this, reason);
  }
}

/** `::ffff:1.2.3.4` (IPv4 on a dual-stack socket) shown as `1.2.3.4`. */
function plainAddress(address: string): string {
  return address.startsWith('::ffff:') && address.includes('.') ? address.slice(7) : address;
}

export function udpPeerKey(address: string, port: number): string {
  return `${address}|${port}`;
}
