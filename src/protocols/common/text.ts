/** Text encodings trackers use besides ASCII. */
import { decode, encode } from 'iconv-lite';

/** UTF-16 big-endian (GT06 0x21, JT/T 808 0x1300). */
export function utf16be(b: Uint8Array): string {
  const swapped = Buffer.from(b.subarray(0, b.length & ~1));
  swapped.swap16();
  return swapped.toString('utf16le');
}

/** GBK, the encoding of JT/T 808 strings. */
export function gbk(b: Uint8Array): string {
  return decode(Buffer.from(b.buffer, b.byteOffset, b.byteLength), 'gbk');
}

export function gbkEncode(text: string): Buffer {
  return encode(text, 'gbk');
}

/** Trims whitespace and control characters (NUL padding included) from both ends, as fixed-width fields need. */
export function trimControl(s: string): string {
  return s.replace(/^[\x00-\x20]+|[\x00-\x20]+$/g, '');
}

/** CR, LF or space: what text protocols send after a message, or on their own between messages. */
export function isBlank(b: number): boolean {
  return b === 0x0d || b === 0x0a || b === 0x20;
}

/** Where the run of blanks that starts at `from` ends (the blanks a message's frame takes with it). */
export function afterBlanks(buf: Uint8Array, from: number, end: number): number {
  let i = from;
  while (i < end && isBlank(buf[i])) i++;
  return i;
}

/** The two decimal digits of `s` at `at` as a number, or NaN (date and time fields of the text protocols). */
export function twoDigits(s: string, at: number): number {
  const a = s.charCodeAt(at) - 48;
  const b = s.charCodeAt(at + 1) - 48;
  return a >= 0 && a <= 9 && b >= 0 && b <= 9 ? a * 10 + b : NaN;
}
