/**
 * GT06 stream framing: `78 78 len(1)` or `79 79 len(2)`, body, CRC, `0d 0a`.
 * Frames are cut by their declared length; frames whose length byte lies (the Wi-Fi types use it as an
 * access-point count) are cut at the first `0d 0a` once the declared size has arrived. Junk before a start
 * marker is skipped, so the stream resynchronises instead of being closed.
 */
import { Detect } from '../codec';
import { crc16x25 } from '../common/checksum';
import { isBcd } from '../common/bcd';
import { newSearch, type FrameScan } from '../common/scan';

export const GT06_MAX_FRAME = 4096;

/**
 * A connection is GT06 when its first frame is a trustworthy one: a CRC that checks, or a login whose
 * length and BCD IMEI are right (some firmware sends wrong CRCs). Junk that contains `78 78` is not claimed.
 * Detection is asked at every offset of a run of markers: a frame of its declared size that holds the start
 * of another complete frame, or a frame cut at `0d 0a` (its length lies) that holds any start marker, is not
 * trusted without a look at its CRC, so no byte has its CRC computed for more than two starts.
 */
export function detectGt06(buf: Buffer, offset: number, end: number, scan?: FrameScan): Detect {
  const b0 = buf[offset];
  if (b0 !== 0x78 && b0 !== 0x79) return Detect.No;
  if (end - offset < 2) return Detect.More;
  if (buf[offset + 1] !== b0) return Detect.No;
  const n = gt06FrameLength(buf, offset, end, scan);
  if (n === 0) return incomplete(buf, offset, end, scan);
  if (n < 0) return Detect.No;
  const inner =
    n === declaredSize(buf, offset)
      ? findComplete(buf, offset + 1, offset + n, end, scan)
      : findStart(buf, offset + 1, offset + n, end, scan);
  if (inner < offset + n) return Detect.No;
  return trustworthyFrame(buf.subarray(offset, offset + n)) ? Detect.Yes : Detect.No;
}

/**
 * A frame not complete yet: a first frame once it is, unless another start marker has already arrived after its
 * own. A frame cut at a later `0d 0a` would hold that marker (never trusted, see above), and one that has not
 * arrived whole yet with a marker inside is what a run of markers looks like, each waiting for its declared
 * length (a device writes its first frame, a login of 18 to 22 bytes, at once). Asked again at every push, every
 * marker of a run would cost its detection again.
 */
function incomplete(buf: Buffer, offset: number, end: number, scan?: FrameScan): Detect {
  if (end - offset < 5) return Detect.More;
  return findStart(buf, offset + 1, end - 1, end, scan) < end - 1 ? Detect.No : Detect.More;
}

/** The CRC checks, or it is a login of exactly its declared length with a BCD IMEI. */
export function trustworthyFrame(frame: Buffer): boolean {
  const n = frame.length;
  if (n < 10) return false;
  if (crc16x25(frame, 2, n - 4) === frame.readUInt16BE(n - 4)) return true;
  const extended = frame[0] === 0x79;
  const head = extended ? 4 : 3;
  const declared = extended ? frame.readUInt16BE(2) + 6 : frame[2] + 5;
  return frame[head] === 0x01 && declared === n && n >= head + 1 + 8 + 6 && isBcd(frame, head + 1, head + 9);
}

function isStart(buf: Buffer, i: number): boolean {
  const b = buf[i];
  return (b === 0x78 || b === 0x79) && buf[i + 1] === b;
}

/** Offset of the next possible start marker after `from`, or `end - 1` to keep a lone trailing byte. */
function nextStart(buf: Buffer, from: number, end: number): number {
  for (let i = from; i < end - 1; i++) if (isStart(buf, i)) return i;
  const last = buf[end - 1];
  return last === 0x78 || last === 0x79 ? end - 1 : end;
}

/**
 * A frame starts at `i`, has arrived whole, and ends in `0d 0a` where its length says: 1 yes, -1 no, 0 not yet
 * (a start whose frame has not arrived whole: a later byte may make it one).
 */
function completeAt(buf: Buffer, i: number, end: number): number {
  if (!isStart(buf, i)) return -1;
  if (end - i < 5) return 0;
  const size = declaredSize(buf, i);
  if (size > end - i) return 0;
  return endsFrame(buf, i + size) ? 1 : -1;
}

