/**
 * Devices that report their local time instead of UTC (cheap trackers and watches set by SMS or by their app)
 * show it as fixes a whole number of hours away from when they arrive. The server's device clock option
 * (`timezoneOffset`) corrects them; until it is set, the first live fix of a connection that looks like local
 * time is reported once, with the offset to set.
 */
import { reportError, type Connection, type DecodeOutput } from '../codec';

/** Whole hours (±1..14) by which a fix time is ahead of its receive time, give or take 3 minutes; else 0. */
export function wholeHoursAhead(fixMs: number, receivedMs: number): number {
  const diff = fixMs - receivedMs;
  const hours = Math.round(diff / 3600000);
  if (hours === 0 || Math.abs(hours) > 14) return 0;
  return Math.abs(diff - hours * 3600000) <= 180000 ? hours : 0;
}

/** Per-connection memory of the check (part of a codec's state). */
export interface ClockCheck {
  clockChecked?: boolean;
}

/** Checks the first valid fix of a connection (when no device clock offset is set) and reports local time once. */
export function checkDeviceClock(
  conn: Connection<ClockCheck>,
  fixMs: number,
  out: DecodeOutput,
  protocol: string,
): void {
  if (conn.state.clockChecked || conn.options.timezoneOffset !== undefined || !Number.isFinite(fixMs)) return;
  conn.state.clockChecked = true;
  const hours = wholeHoursAhead(fixMs, conn.now);
  if (hours)
    reportError(
      out,
      conn,
      'suspect',
      `${protocol} fix times are ${Math.abs(hours)} h ${hours > 0 ? 'ahead of' : 'behind'} UTC: the device reports ` +
        `local time; set the server's device clock offset to ${hours * 60} minutes`,
    );
}
