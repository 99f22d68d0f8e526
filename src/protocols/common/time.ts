/** Time helpers shared by the codecs. */

/**
 * UTC milliseconds for a device clock reading taken in a zone `offsetMinutes` east of UTC.
 * Returns NaN for impossible dates so callers can flag them.
 */
export function deviceTime(
  year: number,
  month: number,
  day: number,
  hour: number,
  minute: number,
  second: number,
  offsetMinutes = 0,
): number {
  if (month < 1 || month > 12 || day < 1 || day > 31 || hour > 23 || minute > 59 || second > 60) return NaN;
  return Date.UTC(year, month - 1, day, hour, minute, second) - offsetMinutes * 60000;
}

let cachedMs = NaN;
let cachedIso = '';

/** ISO-8601 string of a timestamp; repeated calls for the same millisecond reuse the string (hot path). */
export function isoTime(ms: number): string {
  if (ms !== cachedMs) {
    cachedMs = ms;
    cachedIso = Number.isFinite(ms) ? new Date(ms).toISOString() : '';
  }
  return cachedIso;
}
