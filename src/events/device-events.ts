/**
 * Device events derived on the server, as fleet platforms do: online/offline, ignition edges, moving/stopped,
 * overspeed, new alarms; and per-device figures on every position (platform mileage, today's distance and
 * driving time, start of the current stop). Pure state: no timers, no sockets; the caller feeds records and
 * the clock, and saves `snapshot()` where it likes.
 */
import { distance } from '../geo/geo';
import type { TrackerMessage } from '../types';
import type { AlarmName, DeviceEventName } from '../vocabulary';
import { dropOldest } from '../lru';

export interface DeviceEvent {
  event: DeviceEventName;
  deviceId: string;
  /** When it happened, ISO-8601 UTC (the record's time; the server clock for online/offline). */
  time: string;
  lat?: number;
  lon?: number;
  speed?: number;
  /** `alarm`: the alarm name. */
  alarm?: AlarmName;
  /** `overspeed`: the limit exceeded, km/h. */
  limit?: number;
  /** `stopped`/`moving`: when the stop or the drive began. */
  since?: string;
  /** `offline`: why (`timeout`, or the connection's reason). online/offline: lat/lon are the last valid fix. */
  reason?: string;
  protocol?: string;
}

/** Figures by the server's own reckoning (the names fleet platforms use). */
export interface DerivedFigures {
  /** Distance driven since the server first saw the device, metres. */
  platformMileage: number;
  /** Distance driven today (in the configured time zone), metres. */
  curDayMileage: number;
  /** Time spent driving today, seconds. */
  driveTimeLen: number;
  /** When the current stop began, ISO-8601 UTC; null while moving or before the first stop. */
  stopDriveStartTime: string | null;
  /** The day the daily figures belong to, YYYY-MM-DD in the configured time zone. */
  day: string;
}

export interface DeviceEventOptions {
  /** Seconds without a message before `offline`; 0 = only when the connection closes. */
  offlineAfter?: number;
  /** km/h at or above which a device counts as moving. */
  movingSpeed?: number;
  /** Seconds a device must keep moving before `moving`. */
  moveAfter?: number;
  /** Seconds a device must stay below movingSpeed before `stopped`. */
  stopAfter?: number;
  /** km/h; 0 or unset = no overspeed events unless the device has its own limit. */
  speedLimit?: number;
  /** Per-device limits, km/h, overriding speedLimit. */
  speedLimits?: Record<string, number>;
  /** IANA time zone for the day boundary of the daily figures. */
  timeZone?: string;
  /** Devices remembered at most (the least recently seen is forgotten first), so made-up IDs cannot grow memory. */
  maxDevices?: number;
}

type Motion = 'moving' | 'stopped';

interface DeviceState {
  online: boolean;
  lastSeen: number;
  protocol?: string;
  ignition?: boolean;
  motion?: Motion;
  /** Since when the motion has differed from `motion` (ms), while not yet confirmed. */
  pendingSince?: number;
  /** Since when the current motion state holds (ms). */
  motionSince?: number;
  overspeed?: boolean;
  alarms: string[];
  last?: { lat: number; lon: number; t: number };
  platformMileage: number;
  curDayMileage: number;
  driveTimeLen: number;
  day?: string;
}

export interface DeviceEventSnapshot {
  version: 1;
  devices: Record<string, DeviceState>;
}

/** A snapshot whose devices are the tracker's own map (see `liveSnapshot()`). */
export interface LiveDeviceEventSnapshot {
  version: 1;
  devices: ReadonlyMap<string, unknown>;
}

/** Records that carry the device's whole alarm state; logins and heartbeats can add alarms but not clear them. */
const ALARM_BEARING_TYPES = new Set(['position', 'alarm', 'status']);
/** A jump faster than this between two fixes is a bad fix, not driving. */
const MAX_PLAUSIBLE_KMH = 1000;
/** Longer gaps between positions are not counted as driving time. */
const MAX_DRIVE_GAP_MS = 10 * 60_000;

