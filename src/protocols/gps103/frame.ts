/**
 * GPS103 stream framing (docs/protocols/gps103.md): ASCII messages that end at `;` (`*` for the alternative
 * format, a line end on old firmware). The delimiter stays in the frame, with the CR/LF after it that has
 * arrived. A message starts with `##,imei:` (login), `imei:` (reports) or 10-17 digits (the IMEI heartbeat,
 * sometimes glued to the next report). A message that runs into another start or into control bytes was cut
 * short and is junk; each byte is looked at a bounded number of times, so framing is O(bytes).
 */
import { Detect } from '../codec';
import { afterBlanks, isBlank } from '../common/text';

export const GPS103_MAX_FRAME = 4096;
const LOGIN = Buffer.from('##,imei:', 'latin1');
const IMEI = Buffer.from('imei:', 'latin1');

const isDigit = (b: number) => b >= 0x30 && b <= 0x39;

/** `prefix` at `at`: 1 yes, 0 too few bytes to tell, -1 no. */
function prefixAt(buf: Buffer, at: number, end: number, prefix: Buffer): number {
  for (let i = 0; i < prefix.length; i++) {
    if (at + i >= end) return 0;
    if (buf[at + i] !== prefix[i]) return -1;
  }
  return 1;
}

/** The frame ends at `i` (its delimiter); the blanks after it that have arrived belong to it. */
function endAt(buf: Buffer, offset: number, i: number, end: number): number {
  return afterBlanks(buf, i + 1, end) - offset;
}

/** Scans a message body from `from` to its delimiter. */
function bodyLength(buf: Buffer, offset: number, from: number, end: number): number {
  const limit = Math.min(end, offset + GPS103_MAX_FRAME);
  for (let i = from; i < limit; i++) {
    const b = buf[i];
    if (b === 0x3b || b === 0x2a || b === 0x0a) return endAt(buf, offset, i, end);
    if (b === 0x69 && prefixAt(buf, i, end, IMEI) === 1) return -(i - offset); // cut short: a new report starts
    if (b === 0x23 && prefixAt(buf, i, end, LOGIN) === 1) return -(i - offset);
    if (b < 0x20 && b !== 0x0d && b !== 0x09) return -(i - offset);
  }
  return limit - offset >= GPS103_MAX_FRAME ? -1 : 0;
}

/** 10-17 digits (an IMEI) then `;`, a line end, or a report glued on. */
function heartbeatLength(buf: Buffer, offset: number, end: number): number {
  let i = offset;
  while (i < end && i - offset <= 17 && isDigit(buf[i])) i++;
  const digits = i - offset;
  if (digits > 17) return -digits;
  if (i >= end) return 0;
  if (digits < 10) return -digits;
  const b = buf[i];
  if (b === 0x3b || b === 0x0a) return endAt(buf, offset, i, end);
  if (b === 0x0d) return i + 1 < end ? (buf[i + 1] === 0x0a ? endAt(buf, offset, i + 1, end) : -digits) : 0;
  const glued = prefixAt(buf, i, end, IMEI);
  if (glued === 1) return bodyLength(buf, offset, i + IMEI.length, end);
  return glued === 0 ? 0 : -digits;
}

export function gps103FrameLength(buf: Buffer, offset: number, end: number): number {
  const first = buf[offset];
  if (first === 0x23 || first === 0x69) {
    const prefix = first === 0x23 ? LOGIN : IMEI;
    const head = prefixAt(buf, offset, end, prefix);
    if (head <= 0) return head === 0 ? 0 : -1;
    return bodyLength(buf, offset, offset + prefix.length, end);
  }
  if (isDigit(first)) return heartbeatLength(buf, offset, end);
  // blanks after a message that arrived in a later chunk: a frame of nothing, not junk
  if (isBlank(first)) return afterBlanks(buf, offset, end) - offset;
  for (let i = offset + 1; i < end; i++) {
    const b = buf[i];
    if (b === 0x23 || b === 0x69 || isDigit(b)) return -(i - offset);
  }
  return -(end - offset);
}

/** A login with its IMEI, a report with its IMEI, or an IMEI heartbeat, complete up to its delimiter. */
const FIRST_FRAME = /^(?:##,imei:\d{8,24},|imei:\d{8,24},|\d{10,17}(?:[;\r\n]|imei:\d{8,24},))/;

/**
 * A connection is GPS103 when its first frame is complete and starts like a GPS103 message. Digits alone
 * never decide: they must be an IMEI-long run ended by `;`, a line end, or a glued `imei:` report.
 */
export function detectGps103(buf: Buffer, offset: number, end: number): Detect {
  const first = buf[offset];
  if (first !== 0x23 && first !== 0x69 && !isDigit(first)) return Detect.No;
  const n = gps103FrameLength(buf, offset, end);
  if (n === 0) return Detect.More;
  if (n < 0) return Detect.No;
  return FIRST_FRAME.test(buf.toString('latin1', offset, offset + Math.min(n, 64))) ? Detect.Yes : Detect.No;
}
