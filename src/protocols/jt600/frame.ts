/**
 * Jointech JT600 stream framing (docs/protocols/jt600.md): binary `$` frames (total = length +
 * 10, short or long JT701 header) and text `(`...`)` frames share one connection. Junk before a `$` or `(` is
 * skipped instead of closing the connection.
 */
import { Detect } from '../codec';
import { bcdByte, isBcd } from '../common/bcd';
import { dollarTieBreak, h02BinaryLayout, NEED_MORE, NOT_H02 } from '../common/dollar';
import { parenProtocol, parenRuledOut } from '../common/paren';
import { newSearch, type FrameScan } from '../common/scan';

/** 15 stored short records make the longest frames seen (415 bytes); long JT701 frames are under 100. */
export const JT600_MAX_FRAME = 2048;
const MAX_TEXT_FRAME = 1024;
const DOLLAR = 0x24;
const OPEN = 0x28;
const CLOSE = 0x29;
/** The search for the `)` that ends a text frame (see FrameScan). */
const TEXT_END = newSearch(1);

/** A short frame has the record length at 7-8; a long (JT701) one has 0 at offset 8 and the length at 8-9. */
export function isLongFormat(buf: Buffer, offset: number): boolean {
  return buf[offset + 8] === 0;
}

function binaryLength(buf: Buffer, offset: number): number {
  return (isLongFormat(buf, offset) ? buf.readUInt16BE(offset + 8) : buf.readUInt16BE(offset + 7)) + 10;
}

export function jt600FrameLength(buf: Buffer, offset: number, end: number, scan?: FrameScan): number {
  const first = buf[offset];
  if (first === DOLLAR) {
    if (end - offset < 10) return 0;
    if (!plausibleHeader(buf, offset)) return -1; // junk that starts with "$"
    const n = binaryLength(buf, offset);
    return end - offset >= n ? n : 0;
  }
  if (first === OPEN) {
    // a `(` may sit inside a text frame, so a run of them would have each search read up to the same `)`
    const limit = Math.min(end, offset + MAX_TEXT_FRAME);
    const from = offset + 1;
    const resumed = scan ? scan.resume(TEXT_END, buf, end, from) : from;
    const close = buf.indexOf(CLOSE, resumed);
    const stop = close < 0 || close >= end ? end : close;
    scan?.searched(TEXT_END, from, resumed, stop);
    if (stop < limit) return stop + 1 - offset;
    return limit - offset >= MAX_TEXT_FRAME ? -1 : 0;
  }
  for (let i = offset + 1; i < end; i++) if (buf[i] === DOLLAR || buf[i] === OPEN) return -(i - offset);
  return -(end - offset);
}

/**
 * A BCD terminal ID and a length that fits: whole 27-byte records for short frames (version 1-3), at least one
 * 34-byte record plus the serial for long ones (type nibble 1).
 */
function plausibleHeader(buf: Buffer, offset: number): boolean {
  if (!isBcd(buf, offset + 1, offset + 6)) return false;
  if (isLongFormat(buf, offset)) {
    const length = buf.readUInt16BE(offset + 8);
    return buf[offset + 7] >> 4 === 1 && length - 1 >= 34 && length + 10 <= JT600_MAX_FRAME;
  }
  const version = buf[offset + 6] >> 4;
  const length = buf.readUInt16BE(offset + 7);
  return version >= 1 && version <= 3 && length > 0 && length % 27 === 0 && length + 10 <= JT600_MAX_FRAME;
}

/** Where the first location block starts: after the long (JT701) header or the short one. */
function blockOffset(buf: Buffer, offset: number): number {
  return offset + (isLongFormat(buf, offset) ? 10 : 9);
}

/**
 * The `$` frame at `offset` read as JT600: its length when the header fits and the location block opens with
 * a date and time in range (DDMMYY hhmmss BCD), 0 while those bytes have not arrived, -1 when they do not fit.
 */