/** online/offline carry where the device was last seen (valid fix), when known. */
function lastPosition(s: DeviceState): { lat?: number; lon?: number } {
  return s.last ? { lat: s.last.lat, lon: s.last.lon } : {};
}

const finite = (v: unknown): number => (typeof v === 'number' && Number.isFinite(v) ? v : 0);

/** A device state read back from a file or another instance: its figures numbers, its alarms a list. */
function readState(s: unknown): DeviceState | undefined {
  if (!s || typeof s !== 'object') return undefined;
  const d = s as DeviceState;
  if (typeof d.lastSeen !== 'number') return undefined;
  return {
    ...d,
    online: d.online === true,
    alarms: Array.isArray(d.alarms) ? d.alarms.filter((a) => typeof a === 'string') : [],
    platformMileage: finite(d.platformMileage),
    curDayMileage: finite(d.curDayMileage),
    driveTimeLen: finite(d.driveTimeLen),
  };
}

export class DeviceEventTracker {
  private readonly devices = new Map<string, DeviceState>();
  private readonly offlineAfterMs: number;
  private readonly movingSpeed: number;
  private readonly moveAfterMs: number;
  private readonly stopAfterMs: number;
  private readonly dayFormat: Intl.DateTimeFormat;
  /** Last day computed, per quarter hour: UTC offsets in use since 1972 are multiples of 15 minutes, so days change only there. */
  private dayQuarter = NaN;
  private dayName = '';

  constructor(private readonly options: DeviceEventOptions = {}) {
    this.offlineAfterMs = Math.max(0, options.offlineAfter ?? 600) * 1000;
    this.movingSpeed = options.movingSpeed ?? 5;
    this.moveAfterMs = Math.max(0, options.moveAfter ?? 0) * 1000;
    this.stopAfterMs = Math.max(0, options.stopAfter ?? 120) * 1000;
    // en-CA formats dates as YYYY-MM-DD; throws a RangeError for an unknown zone, which the caller reports.
    this.dayFormat = new Intl.DateTimeFormat('en-CA', {
      timeZone: options.timeZone || 'UTC',
      year: 'numeric',
      month: '2-digit',
      day: '2-digit',
    });
  }

  /** A device's connection identified it (server `online`). */
  connected(deviceId: string, protocol: string | undefined, now: number): DeviceEvent[] {
    const s = this.state(deviceId, now);
    s.lastSeen = now;
    if (protocol) s.protocol = protocol;
    return this.markOnline(deviceId, s, now);
  }

  /** A device's connection closed (server `offline`). */
  disconnected(deviceId: string, reason: string | undefined, now: number): DeviceEvent[] {
    const s = this.devices.get(deviceId);
    if (!s?.online) return [];
    s.online = false;
    return [
      {
        event: 'offline',
        deviceId,
        time: new Date(now).toISOString(),
        ...lastPosition(s),
        reason: reason ?? 'closed',
        protocol: s.protocol,
      },
    ];
  }

  /**
   * Devices silent for longer than offlineAfter go offline; call every few seconds. `responsible`: in a cluster,
   * only the devices this instance speaks for (the others' instances report them).
   */
  tick(now: number, responsible?: (deviceId: string) => boolean): DeviceEvent[] {
    if (!this.offlineAfterMs) return [];
    const out: DeviceEvent[] = [];
    for (const [deviceId, s] of this.devices) {
      if (s.online && now - s.lastSeen >= this.offlineAfterMs && (!responsible || responsible(deviceId))) {
        s.online = false;
        out.push({
          event: 'offline',
          deviceId,
          time: new Date(now).toISOString(),
          ...lastPosition(s),
          reason: 'timeout',
          protocol: s.protocol,
        });
      }
    }
    return out;
  }

