/**
 * Per-device inside/outside state for a set of zones: `geofenceEnter` once when a device has been inside a
 * zone for the dwell time, `geofenceExit` once when it leaves a zone it entered. Pure state, saved with
 * `snapshot()` so a redeploy or restart does not repeat an enter.
 */
import { insideZone, type Zone } from './zones';
import { dropOldest } from '../lru';

export interface GeofenceEvent {
  event: 'geofenceEnter' | 'geofenceExit';
  deviceId: string;
  zone: string;
  /** The position's time, ISO-8601 UTC. */
  time: string;
  lat: number;
  lon: number;
  /** geofenceExit: when the device entered; geofenceEnter: when it crossed in (before any dwell). */
  since: string;
}

interface Presence {
  /** When the device was first seen inside (ms). */
  since: number;
  /** Whether geofenceEnter was emitted (false while the dwell time runs). */
  entered: boolean;
}

export interface GeofenceSnapshot {
  version: 1;
  devices: Record<string, Record<string, Presence>>;
}

/** One device's presence with the time of the position it follows from, as instances share it. */
export interface SharedPresence {
  at: number;
  zones: Record<string, Presence>;
}

export class GeofenceTracker {
  private zones: Zone[] = [];
  private readonly devices = new Map<string, Map<string, Presence>>();
  /** Time of the latest position per device (for sharing: the more recent presence wins). */
  private readonly seenAt = new Map<string, number>();

  /**
   * @param dwellSeconds time a device must stay inside before geofenceEnter (0 = at once).
   * @param maxDevices devices inside some zone remembered at most (the longest-known is forgotten first).
   */
  constructor(
    private readonly dwellSeconds = 0,
    private readonly maxDevices = 100000,
  ) {}

  /** The zones in force. */
  zoneList(): Zone[] {
    return this.zones;
  }

  /** Replaces the zones; state for zones that no longer exist is dropped without events. */
  setZones(zones: Zone[]): void {
    this.zones = zones;
    const names = new Set(zones.map((z) => z.name));
    for (const presence of this.devices.values())
      for (const name of presence.keys()) if (!names.has(name)) presence.delete(name);
  }

  /**
   * One position of a device: the zones it is inside now, the crossings it caused, and whether its remembered
   * presence changed (a zone entered, left, or its dwell begun).
   */
  update(
    deviceId: string,
    lat: number,
    lon: number,
    at: number,
  ): { inside: string[]; events: GeofenceEvent[]; changed: boolean } {
    const seen = this.seenAt.get(deviceId);
    this.seenAt.delete(deviceId);
    this.seenAt.set(deviceId, seen === undefined ? at : Math.max(seen, at));
    if (this.seenAt.size > this.maxDevices) dropOldest(this.seenAt);
    let presence = this.devices.get(deviceId);
    if (!presence) {
      presence = new Map();
      if (this.devices.size >= this.maxDevices) dropOldest(this.devices);
      this.devices.set(deviceId, presence);
    }
    const inside: string[] = [];
    const enters: GeofenceEvent[] = [];
    const exits: GeofenceEvent[] = [];
    const time = new Date(at).toISOString();
    let changed = false;
    const event = (kind: GeofenceEvent['event'], zone: string, since: number): GeofenceEvent => ({
      event: kind,
      deviceId,
      zone,
      time,
      lat,
      lon,
      since: new Date(since).toISOString(),
    });
    for (const zone of this.zones) {
      const p = presence.get(zone.name);
      if (insideZone({ lat, lon }, zone)) {
        inside.push(zone.name);
        const now = p ?? { since: at, entered: false };
        if (!p) {
          presence.set(zone.name, now);
          changed = true;
        }
        if (!now.entered && at - now.since >= this.dwellSeconds * 1000) {
          now.entered = true;
          changed = true;
          enters.push(event('geofenceEnter', zone.name, now.since));
        }
      } else if (p) {
        presence.delete(zone.name);
        changed = true;
        if (p.entered) exits.push(event('geofenceExit', zone.name, p.since));
      }
    }
    if (presence.size === 0) this.devices.delete(deviceId);
    // Leaving one zone for a neighbouring one reads in the order it happened: exits first.
    return { inside, events: [...exits, ...enters], changed };
  }

  snapshot(): GeofenceSnapshot {
    const devices: GeofenceSnapshot['devices'] = {};
    for (const [id, presence] of this.devices) devices[id] = Object.fromEntries(presence);
    return { version: 1, devices };
  }

  restore(snapshot: GeofenceSnapshot | undefined): void {
    if (snapshot?.version !== 1 || typeof snapshot.devices !== 'object') return;
    for (const [id, zones] of Object.entries(snapshot.devices)) this.setPresence(id, zones);
  }

  /** One device's presence, to share with the other instances of a cluster (undefined: no position seen). */
  deviceState(deviceId: string): SharedPresence | undefined {
    const at = this.seenAt.get(deviceId);
    if (at === undefined) return undefined;
    return { at, zones: Object.fromEntries(this.devices.get(deviceId) ?? []) };
  }

  /**
   * Another instance's presence of a device: taken when it follows from a position at least as recent as the
   * last one seen here (the device's own clock orders them, whichever instance read them). True when taken.
   */
  adopt(deviceId: string, shared: unknown): boolean {
    const s = shared as SharedPresence | undefined;
    if (!s || typeof s.at !== 'number' || !Number.isFinite(s.at)) return false;
    const seen = this.seenAt.get(deviceId);
    if (seen !== undefined && seen > s.at) return false;
    this.seenAt.delete(deviceId);
    this.seenAt.set(deviceId, s.at);
    if (this.seenAt.size > this.maxDevices) dropOldest(this.seenAt);
    this.setPresence(deviceId, s.zones);
    return true;
  }

  private setPresence(deviceId: string, zones: unknown): void {
    const presence = new Map<string, Presence>();
    if (zones && typeof zones === 'object')
      for (const [name, p] of Object.entries(zones as Record<string, Presence>))
        if (p && typeof p.since === 'number') presence.set(name, { since: p.since, entered: p.entered === true });
    this.devices.delete(deviceId);
    if (!presence.size) return;
    if (this.devices.size >= this.maxDevices) dropOldest(this.devices);
    this.devices.set(deviceId, presence);
  }
}