export function jt600DollarClaim(buf: Buffer, offset: number, end: number): number {
  if (end - offset < 10) return 0;
  if (!plausibleHeader(buf, offset)) return -1;
  const at = blockOffset(buf, offset);
  if (end < at + 6) return 0;
  if (!isBcd(buf, at, at + 6)) return -1;
  const [day, month, hour, minute, second] = [0, 1, 3, 4, 5].map((i) => bcdByte(buf[at + i]));
  if (day < 1 || day > 31 || month < 1 || month > 12 || hour > 23 || minute > 59 || second > 59) return -1;
  return binaryLength(buf, offset);
}

/** Undoes the text-frame escapes: `3D 15` `(`, `3D 14` `)`, `3D 11` `,`, `3D 00` `=`; other `3D xx` pairs are dropped. */
export function unescapeText(frame: Buffer): Buffer {
  if (!frame.includes(0x3d)) return frame;
  const out = Buffer.allocUnsafe(frame.length);
  let n = 0;
  for (let i = 0; i < frame.length; i++) {
    const b = frame[i];
    if (b !== 0x3d || i + 1 >= frame.length) {
      out[n++] = b;
      continue;
    }
    const next = frame[++i];
    if (next === 0x15) out[n++] = 0x28;
    else if (next === 0x14) out[n++] = 0x29;
    else if (next === 0x11) out[n++] = 0x2c;
    else if (next === 0x00) out[n++] = 0x3d;
  }
  return out.subarray(0, n);
}

/** Text frames a JT600 sends: `(ID,W01|Uxx|P45|@JT,...)` or `(ID,n,n,WLNET,...)` / `(ID,n,U09,...)`. */
const TEXT_START = /^\((\d{5,}),(?:W01,|U\d\d[,)]|P45,|@JT\)|\d+,(?:\d+,WLNET,|U09,))/;

/**
 * Claims binary frames whose terminal ID is BCD, whose length fits whole records and whose first location
 * block has a valid date and time (and that do not read better as H02), and text frames that start like a
 * JT600 sentence; the `(` e-lock frames of JT/T 808 terminals (`(...,BASE,...)`) are not claimed.
 */
export function detectJt600(buf: Buffer, offset: number, end: number, scan?: FrameScan): Detect {
  const first = buf[offset];
  if (first === DOLLAR) {
    const n = jt600DollarClaim(buf, offset, end);
    if (n <= 0) return n === 0 ? Detect.More : Detect.No;
    if (end - offset < n) {
      if (scan) scan.waitUntil = offset + n; // nothing to ask before the declared length has arrived
      return Detect.More;
    }
    // H02 binary positions start with `$` + a BCD ID too: a frame that also reads as one is settled by the
    // rule both protocols' detect functions share (common/dollar.ts)
    const h02 = h02BinaryLayout(buf, offset, end);
    if (h02 === NOT_H02) return Detect.Yes;
    if (h02 === NEED_MORE) return Detect.More;
    const owner = dollarTieBreak(buf, offset, end, h02, n, blockOffset(buf, offset));
    return owner === 'jt600' ? Detect.Yes : owner === 'more' ? Detect.More : Detect.No;
  }
  if (first === OPEN) {
    if (parenRuledOut(buf, offset, end)) return Detect.No;
    const n = Math.min(end - offset, 40);
    const head = buf.toString('latin1', offset, offset + n);
    // the `(` rules (common/paren.ts) give JT/T 808 e-locks and TK103 precedence over JT600 text
    const ruled = parenProtocol(head);
    if (ruled === 'jt808' || ruled === 'tk103') return Detect.No;
    if (TEXT_START.test(head)) return Detect.Yes;
    // still a possible prefix of such a sentence?
    // (the third field may be letters too: `(ID,2,U09,` arrives a byte at a time)
    return n < 40 && !head.includes(')') && /^\(\d*(,[\w@]*(,\w*(,[A-Z]*)?)?)?$/.test(head) ? Detect.More : Detect.No;
  }
  return Detect.No;
}
