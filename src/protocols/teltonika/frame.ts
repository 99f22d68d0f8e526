/**
 * Teltonika framing (docs/protocols/teltonika.md). A TCP stream carries three kinds of frame:
 *   `FF`                                    keep-alive ping, 1 byte
 *   `00 LL` + LL ASCII digits               IMEI login (LL is 15 in practice)
 *   `00 00 00 00` + length u32 + data + CRC AVL or command packet, length + 12 bytes
 * A UDP datagram is `length u16` (bytes that follow) + packet ID + type + AVL packet ID + IMEI + AVL data: the same
 * "u16 + 2" rule as the login cuts it. Every decision reads a bounded number of header bytes, so framing costs
 * O(bytes) whatever arrives; a packet's trailer (second record count, CRC high bytes) is checked once it is complete,
 * and a header whose trailer does not fit is junk to skip, not a frame.
 */
import { Detect } from '../codec';
import type { FrameScan } from '../common/scan';

/** Largest packet accepted (the devices send at most 1280 bytes of AVL data; command answers can be longer). */
export const TELTONIKA_MAX_FRAME = 16384;

export const CODEC_GH3000 = 0x07;
export const CODEC_8 = 0x08;
export const CODEC_8E = 0x8e;
export const CODEC_16 = 0x10;
export const CODEC_12 = 0x0c;
export const CODEC_13 = 0x0d;
export const CODEC_14 = 0x0e;
export const CODEC_15 = 0x0f;

export const PING = 0xff;
/** IMEI lengths accepted in a login or a datagram header (Teltonika IMEIs have 15 digits). */
const MIN_IMEI = 8;
const MAX_IMEI = 20;
/** Preamble, length, codec, count ... count, CRC: the smallest packet has codec, count and count. */
const PACKET_OVERHEAD = 12;
const MIN_DATA = 3;
/** UDP header: length, packet ID, packet type, AVL packet ID, IMEI length. */
const UDP_HEADER = 8;

/** Codecs that carry AVL records (acknowledged with their count). */
export function isAvlCodec(codec: number): boolean {
  return codec === CODEC_8 || codec === CODEC_8E || codec === CODEC_16 || codec === CODEC_GH3000;
}

export function isPacketCodec(codec: number): boolean {
  return isAvlCodec(codec) || (codec >= CODEC_12 && codec <= CODEC_15);
}

function isDigit(b: number): boolean {
  return b >= 0x30 && b <= 0x39;
}

/** Yes / No / More for ASCII digits in [from, from + n) of which [from, end) has arrived. */
function digits(buf: Buffer, from: number, n: number, end: number): Detect {
  const stop = Math.min(from + n, end);
  for (let i = from; i < stop; i++) if (!isDigit(buf[i])) return Detect.No;
  return stop === from + n ? Detect.Yes : Detect.More;
}

/** A login's second byte (its IMEI length): no datagram is that short, so it tells the two apart. */
export function isLoginStart(buf: Buffer, offset: number): boolean {
  const n = buf[offset + 1];
  return buf[offset] === 0 && n >= MIN_IMEI && n <= MAX_IMEI;
}

/** The IMEI login at `offset` (isLoginStart): its length, 0 when incomplete, -1 when it is not one. */
function loginLength(buf: Buffer, offset: number, end: number): number {
  const n = buf[offset + 1];
  const d = digits(buf, offset + 2, n, end);
  return d === Detect.Yes ? n + 2 : d === Detect.More ? 0 : -1;
}

/**
 * The UDP datagram at `offset`: its length, 0 when incomplete, -1 when it is not one. Its header (packet type,
 * IMEI length), IMEI digits, codec and second record count (its last byte) must all fit.
 */
function datagramLength(buf: Buffer, offset: number, end: number): number {
  if (end - offset < UDP_HEADER) return 0;
  const size = buf.readUInt16BE(offset) + 2;
  const imei = buf.readUInt16BE(offset + 6);
  if (buf[offset + 4] > 1 || imei < MIN_IMEI || imei > MAX_IMEI) return -1;
  if (size < UDP_HEADER + imei + 3 || size > TELTONIKA_MAX_FRAME) return -1;
  // the IMEI and the codec as far as they have arrived: bytes that cannot be a datagram are given up at once
  const codec = offset + UDP_HEADER + imei;
  if (digits(buf, offset + UDP_HEADER, imei, end) === Detect.No || (codec < end && !isAvlCodec(buf[codec]))) return -1;
  if (end - offset < size) return 0;
  return buf[offset + size - 1] === buf[codec + 1] ? size : -1;
}

/** The AVL / command packet at `offset`: its length, 0 when incomplete, -1 when it is not one. */
function packetLength(buf: Buffer, offset: number, end: number): number {
  const available = end - offset;
  for (let i = 1; i < Math.min(available, 4); i++) if (buf[offset + i] !== 0) return -1;
  if (available < 10) return 0;
  const data = buf.readUInt32BE(offset + 4);
  if (data < MIN_DATA || data > TELTONIKA_MAX_FRAME - PACKET_OVERHEAD) return -1;
  if (!isPacketCodec(buf[offset + 8])) return -1;
  const size = data + PACKET_OVERHEAD;
  if (available < size) return 0;
  // the trailer: the second count equals the first, and the CRC field's high bytes are zero
  const stop = offset + size;
  if (buf[stop - 5] !== buf[offset + 9] || buf[stop - 4] !== 0 || buf[stop - 3] !== 0) return -1;
  return size;
}

/** Could a frame start with this byte (0 for login/AVL, up to 0x3F for a datagram's length, FF for a ping)? */
function mayStart(b: number): boolean {
  return b <= 0x3f || b === PING;
}

export function teltonikaFrameLength(buf: Buffer, offset: number, end: number): number {
  const b0 = buf[offset];
  if (b0 === PING) return 1;
  if (end - offset < 2) return mayStart(b0) ? 0 : skipJunk(buf, offset, end);
  let n: number;
  if (b0 === 0 && buf[offset + 1] === 0) n = packetLength(buf, offset, end);
  else if (isLoginStart(buf, offset)) n = loginLength(buf, offset, end);
  else n = mayStart(b0) ? datagramLength(buf, offset, end) : -1;
  return n < 0 ? skipJunk(buf, offset, end) : n;
}

/** Skips to the next byte that may start a frame (at least one byte). */
function skipJunk(buf: Buffer, offset: number, end: number): number {
  let i = offset + 1;
  while (i < end && !mayStart(buf[i])) i++;
  return -(i - offset);
}

/**
 * A connection is Teltonika when it opens with a complete IMEI login (TCP) or a datagram whose header, IMEI and
 * codec are right (UDP); a datagram is not asked again before its declared length has arrived. An AVL packet, a command answer or a ping cannot open a connection: without the IMEI no
 * device can be named, so such bytes are left to the other protocols (and dropped as junk).
 */
export function detectTeltonika(buf: Buffer, offset: number, end: number, scan?: FrameScan): Detect {
  const b0 = buf[offset];
  if (b0 > 0x3f) return Detect.No;
  if (end - offset < 2) return Detect.More;
  if (b0 === 0 && buf[offset + 1] === 0) return Detect.No;
  if (isLoginStart(buf, offset)) {
    const n = loginLength(buf, offset, end);
    return n > 0 ? Detect.Yes : n === 0 ? Detect.More : Detect.No;
  }
  const size = datagramLength(buf, offset, end);
  if (size === 0 && scan && end - offset >= UDP_HEADER) scan.waitUntil = offset + buf.readUInt16BE(offset) + 2;
  return size > 0 ? Detect.Yes : size === 0 ? Detect.More : Detect.No;
}
