/** Packed BCD helpers. Nibbles above 9 are read arithmetically (as devices and Traccar do), never rejected. */

/** Value of one packed-BCD byte (0x59 -> 59). */
export function bcdByte(b: number): number {
  return (b >> 4) * 10 + (b & 0x0f);
}

/** One packed-BCD byte of a number 0-99 (59 -> 0x59). */
export function toBcdByte(n: number): number {
  return ((Math.floor(n / 10) % 10) << 4) | (n % 10);
}

/** Decimal digits of packed BCD bytes as a string ("0123456789" for 01 23 45 67 89). */
export function bcdDigits(buf: Uint8Array, start: number, end: number): string {
  let s = '';
  for (let i = start; i < end; i++) {
    const b = buf[i];
    s += HEX[b >> 4] + HEX[b & 0x0f];
  }
  return s;
}

/** Number made of packed BCD bytes (at most 7 bytes so the result stays exact). */
export function bcdNumber(buf: Uint8Array, start: number, end: number): number {
  let v = 0;
  for (let i = start; i < end; i++) v = v * 100 + bcdByte(buf[i]);
  return v;
}

/** True when every nibble of the range is a decimal digit. */
export function isBcd(buf: Uint8Array, start: number, end: number): boolean {
  for (let i = start; i < end; i++) {
    const b = buf[i];
    if (b >> 4 > 9 || (b & 0x0f) > 9) return false;
  }
  return true;
}

/** Encodes a string of decimal digits as packed BCD, left-padded with zeros to `bytes` bytes. */
export function toBcd(digits: string, bytes: number): Buffer {
  const padded = digits.padStart(bytes * 2, '0').slice(-bytes * 2);
  return Buffer.from(padded, 'hex');
}

const HEX = '0123456789abcdef';
