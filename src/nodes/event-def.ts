/** The tracker-in node's event settings (editor strings) and their conversion to DeviceEventTracker options. */
import type { DeviceEventOptions } from '../events/device-events';

export interface TrackerEventDef {
  /** Emit device events on output 2 (default true). */
  events?: boolean;
  /** Add payload.derived (mileage, today's distance and driving time) to positions (default true). */
  derived?: boolean;
  offlineAfter?: string | number;
  movingSpeed?: string | number;
  stopAfter?: string | number;
  speedLimit?: string | number;
  /** "deviceId=limit" pairs separated by commas, spaces or lines. */
  speedLimits?: string;
  /** IANA zone for the day boundary; empty = this machine's zone. */
  timeZone?: string;
}

export interface EventSettings extends DeviceEventOptions {
  enabled: boolean;
  derived: boolean;
}

function number(v: unknown, name: string, fallback: number, min: number, max: number): number {
  if (v === undefined || v === null || v === '') return fallback;
  const n = Number(v);
  if (!Number.isFinite(n) || n < min || n > max)
    throw new RangeError(`${name} must be a number from ${min} to ${max} (got "${String(v)}")`);
  return n;
}

/** Throws a RangeError naming the field when a value is wrong. */
export function parseEventDef(def: TrackerEventDef): EventSettings {
  const speedLimits: Record<string, number> = {};
  for (const pair of (def.speedLimits ?? '').split(/[\s,;]+/).filter(Boolean)) {
    const [id, limit, extra] = pair.split('=');
    if (!id || !limit || extra !== undefined) throw new RangeError(`speed limits: "${pair}" is not deviceId=km/h`);
    speedLimits[id] = number(limit, `speed limit of ${id}`, NaN, 1, 1000);
  }
  const timeZone = (def.timeZone ?? '').trim() || Intl.DateTimeFormat().resolvedOptions().timeZone;
  try {
    new Intl.DateTimeFormat('en', { timeZone });
  } catch {
    throw new RangeError(`unknown time zone "${timeZone}" (use an IANA name such as Europe/Berlin)`);
  }
  return {
    enabled: def.events !== false,
    derived: def.derived !== false,
    offlineAfter: number(def.offlineAfter, 'offline after', 600, 0, 7 * 86400),
    movingSpeed: number(def.movingSpeed, 'moving speed', 5, 0, 1000),
    stopAfter: number(def.stopAfter, 'stopped after', 120, 0, 86400),
    speedLimit: number(def.speedLimit, 'speed limit', 0, 0, 1000),
    speedLimits,
    timeZone,
  };
}
