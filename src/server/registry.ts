/** Which device is on which connection: the lookup that commands and status displays use. */
import type { ProtocolName } from '../types';

export type Transport = 'tcp' | 'udp';

/** One live TCP connection or UDP peer, as the registry and events see it. */
export interface PeerInfo {
  /** Unique per connection / UDP peer for the server's lifetime. */
  connectionId: string;
  transport: Transport;
  remoteAddress: string;
  remotePort: number;
  /** With the `flag` identity policy: false for devices outside the allow-list. */
  known?: boolean;
}

export interface DeviceInfo extends PeerInfo {
  deviceId: string;
  protocol: ProtocolName;
  /** When this connection identified as the device (ms since epoch). */
  connectedAt: number;
  /** Last bytes received from it (ms since epoch). */
  lastSeen: number;
}

/** A connection that can carry bytes to its device. */
export interface DeviceLink {
  readonly info: PeerInfo;
  lastSeen: number;
  write(data: Buffer[]): boolean;
  close(reason: string): void;
}

interface Entry {
  deviceId: string;
  protocol: ProtocolName;
  connectedAt: number;
  link: DeviceLink;
}

export class DeviceRegistry {
  private readonly byId = new Map<string, Entry>();

  get size(): number {
    return this.byId.size;
  }

  /**
   * Binds a device to a connection. Returns the link it replaced (the device logged in again from another
   * socket: the newer wins and the caller closes the older one), or undefined.
   */
  bind(deviceId: string, protocol: ProtocolName, link: DeviceLink, now: number): DeviceLink | undefined {
    const old = this.byId.get(deviceId);
    if (old && old.link === link) return undefined;
    this.byId.set(deviceId, { deviceId, protocol, connectedAt: now, link });
    return old?.link;
  }

  /** Forgets the device if it is still bound to this link; true when it was. */
  unbind(deviceId: string, link: DeviceLink): boolean {
    const e = this.byId.get(deviceId);
    if (!e || e.link !== link) return false;
    this.byId.delete(deviceId);
    return true;
  }

  link(deviceId: string): DeviceLink | undefined {
    return this.byId.get(deviceId)?.link;
  }

  get(deviceId: string): DeviceInfo | undefined {
    const e = this.byId.get(deviceId);
    return e && toInfo(e);
  }

  list(): DeviceInfo[] {
    return [...this.byId.values()].map(toInfo);
  }

  clear(): void {
    this.byId.clear();
  }
}

function toInfo(e: Entry): DeviceInfo {
  return {
    deviceId: e.deviceId,
    protocol: e.protocol,
    connectedAt: e.connectedAt,
    lastSeen: e.link.lastSeen,
    ...e.link.info,
  };
}
