/**
 * H02 stream framing (docs/protocols/h02.md): ASCII `*XX,...#` messages and fixed-layout binary `$` positions
 * share one connection, with no length field and no checksum anywhere.
 * - Text ends at its first `#`; the CR/LF/space that some firmware sends after it is taken into the frame.
 *   A text that runs into another message start or into control bytes was cut short: it is junk.
 * - Binary frames come in several sizes (32, 42, 45, 46, 47, 48 bytes): one ends where the next frame of the
 *   device starts (`$` + the same ID, or a text message), or where the received bytes end at one of those sizes.
 * Every start is checked in a bounded window, so the cost stays O(bytes) whatever arrives.
 */
import { Detect } from '../codec';
import { dollarTieBreak, h02BinaryLayout, h02Sizes, h02TextAt, NEED_MORE, sameDeviceAt } from '../common/dollar';
import { afterBlanks, isBlank } from '../common/text';
import { isLongFormat, jt600DollarClaim } from '../jt600/frame';

const STAR = 0x2a;
const HASH = 0x23;
const DOLLAR = 0x24;
const X = 0x58;
export const H02_MAX_TEXT = 1024;
/** A binary frame of none of the known sizes may run this long before the next frame starts. */
const MAX_BINARY = 128;
/** Bytes of a binary frame that are decoded (5-byte ID): no next frame can start before. */
const MIN_BINARY = 29;
export const H02_MAX_FRAME = H02_MAX_TEXT;

/** Text: `*XX,` ... `#` plus the blanks after it that have arrived. */
function textLength(buf: Buffer, offset: number, end: number): number {
  const start = h02TextAt(buf, offset, end);
  if (start <= 0) return start < 0 ? -1 : 0;
  const limit = Math.min(end, offset + H02_MAX_TEXT);
  let dollar = -1;
  for (let i = offset + 4; i < limit; i++) {
    const b = buf[i];
    if (b === HASH) return afterBlanks(buf, i + 1, end) - offset;
    if (b === DOLLAR) dollar = i;
    // the message was cut short: a new one starts, or binary bytes follow (from the last `$`: every binary
    // frame has a control byte in its first 11, its month; SMS text may hold LF and CR)
    if (b === STAR && h02TextAt(buf, i, end) === 1) return -(i - offset);
    if (b < 0x20 && b !== 0x0a && b !== 0x0d && b !== 0x09) return -((dollar > 0 ? dollar : i) - offset);
  }
  return limit - offset >= H02_MAX_TEXT ? -1 : 0;
}

/** An `X` block (`X` + a 5-byte BCD ID) starts at `at`: 1 yes, 0 too few bytes to tell, -1 no. */
function xBlockAt(buf: Buffer, at: number, end: number): number {
  if (at >= end) return 0;
  if (buf[at] !== X) return -1;
  for (let i = at + 1; i <= at + 5; i++) {
    if (i >= end) return 0;
    if (buf[i] >> 4 > 9 || (buf[i] & 0x0f) > 9) return -1;
  }
  return 1;
}

/** 1 when the device's next frame starts at `at` (binary with the same ID, text, an X block), 0 undecided. */
function nextFrameAt(buf: Buffer, offset: number, at: number, end: number): number {
  return Math.max(sameDeviceAt(buf, offset, at, end), h02TextAt(buf, at, end), xBlockAt(buf, at, end));
}

/**
 * Binary (`$`, and the unexplained `X` blocks): the H02 layout, then the frame ends where the device's next
 * frame starts (from byte 29 on, the last decoded one; 42 with an 8-byte ID), or, when nothing has arrived
 * after it, where the received bytes end if that is one of the known sizes (a device writes each frame at
 * once). Bytes that start nothing for too long: the smallest frame is taken and the rest skipped as junk.
 */
function binaryLength(buf: Buffer, offset: number, end: number): number {
  const layout = h02BinaryLayout(buf, offset, end);
  if (layout === NEED_MORE) return 0;
  if (layout < 0) return -1;
  // an 8-byte ID reading that a 5-byte one starting a few bytes on explains better is junk before that frame
  if (layout)
    for (let k = 1; k < 9; k++)
      if (buf[offset + k] === DOLLAR && h02BinaryLayout(buf, offset + k, end) === 0) return -k;
  const sizes = h02Sizes(layout);
  const limit = Math.min(end, offset + MAX_BINARY);
  let undecided = false;
  for (let i = offset + (layout ? sizes[0] : MIN_BINARY); i < limit; i++) {
    const next = nextFrameAt(buf, offset, i, end);
    if (next === 1) return i - offset;
    // the first bytes of what may be the next frame, where a frame of a known size would end
    if (next === 0 && sizes.includes(i - offset)) undecided = true;
  }
  const available = end - offset;
  if (!undecided && sizes.includes(available)) return available;
  return available >= MAX_BINARY ? sizes[0] : 0;
}

export function h02FrameLength(buf: Buffer, offset: number, end: number): number {
  const first = buf[offset];
  if (first === STAR) return textLength(buf, offset, end);
  if (first === DOLLAR || first === X) return binaryLength(buf, offset, end);
  // blanks after a frame that arrived in a later chunk: a frame of nothing, not junk
  if (isBlank(first)) return afterBlanks(buf, offset, end) - offset;
  for (let i = offset + 1; i < end; i++) {
    const b = buf[i];
    if (b === STAR || b === DOLLAR || b === X) return -(i - offset);
  }
  return -(end - offset);
}

/** `*XX,<ID>,<type or nothing>` or `*XX,,<type>`, then `,` or `#`. */
const TEXT_HEAD = /^\*[A-Za-z]{2},(?:\d{6,20},[A-Za-z0-9]*|,[A-Za-z0-9]+)[,#]/;

/**
 * A connection is H02 when its first frame is a complete text message with an H02 head, or a binary position
 * whose every field is in range and that does not read better as a JT600 frame (the two share `$` + BCD ID).
 * `X` blocks never open a connection.
 */
export function detectH02(buf: Buffer, offset: number, end: number): Detect {
  const first = buf[offset];
  if (first === STAR) {
    const n = textLength(buf, offset, end);
    if (n === 0) return Detect.More;
    if (n < 0) return Detect.No;
    return TEXT_HEAD.test(buf.toString('latin1', offset, Math.min(offset + n, offset + 48))) ? Detect.Yes : Detect.No;
  }
  if (first !== DOLLAR) return Detect.No;
  const layout = h02BinaryLayout(buf, offset, end);
  if (layout === NEED_MORE) return Detect.More;
  if (layout < 0) return Detect.No;
  const n = binaryLength(buf, offset, end);
  if (n === 0) return Detect.More;
  if (n < 0) return Detect.No;
  const jt600 = jt600DollarClaim(buf, offset, end);
  if (jt600 < 0) return Detect.Yes;
  if (jt600 === 0) return Detect.More;
  // both readings fit: the shared rule settles it (an H02 frame followed by the next one wins at once, even
  // when the JT600 reading would be a longer frame that has not arrived)
  const owner = dollarTieBreak(buf, offset, end, layout, jt600, offset + (isLongFormat(buf, offset) ? 10 : 9));
  return owner === 'h02' ? Detect.Yes : owner === 'more' ? Detect.More : Detect.No;
}
