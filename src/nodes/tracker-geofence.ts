/**
 * `tracker-geofence`: zones (circles and polygons, from the editor or set at runtime from a msg, GeoJSON
 * accepted) and per-device inside/outside state. Output 1: every position, with msg.zones = the zones it is
 * inside; output 2: geofenceEnter / geofenceExit once per crossing (after an optional dwell time). State and
 * runtime zones live in a file under the user directory, so a redeploy or restart repeats no enter.
 * Runtime zones: msg.topic "zones" replaces them all, "zone" adds or replaces (or removes) one by name, and
 * "list zones" is answered on output 1 with the zones in force as GeoJSON (to draw them on a map).
 */
import type { Node, NodeAPI, NodeDef, NodeMessage, NodeMessageInFlow } from 'node-red';
import { GeofenceTracker, type GeofenceSnapshot } from '../geo/geofence';
import { parseZones, type Zone, zoneItems, zonesToGeoJson } from '../geo/zones';
import { JsonFile } from '../server/file-store';
import { STATE_WRITE_MS, stateFile } from './state-file';

interface TrackerGeofenceDef extends NodeDef {
  /** Editor rows: {name, type: 'circle'|'polygon', lat, lon, radius, points: "lat,lon lat,lon ..."} */
  zones?: unknown[];
  /** Seconds inside before geofenceEnter. */
  dwell?: string | number;
  /** What runtime zones from a msg do: replace the editor's zones, or add to them. */
  runtimeZones?: 'replace' | 'add';
}

interface SavedState {
  geofence?: GeofenceSnapshot;
  /** Zones set from messages, as given (re-parsed on load): a "zones" input, or a list of single zones. */
  runtime?: unknown;
}

type In = NodeMessageInFlow & { zones?: unknown; location?: unknown };

/** A coordinate given as a number or a numeric string; anything else (null, '', true...) is none. */
function coordinate(...candidates: unknown[]): number {
  for (const v of candidates) {
    if (typeof v === 'number') return v;
    if (typeof v === 'string' && v.trim() !== '') return Number(v);
  }
  return NaN;
}

/** lat/lon of a position record, a worldmap-style payload, or msg.location. */
function positionOf(msg: In): { deviceId: string; lat: number; lon: number; at: number } | undefined {
  const p = (typeof msg.payload === 'object' && msg.payload !== null ? msg.payload : {}) as Record<string, unknown>;
  const loc = (typeof msg.location === 'object' && msg.location !== null ? msg.location : {}) as Record<
    string,
    unknown
  >;
  const lat = coordinate(p.lat, p.latitude, loc.lat, loc.latitude);
  const lon = coordinate(p.lon, p.lng, p.longitude, loc.lon, loc.lng, loc.longitude);
  if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return undefined;
  if (p.valid === false) return undefined;
  const deviceId = String(p.deviceId ?? p.name ?? msg.topic ?? '');
  const t = Date.parse(String(p.time ?? ''));
  return { deviceId, lat, lon, at: Number.isFinite(t) ? t : Date.now() };
}

