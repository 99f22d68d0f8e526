/** What H02 text and binary messages share: the status word, the device clock, reply times. */
import type { Connection } from '../codec';
import { alarmsOf } from '../common/flags';
import type { TrackerMessage } from '../../types';
import { H02_ALARMS, IGNITION_BIT } from './flags';

/** H02 sessions keep nothing between frames beyond the device ID the session holds. */
export type H02State = Record<string, never>;

/** Status word: kept raw (`status`, for tracker-flags), alarms named by the flag table, the ignition bit. */
export function applyStatus(m: TrackerMessage, word: number): void {
  m.status = word;
  m.attributes.status = word;
  alarmsOf(word, H02_ALARMS, m.alarms);
  m.ignition = ((word >>> IGNITION_BIT) & 1) === 1;
}

/** Minutes east of UTC of the device clock: the server's setting, else UTC (what H02 devices should send). */
export function deviceClockOffset(conn: Connection<H02State>): number {
  return conn.options.timezoneOffset ?? 0;
}

const two = (n: number) => String(n).padStart(2, '0');

/** The server clock as `yyyyMMddHHmmss` in UTC, worked out once per second (every reply carries it). */
let formattedSecond = NaN;
let formatted = '';

/** `yyyyMMddHHmmss` of a time in UTC. */
export function yyyymmddhhmmss(ms: number): string {
  const second = Math.floor(ms / 1000);
  if (second !== formattedSecond) {
    const d = new Date(second * 1000);
    formatted = `${d.getUTCFullYear()}${two(d.getUTCMonth() + 1)}${two(d.getUTCDate())}${two(d.getUTCHours())}${two(d.getUTCMinutes())}${two(d.getUTCSeconds())}`;
    formattedSecond = second;
  }
  return formatted;
}

/** `HHmmss` of a time in UTC. */
export function hhmmss(ms: number): string {
  return yyyymmddhhmmss(ms).slice(8);
}