  /** Feeds one record; returns the events it causes and, for a position, the derived figures. */
  update(m: TrackerMessage, now: number): { events: DeviceEvent[]; derived?: DerivedFigures } {
    const s = this.state(m.deviceId, now);
    s.lastSeen = now;
    s.protocol = m.protocol;
    const events = this.markOnline(m.deviceId, s, now);
    const t = Date.parse(m.time);
    const at = Number.isFinite(t) ? t : now;
    const where = { lat: m.lat, lon: m.lon, speed: m.speed };
    const event = (name: DeviceEventName, extra: Partial<DeviceEvent> = {}): DeviceEvent => ({
      event: name,
      deviceId: m.deviceId,
      time: new Date(at).toISOString(),
      ...where,
      ...extra,
    });

    if (m.ignition !== undefined) {
      if (s.ignition !== undefined && s.ignition !== m.ignition)
        events.push(event(m.ignition ? 'ignitionOn' : 'ignitionOff'));
      s.ignition = m.ignition;
    }

    // Most records carry no alarm and follow one that carried none: nothing to compare then.
    if (m.alarms.length || (s.alarms.length && ALARM_BEARING_TYPES.has(m.type))) {
      const before = new Set(s.alarms);
      const current = new Set(m.alarms);
      for (const a of current) if (!before.has(a)) events.push(event('alarm', { alarm: a }));
      // A position or status record tells the whole current set; others (heartbeats...) only add to it.
      s.alarms = ALARM_BEARING_TYPES.has(m.type) ? [...current] : [...new Set([...s.alarms, ...current])];
    }

    if (m.type !== 'position' || m.lat === undefined || m.lon === undefined) return { events };
    // An archived (blind-area) record is history: it must not move today's state backwards.
    const outOfOrder = s.last !== undefined && at < s.last.t;
    if (outOfOrder || m.attributes?.archive === true) return { events, derived: this.figures(s) };

    const speed = m.speed ?? 0;
    this.rollDay(s, at);
    if (m.valid !== false && s.last) {
      const d = distance(s.last, { lat: m.lat, lon: m.lon });
      const dt = at - s.last.t;
      const plausible = dt <= 0 ? d < 1 : (d / dt) * 3600 <= MAX_PLAUSIBLE_KMH;
      // Only count distance while moving, so GPS drift of a parked vehicle adds nothing.
      if (plausible && (speed >= this.movingSpeed || s.motion === 'moving')) {
        s.platformMileage += d;
        s.curDayMileage += d;
      }
      if (s.motion === 'moving' && dt > 0 && dt <= MAX_DRIVE_GAP_MS) s.driveTimeLen += dt / 1000;
    }
    if (m.valid !== false) s.last = { lat: m.lat, lon: m.lon, t: at };

    const movingNow = speed >= this.movingSpeed;
    if (s.motion === undefined) {
      s.motion = movingNow ? 'moving' : 'stopped';
      s.motionSince = at;
    } else if ((s.motion === 'moving') === movingNow) {
      s.pendingSince = undefined;
    } else {
      s.pendingSince ??= at;
      if (at - s.pendingSince >= (movingNow ? this.moveAfterMs : this.stopAfterMs)) {
        s.motion = movingNow ? 'moving' : 'stopped';
        s.motionSince = s.pendingSince;
        s.pendingSince = undefined;
        events.push(event(s.motion, { since: new Date(s.motionSince).toISOString() }));
      }
    }

    const limit = this.options.speedLimits?.[m.deviceId] ?? this.options.speedLimit ?? 0;
    if (limit > 0 && m.speed !== undefined) {
      if (m.speed > limit && !s.overspeed) events.push(event('overspeed', { limit }));
      s.overspeed = m.speed > limit;
    }
    return { events, derived: this.figures(s) };
  }

  snapshot(): DeviceEventSnapshot {
    return { version: 1, devices: Object.fromEntries(this.devices) };
  }

