/** Helpers that fill in a record the same way in every codec, and the checks every decoded record passes. */
import type { TrackerMessage } from '../../types';
import type { Attributes } from '../../vocabulary';
import { isoTime } from './time';

/** Removes keys a decoder set to `undefined` (a field the device left empty), so they are absent, not undefined. */
export function pruneAttributes(a: Attributes): void {
  const values = a as Record<string, unknown>;
  for (const key of Object.keys(values)) if (values[key] === undefined) delete values[key];
}

/** What `time` holds when the device sent a date that does not exist (the session reports it). */
const IMPOSSIBLE_TIME = '';

/** Fix times further ahead of the server clock than this are not believed (wrong device clocks, garbage dates). */
export const FUTURE_LIMIT_MS = 25 * 3600000;

/**
 * The device's time of the record; a date that does not exist (month 13, BCD nibbles above 9...) is marked.
 * With the server clock (`now`), a time more than 25 h ahead of it is not believed either: it would win every
 * "latest position" comparison. The record keeps the receive time and the claim goes to `attributes.deviceTime`.
 */
export function setDeviceTime(msg: TrackerMessage, ms: number, now?: number): void {
  if (now !== undefined && ms > now + FUTURE_LIMIT_MS) {
    const claimed = isoTime(ms);
    if (claimed) msg.attributes.deviceTime = claimed;
    return;
  }
  msg.time = Number.isFinite(ms) ? isoTime(ms) : IMPOSSIBLE_TIME;
}

/**
 * Checks what a decoder made of a device's values, whatever the protocol: an impossible coordinate (outside
 * ±90/±180, NaN, Infinity) is never emitted as a fix (the record keeps its other content, without a location,
 * `valid: false`), and an impossible date becomes the receive time. Each is reported.
 */
export function checkRecord(m: TrackerMessage, report: (message: string) => void): void {
  if (m.time === IMPOSSIBLE_TIME) {
    m.time = m.receivedAt;
    report('the device sent a date that does not exist: the receive time is used');
  }
  if (m.lat === undefined && m.lon === undefined) return;
  const lat = m.lat;
  const lon = m.lon;
  if (
    typeof lat === 'number' &&
    typeof lon === 'number' &&
    Number.isFinite(lat) &&
    Number.isFinite(lon) &&
    Math.abs(lat) <= 90 &&
    Math.abs(lon) <= 180
  )
    return;
  delete m.lat;
  delete m.lon;
  m.valid = false;
  if (m.type === 'position') m.type = m.alarms.length ? 'alarm' : 'status';
  report(`impossible coordinates ${String(lat)}, ${String(lon)}: the record is kept without a location`);
}