export default function register(RED: NodeAPI): void {
  function TrackerGeofenceNode(this: Node, def: TrackerGeofenceDef) {
    RED.nodes.createNode(this, def);
    const dwell = Number(def.dwell || 0);
    const tracker = new GeofenceTracker(Number.isFinite(dwell) && dwell > 0 ? dwell : 0);
    let editorZones: Zone[] = [];
    try {
      editorZones = parseZones(def.zones ?? []);
    } catch (err) {
      this.error(`tracker-geofence: ${(err as Error).message}`);
    }
    const store = new JsonFile<SavedState>(stateFile(RED, 'tracker-geofence', this.id), STATE_WRITE_MS, (err) =>
      this.warn(`tracker-geofence: state file: ${err.message}`),
    );
    const saved = store.load() ?? {};
    let runtimeInput: unknown = saved.runtime;
    let runtimeZones: Zone[] = [];
    if (runtimeInput !== undefined) {
      try {
        runtimeZones = parseZones(runtimeInput);
      } catch {
        runtimeInput = undefined;
      }
    }
    const applyZones = () => {
      const byName = new Map<string, Zone>();
      if (def.runtimeZones !== 'replace' || runtimeInput === undefined)
        for (const z of editorZones) byName.set(z.name, z);
      for (const z of runtimeZones) byName.set(z.name, z);
      tracker.setZones([...byName.values()]);
      this.status({ fill: 'grey', shape: 'ring', text: `${byName.size} zone${byName.size === 1 ? '' : 's'}` });
    };
    applyZones();
    tracker.restore(saved.geofence);
    const changed = () => store.save(() => ({ geofence: tracker.snapshot(), runtime: runtimeInput }));

    /** msg.topic "zone": one zone (or several) added, replacing runtime zones of the same name; {name, remove: true} removes. */
    const upsert = (update: unknown) => {
      const items = runtimeInput === undefined ? [] : zoneItems(runtimeInput);
      const removal =
        (typeof update === 'object' && update !== null && (update as { remove?: unknown }).remove) === true;
      const name = removal ? String((update as { name?: unknown }).name ?? '') : '';
      if (removal && !name) throw new Error('a zone to remove needs its name');
      const added = removal ? [] : zoneItems(update);
      const addedNames = new Set(removal ? [name] : parseZones(added).map((z) => z.name));
      const kept = items.filter((_, i) => !addedNames.has(runtimeZones[i]?.name));
      return [...kept, ...added];
    };

    this.on('input', (msg: In, send, done) => {
      if (msg.topic === 'list zones') {
        const fromMsg = new Set(runtimeZones.map((z) => z.name));
        msg.topic = 'zones';
        msg.payload = zonesToGeoJson(tracker.zoneList(), (z) => ({ source: fromMsg.has(z.name) ? 'msg' : 'editor' }));
        send([msg, null]);
        done();
        return;
      }
      const pos = msg.topic === 'zones' || msg.topic === 'zone' ? undefined : positionOf(msg);
      // Zones at runtime: msg.topic "zones" with the zones in msg.payload, or msg.zones without a position.
      const zoneUpdate = msg.topic === 'zones' ? msg.payload : pos === undefined ? msg.zones : undefined;
      if (msg.topic === 'zone' || zoneUpdate !== undefined) {
        try {
          const input =
            msg.topic === 'zone' ? upsert(msg.payload) : zoneUpdate === null || zoneUpdate === '' ? [] : zoneUpdate;
          runtimeZones = parseZones(input);
          runtimeInput = runtimeZones.length ? (msg.topic === 'zone' ? input : zoneUpdate) : undefined;
          applyZones();
          changed();
          done();
        } catch (err) {
          done(new Error(`tracker-geofence: zones not changed: ${(err as Error).message}`));
        }
        return;
      }
      if (!pos) {
        // Not a position (login, heartbeat, a fix-less record): passed on without zones.
        send([msg, null]);
        done();
        return;
      }
      if (!pos.deviceId) {
        done(new Error('tracker-geofence: no device id (msg.topic or msg.payload.deviceId) for this position'));
        return;
      }
      const { inside, events } = tracker.update(pos.deviceId, pos.lat, pos.lon, pos.at);
      msg.zones = inside;
      send([msg, null]);
      changed();
      if (events.length) {
        for (const e of events) send([null, { topic: e.deviceId, payload: e } as NodeMessage]);
        const last = events[events.length - 1];
        this.status({
          fill: last.event === 'geofenceEnter' ? 'green' : 'yellow',
          shape: 'dot',
          text: `${last.deviceId} ${last.event === 'geofenceEnter' ? 'entered' : 'left'} ${last.zone}`.slice(0, 40),
        });
      }
      done();
    });

    this.on('close', (removed: boolean, done: () => void) => {
      if (removed) store.remove();
      else store.flush();
      done();
    });
  }

  RED.nodes.registerType('tracker-geofence', TrackerGeofenceNode as any);
}