  /**
   * What `snapshot()` says, with the live map of devices instead of a copy (copying 100,000 of them holds the event
   * loop for tens of ms): for a writer that writes a Map as an object, such as JsonFile. Not for keeping.
   */
  liveSnapshot(): LiveDeviceEventSnapshot {
    return { version: 1, devices: this.devices };
  }

  /** Restores a snapshot; devices marked online stay online until a timeout or a closed connection says otherwise. */
  restore(snapshot: DeviceEventSnapshot | undefined): void {
    if (snapshot?.version !== 1 || typeof snapshot.devices !== 'object') return;
    for (const [id, s] of Object.entries(snapshot.devices)) {
      const state = readState(s);
      if (state) this.devices.set(id, state);
    }
  }

  /** One device's state, to share with the other instances of a cluster. */
  deviceState(deviceId: string): unknown {
    return this.devices.get(deviceId);
  }

  /**
   * Another instance's state of a device (cluster mode). Taken over whole while the device is not connected
   * here (`here` false). While it is, this instance's own state is the newer one; only what the flows were told
   * elsewhere is taken over: that the device went offline there (so it is reported online again here), and
   * mileage that is further along. Returns the events this causes.
   */
  adopt(deviceId: string, shared: unknown, here: boolean, now: number): DeviceEvent[] {
    const remote = shared === undefined ? undefined : readState(shared);
    if (!here) {
      if (shared === undefined) this.devices.delete(deviceId);
      else if (remote) {
        this.devices.delete(deviceId);
        this.state(deviceId, now); // room for it, within maxDevices
        this.devices.set(deviceId, remote);
      }
      return [];
    }
    const mine = this.devices.get(deviceId);
    if (!mine || !remote) return [];
    mine.platformMileage = Math.max(mine.platformMileage, remote.platformMileage);
    if (remote.day === mine.day) {
      mine.curDayMileage = Math.max(mine.curDayMileage, remote.curDayMileage);
      mine.driveTimeLen = Math.max(mine.driveTimeLen, remote.driveTimeLen);
    }
    if (remote.online || !mine.online) return [];
    return [
      { event: 'online', deviceId, time: new Date(now).toISOString(), ...lastPosition(mine), protocol: mine.protocol },
    ];
  }

  /** The device's state, made the most recently seen (delete + set: the first key is the one seen longest ago). */
  private state(deviceId: string, now: number): DeviceState {
    let s = this.devices.get(deviceId);
    if (s) this.devices.delete(deviceId);
    else {
      if (this.devices.size >= (this.options.maxDevices ?? 100000)) dropOldest(this.devices);
      s = { online: false, lastSeen: now, alarms: [], platformMileage: 0, curDayMileage: 0, driveTimeLen: 0 };
    }
    this.devices.set(deviceId, s);
    return s;
  }

  private markOnline(deviceId: string, s: DeviceState, now: number): DeviceEvent[] {
    if (s.online) return [];
    s.online = true;
    return [{ event: 'online', deviceId, time: new Date(now).toISOString(), ...lastPosition(s), protocol: s.protocol }];
  }

  private dayOf(at: number): string {
    const quarter = Math.floor(at / 900000);
    if (quarter !== this.dayQuarter) {
      this.dayQuarter = quarter;
      this.dayName = this.dayFormat.format(at);
    }
    return this.dayName;
  }

  private rollDay(s: DeviceState, at: number): void {
    const day = this.dayOf(at);
    if (s.day !== day) {
      s.day = day;
      s.curDayMileage = 0;
      s.driveTimeLen = 0;
    }
  }

  private figures(s: DeviceState): DerivedFigures {
    return {
      platformMileage: Math.round(s.platformMileage),
      curDayMileage: Math.round(s.curDayMileage),
      driveTimeLen: Math.round(s.driveTimeLen),
      stopDriveStartTime:
        s.motion === 'stopped' && s.motionSince !== undefined ? new Date(s.motionSince).toISOString() : null,
      day: s.day ?? '',
    };
  }
}
