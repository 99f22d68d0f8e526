/**
 * JT/T 808 message header (docs/protocols/jt808.md) and the builder of every platform message:
 * 2011/2013 headers with a 6-byte BCD phone number, 2019 headers with a version byte and a 10-byte ID,
 * sub-package fields, and the XOR check code.
 */
import { isBcd } from '../common/bcd';
import { xor8 } from '../common/checksum';
import { escapeFrame } from './frame';

export interface Header {
  msgId: number;
  props: number;
  bodyLength: number;
  /** 2019 version byte, when the properties' bit 14 says the header is 2019. */
  version: number | undefined;
  /** The terminal ID bytes exactly as received (6, 7 or 10). */
  idBytes: Buffer;
  serial: number;
  /** Sub-package total and index (1-based), when properties bit 13 is set. */
  packageTotal: number;
  packageIndex: number;
  /** Where the body starts. */
  bodyStart: number;
}

export const SUBPACKAGE = 0x2000;
export const VERSION_2019 = 0x4000;

/**
 * Parses the header of an unescaped message (without delimiters). Returns undefined when it is too short.
 * 0x5501/0x5502 (Jointech) carry a 1-byte serial; `e7` frames a 7-byte ID.
 */
export function parseHeader(m: Buffer, alternative: boolean): Header | undefined {
  if (m.length < 4) return undefined;
  const msgId = m.readUInt16BE(0);
  const props = m.readUInt16BE(2);
  let at = 4;
  let version: number | undefined;
  if (props & VERSION_2019) {
    if (m.length < 5) return undefined;
    version = m[at++];
  }
  const idLength = version !== undefined ? 10 : alternative ? 7 : 6;
  const shortSerial = msgId === 0x5501 || msgId === 0x5502;
  const need = at + idLength + (shortSerial ? 1 : 2) + (props & SUBPACKAGE ? 4 : 0);
  if (m.length < need) return undefined;
  const idBytes = m.subarray(at, at + idLength);
  at += idLength;
  const serial = shortSerial ? m[at] : m.readUInt16BE(at);
  at += shortSerial ? 1 : 2;
  let packageTotal = 0;
  let packageIndex = 0;
  if (props & SUBPACKAGE) {
    packageTotal = m.readUInt16BE(at);
    packageIndex = m.readUInt16BE(at + 2);
    at += 4;
  }
  return {
    msgId,
    props,
    bodyLength: props & 0x3ff,
    version,
    idBytes,
    serial,
    packageTotal,
    packageIndex,
    bodyStart: at,
  };
}

/**
 * The terminal's ID as digits: the BCD phone number, or, for terminals that put a binary IMEI in the six
 * bytes, that 48-bit number with its Luhn check digit (as Traccar does). Leading zeros are dropped.
 */
export function decodeTerminalId(id: Buffer): string {
  if (isBcd(id, 0, id.length)) {
    const digits = id.toString('hex').replace(/^0+/, '');
    return digits || '0';
  }
  let value = 0;
  for (let i = 0; i < Math.min(id.length, 6); i++) value = value * 256 + id[i];
  const s = String(value);
  return s + luhn(s);
}

/** Luhn check digit of a string of digits. */
function luhn(digits: string): number {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = digits.charCodeAt(digits.length - 1 - i) - 48;
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return (10 - (sum % 10)) % 10;
}

/**
 * ID bytes for a device known only by its ID string (a queued command before the device spoke on this
 * connection): 10 BCD bytes in a 2019 session; else 6 BCD bytes, or, for a 15-digit IMEI (odd length),
 * the binary form without its check digit.
 */
export function encodeTerminalId(deviceId: string, version: number | undefined): Buffer {
  if (!/^\d+$/.test(deviceId)) throw new Error(`JT/T 808 terminal ID must be digits (got "${deviceId}")`);
  if (version !== undefined) return Buffer.from(deviceId.padStart(20, '0').slice(-20), 'hex');
  if (deviceId.length % 2 === 1 && deviceId.length > 12) {
    const value = Number(deviceId.slice(0, -1));
    const b = Buffer.alloc(6);
    b.writeUInt16BE(Math.floor(value / 0x100000000) & 0xffff, 0);
    b.writeUInt32BE(value % 0x100000000, 2);
    return b;
  }
  return Buffer.from(deviceId.padStart(12, '0').slice(-12), 'hex');
}

/** Builds one escaped message: header (echoing `idBytes`), body, XOR check code, delimiters. */
export function buildMessage(
  msgId: number,
  body: Buffer,
  idBytes: Buffer,
  version: number | undefined,
  serial: number,
  options: { shortSerial?: boolean; delimiter?: number; package?: [total: number, index: number] } = {},
): Buffer {
  if (body.length > 1023) throw new Error(`JT/T 808 body too long (${body.length} > 1023 bytes)`);
  const headerLength =
    4 + (version !== undefined ? 1 : 0) + idBytes.length + (options.shortSerial ? 1 : 2) + (options.package ? 4 : 0);
  const m = Buffer.allocUnsafe(headerLength + body.length + 1);
  m.writeUInt16BE(msgId, 0);
  let props = body.length;
  if (version !== undefined) props |= VERSION_2019;
  if (options.package) props |= SUBPACKAGE;
  m.writeUInt16BE(props, 2);
  let at = 4;
  if (version !== undefined) m[at++] = version;
  idBytes.copy(m, at);
  at += idBytes.length;
  if (options.shortSerial) m[at++] = serial & 0xff;
  else {
    m.writeUInt16BE(serial & 0xffff, at);
    at += 2;
  }
  if (options.package) {
    m.writeUInt16BE(options.package[0], at);
    m.writeUInt16BE(options.package[1], at + 2);
    at += 4;
  }
  body.copy(m, at);
  at += body.length;
  m[at] = xor8(m, 0, at);
  return escapeFrame(m, options.delimiter);
}
