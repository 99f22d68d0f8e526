/**
 * Per-device inside/outside state for a set of zones: `geofenceEnter` once when a device has been inside a
 * zone for the dwell time, `geofenceExit` once when it leaves a zone it entered. Pure state, saved with
 * `snapshot()` so a redeploy or restart does not repeat an enter.
 */
import { insideZone, type Zone } from './zones';

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

export class GeofenceTracker {
  private zones: Zone[] = [];
  private readonly devices = new Map<string, Map<string, Presence>>();

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

  /** One position of a device: the zones it is inside now, and the crossings it caused. */
  update(deviceId: string, lat: number, lon: number, at: number): { inside: string[]; events: GeofenceEvent[] } {
    let presence = this.devices.get(deviceId);
    if (!presence) {
      presence = new Map();
      if (this.devices.size >= this.maxDevices) this.devices.delete(this.devices.keys().next().value!);
      this.devices.set(deviceId, presence);
    }
    const inside: string[] = [];
    const enters: GeofenceEvent[] = [];
    const exits: GeofenceEvent[] = [];
    const time = new Date(at).toISOString();
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
        if (!p) presence.set(zone.name, now);
        if (!now.entered && at - now.since >= this.dwellSeconds * 1000) {
          now.entered = true;
          enters.push(event('geofenceEnter', zone.name, now.since));
        }
      } else if (p) {
        presence.delete(zone.name);
        if (p.entered) exits.push(event('geofenceExit', zone.name, p.since));
      }
    }
    if (presence.size === 0) this.devices.delete(deviceId);
    // Leaving one zone for a neighbouring one reads in the order it happened: exits first.
    return { inside, events: [...exits, ...enters] };
  }

  snapshot(): GeofenceSnapshot {
    const devices: GeofenceSnapshot['devices'] = {};
    for (const [id, presence] of this.devices) devices[id] = Object.fromEntries(presence);
    return { version: 1, devices };
  }

  restore(snapshot: GeofenceSnapshot | undefined): void {
    if (snapshot?.version !== 1 || typeof snapshot.devices !== 'object') return;
    for (const [id, zones] of Object.entries(snapshot.devices)) {
      const presence = new Map<string, Presence>();
      for (const [name, p] of Object.entries(zones ?? {}))
        if (p && typeof p.since === 'number') presence.set(name, { since: p.since, entered: p.entered === true });
      if (presence.size) this.devices.set(id, presence);
    }
  }
}
