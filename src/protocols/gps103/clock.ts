/**
 * GPS103 time rules (docs/protocols/gps103.md, "Time"): reports carry the device's local date and time and the
 * GPS time of day in UTC, without its date. The fix time is the UTC time of day on the UTC day the local clock
 * points at. The device's offset is the server's device clock setting when there is one; otherwise the
 * difference of the two clocks (folded into -12 h..+12 h), which is also remembered for the messages that
 * only carry the local clock (OBD, no-GPS reports).
 */
import type { Connection } from '../codec';
import { twoDigits } from '../common/text';
import { deviceTime, nearestTimeOfDay } from '../common/time';

export interface Gps103State {
  /** The device clock's offset (minutes east of UTC) as its last report with both clocks showed. */
  learnedOffset?: number;
  /** A photo being received: packets announced by `vtNN`, data so far. */
  photo?: { packets: number; parts: Buffer[]; bytes: number };
}

const MINUTE = 60000;
const DAY_MINUTES = 1440;

/**
 * The local date-time field as if it were UTC (ms): `yyMMddHHmm`, `yyMMddHHmmss` or `yy/MM/dd HH:mm`; NaN for
 * such a field that is no date (month 13...); undefined for anything else (`000000000`, empty: no time).
 */
export function localClock(field: string | undefined): number | undefined {
  const s = field ?? '';
  let at: readonly number[];
  if ((s.length === 10 || s.length === 12) && /^\d+$/.test(s)) at = s.length === 10 ? PACKED : PACKED_SECONDS;
  else if (/^\d\d\/\d\d\/\d\d \d\d:\d\d$/.test(s)) at = SLASHED;
  else return undefined;
  if (/^0+$/.test(s)) return undefined;
  const v = at.map((i) => twoDigits(s, i));
  return deviceTime(2000 + v[0], v[1], v[2], v[3], v[4], v[5] ?? 0);
}
const PACKED = [0, 2, 4, 6, 8];
const PACKED_SECONDS = [0, 2, 4, 6, 8, 10];
const SLASHED = [0, 3, 6, 9, 12];

/**
 * The UTC time of day (ms since midnight) of `hhmmss[.sss]`; NaN for such a field out of range; undefined for
 * anything else (some firmware writes other numbers there: `31.0`, `0.0`).
 */
export function utcTimeOfDay(field: string | undefined): number | undefined {
  const s = field ?? '';
  if (!/^\d{6}(?:\.\d+)?$/.test(s)) return undefined;
  const hour = twoDigits(s, 0);
  const minute = twoDigits(s, 2);
  const second = twoDigits(s, 4);
  return hour < 24 && minute < 60 && second < 60 ? ((hour * 60 + minute) * 60 + second) * 1000 : NaN;
}

/** Minutes east of UTC for local clock readings: the server's setting, else what the device showed, else 0. */
export function localOffset(conn: Connection<Gps103State>): number {
  return conn.options.timezoneOffset ?? conn.state.learnedOffset ?? 0;
}

/** A local clock reading alone, as UTC ms (NaN and undefined stay so). */
export function fromLocal(local: number | undefined, conn: Connection<Gps103State>): number | undefined {
  return local === undefined ? undefined : local - localOffset(conn) * MINUTE;
}

/**
 * The fix time of a report from its local date-time and its UTC time of day; undefined when it has neither,
 * NaN when one of them is no time at all.
 */
export function fixTime(
  local: number | undefined,
  timeOfDay: number | undefined,
  conn: Connection<Gps103State>,
): number | undefined {
  if (local === undefined) return timeOfDay === undefined ? undefined : nearestTimeOfDay(timeOfDay, conn.now);
  if (timeOfDay === undefined) return fromLocal(local, conn);
  if (Number.isNaN(local) || Number.isNaN(timeOfDay)) return NaN;
  const setting = conn.options.timezoneOffset;
  if (setting !== undefined) return nearestTimeOfDay(timeOfDay, local - setting * MINUTE);
  // the local seconds are ignored: the report may lag the fix by a few seconds
  const localMinute = Math.floor(local / MINUTE);
  let offset = (((localMinute % DAY_MINUTES) + DAY_MINUTES) % DAY_MINUTES) - Math.floor(timeOfDay / MINUTE);
  if (offset <= -DAY_MINUTES / 2) offset += DAY_MINUTES;
  else if (offset > DAY_MINUTES / 2) offset -= DAY_MINUTES;
  conn.state.learnedOffset = Math.round(offset / 15) * 15;
  return (localMinute - offset) * MINUTE + (timeOfDay % MINUTE);
}
