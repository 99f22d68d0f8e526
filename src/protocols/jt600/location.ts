/**
 * The Jointech 17-byte location block, shared by JT600 binary records and JT/T 808 messages 0x5501/0x5502
 * (docs/protocols/jt600.md): BCD date and time (UTC), BCD latitude DDMMmmmm, BCD longitude
 * DDDMMmmmm with a flags nibble (bit 0 fix, bit 1 north, bit 2 east), BCD speed, course / 2.
 */
import { bcdByte } from '../common/bcd';
import { deviceTime } from '../common/time';

export const LOCATION_BLOCK_LENGTH = 17;

export interface JointechFix {
  /** ms since epoch (NaN when the date is impossible) */
  time: number;
  lat: number;
  lon: number;
  valid: boolean;
  /** knots, as the two BCD digits are read by Traccar (the vendor unit is not documented) */
  speedKnots: number;
  course: number;
}

/** Degrees from ddmm.mmmm written as the integer ddmmmmmm (or dddmmmmmm). */
function coordinate(raw: number): number {
  const degrees = Math.floor(raw / 1000000);
  return degrees + (raw % 1000000) / 10000 / 60;
}

/** Reads the block at `offset`; the caller makes sure 17 bytes are there. */
export function decodeJointechLocation(buf: Uint8Array, offset: number): JointechFix {
  const b = (i: number) => bcdByte(buf[offset + i]);
  const time = deviceTime(2000 + b(2), b(1), b(0), b(3), b(4), b(5));
  const latRaw = ((b(6) * 100 + b(7)) * 100 + b(8)) * 100 + b(9);
  const lonRaw = (((b(10) * 100 + b(11)) * 100 + b(12)) * 100 + b(13)) * 10 + (buf[offset + 14] >> 4);
  const flags = buf[offset + 14] & 0x0f;
  const lat = coordinate(latRaw);
  const lon = coordinate(lonRaw);
  return {
    time,
    lat: flags & 2 ? lat : -lat,
    lon: flags & 4 ? lon : -lon,
    valid: (flags & 1) !== 0,
    speedKnots: b(15),
    course: buf[offset + 16] * 2,
  };
}
