/**
 * GPS103 time rules (docs/protocols/gps103.md, "Time"): reports carry the device's local date and time and the
 * GPS time of day in UTC, without its date. The fix time is the UTC time of day on the UTC day the local clock
 * points at. The device's offset is the server's device clock setting when there is one; otherwise the
 * difference of the two clocks (folded into -12 h..+12 h), which is also remembered for the messages that
 * only carry the local clock (OBD, no-GPS reports).
 */
import type { Connection } from '../codec';
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
 * The local date-time field as if it were UTC (ms), or NaN: `yyMMddHHmm`, `yyMMddHHmmss` or `yy/MM/dd HH:mm`;
 * anything else (`000000000`, empty) is no time.
 */
export function localClock(field: string | undefined): number {
  const m =
    /^(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)(\d\d)?$/.exec(field ?? '') ??
    /^(\d\d)\/(\d\d)\/(\d\d) (\d\d):(\d\d)()$/.exec(field ?? '');
  if (!m) return NaN;
  const [year, month, day, hour, minute] = m.slice(1, 6).map(Number);
  return deviceTime(2000 + year, month, day, hour, minute, Number(m[6] || 0));
}

/** The UTC time of day (ms since midnight) of `hhmmss[.sss]`, or NaN (some firmware writes other numbers there). */
export function utcTimeOfDay(field: string | undefined): number {
  const m = /^(\d\d)(\d\d)(\d\d)(?:\.\d+)?$/.exec(field ?? '');
  if (!m) return NaN;
  const [hour, minute, second] = m.slice(1).map(Number);
  return hour < 24 && minute < 60 && second < 60 ? ((hour * 60 + minute) * 60 + second) * 1000 : NaN;
}

/** Minutes east of UTC for local clock readings: the server's setting, else what the device showed, else 0. */
export function localOffset(conn: Connection<Gps103State>): number {
  return conn.options.timezoneOffset ?? conn.state.learnedOffset ?? 0;
}

/** A local clock reading alone, as UTC ms (NaN stays NaN). */
export function fromLocal(local: number, conn: Connection<Gps103State>): number {
  return local - localOffset(conn) * MINUTE;
}

/** The fix time of a report from its local date-time and its UTC time of day (either may be NaN). */
export function fixTime(local: number, timeOfDay: number, conn: Connection<Gps103State>): number {
  if (Number.isNaN(local)) return Number.isNaN(timeOfDay) ? NaN : nearestTimeOfDay(timeOfDay, conn.now);
  if (Number.isNaN(timeOfDay)) return fromLocal(local, conn);
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