// The searches ahead (see FrameScan): each predicate reads the bytes at one position, whatever the frame start.
const CRLF = newSearch(2);
const EARLY_END = newSearch(4);
const COMPLETE = newSearch(2);
const START = newSearch(2);

/** First `0d 0a` in [from, limit), or `limit` (or more) when there is none. */
function findCrLf(buf: Buffer, from: number, limit: number, end: number, scan?: FrameScan): number {
  const resumed = scan ? scan.resume(CRLF, buf, end, from) : from;
  let i = resumed;
  while (i < limit && !(buf[i] === 0x0d && buf[i + 1] === 0x0a)) i++;
  scan?.searched(CRLF, from, resumed, i);
  return i;
}

/** First `0d 0a` in [from, limit) followed by nothing yet or by a start marker, or `limit` (or more). */
function findEarlyEnd(buf: Buffer, from: number, limit: number, end: number, scan?: FrameScan): number {
  const resumed = scan ? scan.resume(EARLY_END, buf, end, from) : from;
  let i = resumed;
  for (; i < limit; i++) {
    if (buf[i] !== 0x0d || buf[i + 1] !== 0x0a) continue;
    const after = i + 2;
    if (after === end || (end - after >= 2 && isStart(buf, after))) break;
  }
  scan?.searched(EARLY_END, from, resumed, i);
  return i;
}

/** First complete frame start in [from, limit), or `limit` (or more). */
function findComplete(buf: Buffer, from: number, limit: number, end: number, scan?: FrameScan): number {
  const resumed = scan ? scan.resume(COMPLETE, buf, end, from) : from;
  let i = resumed;
  let settled = limit;
  for (; i < limit; i++) {
    const complete = completeAt(buf, i, end);
    if (complete > 0) break;
    if (complete === 0 && settled === limit) settled = i;
  }
  scan?.searched(COMPLETE, from, resumed, i, settled);
  return i;
}

/** First start marker in [from, limit), or `limit` (or more). */
function findStart(buf: Buffer, from: number, limit: number, end: number, scan?: FrameScan): number {
  const resumed = scan ? scan.resume(START, buf, end, from) : from;
  let i = resumed;
  while (i < limit && !isStart(buf, i)) i++;
  scan?.searched(START, from, resumed, i);
  return i;
}

export function gt06FrameLength(buf: Buffer, offset: number, end: number, scan?: FrameScan): number {
  const available = end - offset;
  if (available < 2) return buf[offset] === 0x78 || buf[offset] === 0x79 ? 0 : -1;
  if (!isStart(buf, offset)) {
    const next = nextStart(buf, offset + 1, end);
    if (scan) scan.work += next - offset;
    return -(next - offset);
  }
  if (available < 5) return 0;
  const size = declaredSize(buf, offset);
  // A declared size this large is junk that happens to start with a marker: skip the marker.
  if (size > GT06_MAX_FRAME) return -2;
  if (available < size) {
    // Some firmware sends lengths that are too large: such a frame ends at a `0d 0a` followed by nothing (yet)
    // or by the next start marker; a `0d 0a` followed by other bytes is part of the payload.
    const cut = findEarlyEnd(buf, offset + 3, end - 1, end, scan);
    return cut < end - 1 ? cut + 2 - offset : 0;
  }
  if (endsFrame(buf, offset + size)) return size;
  // The length field lies (Wi-Fi types, some firmware): the frame ends at the first 0d0a, unless a complete
  // frame starts before it, in which case the bytes up to that frame are junk. (A complete frame ends in 0d0a:
  // without one, none has arrived.)
  const limit = Math.min(end - 1, offset + GT06_MAX_FRAME - 1);
  const cut = findCrLf(buf, offset + 3, limit, end, scan);
  if (cut >= limit) return available >= GT06_MAX_FRAME ? -2 : 0;
  const next = findComplete(buf, offset + 3, cut, end, scan);
  return next < cut ? -(next - offset) : cut + 2 - offset;
}

function declaredSize(buf: Buffer, offset: number): number {
  return buf[offset] === 0x78 ? 5 + buf[offset + 2] : 6 + buf.readUInt16BE(offset + 2);
}

/** True when the two bytes before `stop` are `0d 0a`. */
function endsFrame(buf: Buffer, stop: number): boolean {
  return buf[stop - 2] === 0x0d && buf[stop - 1] === 0x0a;
}
