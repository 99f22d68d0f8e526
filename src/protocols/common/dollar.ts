/**
 * `$` followed by a 5-byte BCD terminal ID opens both an H02 binary position and a Jointech JT600 binary frame
 * (docs/protocols/h02.md, "Telling H02 from JT600"). On a connection's first frame each of the two detect
 * functions checks the bytes against both layouts with these helpers; exactly one fitting decides, and the rare
 * frame that fits both is settled by what follows it, then by which reading gives a time nearer the clock.
 */
import { bcdByte, isBcd } from './bcd';
import { deviceTime } from './time';

/** Sizes H02 binary frames come in: 32, 42, 45, 46, 47, 48 with a 5-byte ID. */
export const H02_BINARY_SIZES: readonly number[] = [32, 42, 45, 46, 47, 48];
/** The 8-byte ID layout is only known as 42-byte frames (it is told by that size, as Traccar does). */
export const H02_LONG_ID_SIZES: readonly number[] = [42];

/** The frame sizes an H02 layout (ID shift 0 or 3) comes in. */
export function h02Sizes(shift: number): readonly number[] {
  return shift ? H02_LONG_ID_SIZES : H02_BINARY_SIZES;
}

/** What the layout checks answer besides an ID shift. */
export const NOT_H02 = -1;
export const NEED_MORE = -2;

/** Every field of an H02 binary position in range, the ID being `shift` bytes longer than 5. */
function h02Fits(buf: Buffer, offset: number, shift: number): boolean {
  const at = offset + shift;
  // ID, time, date and latitude are BCD
  if (!isBcd(buf, offset + 1, at + 16)) return false;
  const hour = bcdByte(buf[at + 6]);
  const minute = bcdByte(buf[at + 7]);
  const second = bcdByte(buf[at + 8]);
  const day = bcdByte(buf[at + 9]);
  const month = bcdByte(buf[at + 10]);
  if (hour > 23 || minute > 59 || second > 59 || day < 1 || day > 31 || month < 1 || month > 12) return false;
  if (bcdByte(buf[at + 12]) > 90 || bcdByte(buf[at + 13]) > 59) return false;
  // longitude DDDMM.mmmm in the first nine nibbles of bytes 17-21 (the tenth holds flags)
  if (!isBcd(buf, at + 17, at + 21) || buf[at + 21] >> 4 > 9) return false;
  const lonDegrees = bcdByte(buf[at + 17]) * 10 + (buf[at + 18] >> 4);
  const lonMinutes = (buf[at + 18] & 0x0f) * 10 + (buf[at + 19] >> 4);
  if (lonDegrees > 180 || lonMinutes > 59) return false;
  // speed: byte 22 and the high nibble of 23; course: the low nibble of 23 (hundreds, not checked) and byte 24
  return isBcd(buf, at + 22, at + 23) && buf[at + 23] >> 4 <= 9 && isBcd(buf, at + 24, at + 25);
}

/**
 * Whether the frame at `offset` (`$` or `X`) reads as an H02 binary position: 0 with a 5-byte ID, 3 with an
 * 8-byte ID, NOT_H02 when neither layout fits, NEED_MORE when too few bytes have arrived to tell.
 */
export function h02BinaryLayout(buf: Buffer, offset: number, end: number): number {
  if (end - offset < 25) return NEED_MORE;
  if (h02Fits(buf, offset, 0)) return 0;
  if (end - offset < 28) return NEED_MORE;
  return h02Fits(buf, offset, 3) ? 3 : NOT_H02;
}

/** `$` + the 5 ID bytes of the frame at `offset` starts at `at`: 1 yes, 0 too few bytes to tell, -1 no. */
export function sameDeviceAt(buf: Buffer, offset: number, at: number, end: number): number {
  if (at >= end) return 0;
  if (buf[at] !== 0x24) return -1;
  for (let i = 1; i <= 5; i++) {
    if (at + i >= end) return 0;
    if (buf[at + i] !== buf[offset + i]) return -1;
  }
  return 1;
}

const isLetter = (b: number) => (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);

/** An H02 text message (`*` + two letters + `,`) starts at `at`: 1 yes, 0 too few bytes to tell, -1 no. */
export function h02TextAt(buf: Buffer, at: number, end: number): number {
  if (at >= end) return 0;
  if (buf[at] !== 0x2a) return -1;
  for (let i = 1; i <= 3; i++) {
    if (at + i >= end) return 0;
    if (i < 3 ? !isLetter(buf[at + i]) : buf[at + i] !== 0x2c) return -1;
  }
  return 1;
}

/** Another frame of the same connection starts at `at`: `$` + the same ID, H02 text or JT600 text `(`. */
function followedAt(buf: Buffer, offset: number, at: number, end: number): number {
  if (at >= end) return 0;
  if (buf[at] === 0x28) return 1;
  return Math.max(sameDeviceAt(buf, offset, at, end), h02TextAt(buf, at, end));
}

/** 1 when some H02 frame size is followed by another frame, 0 when that cannot be told yet, -1 when none is. */
function h02Followed(buf: Buffer, offset: number, end: number, shift: number): number {
  let undecided = false;
  for (const size of h02Sizes(shift)) {
    const f = followedAt(buf, offset, offset + size, end);
    if (f === 1) return 1;
    if (f === 0) undecided = true;
  }
  return undecided ? 0 : -1;
}

/**
 * Settles a first frame that fits both layouts (`h02Shift` from h02BinaryLayout; JT600 frame length and the
 * offset of its location block): the reading after which another frame follows, or, when neither or both,
 * the one whose time is nearer the server clock. `more` while the bytes that decide have not all arrived.
 */
export function dollarTieBreak(
  buf: Buffer,
  offset: number,
  end: number,
  h02Shift: number,
  jt600Length: number,
  jt600Block: number,
): 'h02' | 'jt600' | 'more' {
  const h02 = h02Followed(buf, offset, end, h02Shift);
  const jt600 = followedAt(buf, offset, offset + jt600Length, end);
  // the 8-byte ID layout is a 42-byte frame: more bytes that start no frame rule it out
  if (h02Shift && h02 < 0 && end - offset > H02_LONG_ID_SIZES[0]) return 'jt600';
  if (h02 === 1 && jt600 !== 1) return 'h02';
  if (jt600 === 1 && h02 !== 1) return 'jt600';
  if (end - offset < Math.max(jt600Length, 48) + 6) return 'more';
  const b = (i: number) => bcdByte(buf[i]);
  const h = offset + h02Shift;
  const h02Time = deviceTime(2000 + b(h + 11), b(h + 10), b(h + 9), b(h + 6), b(h + 7), b(h + 8));
  const j = jt600Block;
  const jt600Time = deviceTime(2000 + b(j + 2), b(j + 1), b(j), b(j + 3), b(j + 4), b(j + 5));
  const now = Date.now();
  return Math.abs(h02Time - now) <= Math.abs(jt600Time - now) ? 'h02' : 'jt600';
}
