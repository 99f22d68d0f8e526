/**
 * iStartek VT600 framing (docs/protocols/vt600.md): `&&` + flag + decimal length + `,` + IMEI + `,`
 * + command + `,` + content + 2-hex byte sum + CR LF. Frames are cut by the length field (710 content holds
 * CR LF); a frame whose length lies ends at a CR LF followed by nothing or by the next `&&`.
 */
import { Detect } from '../codec';
import { sum8 } from '../common/checksum';
import { newSearch, type FrameScan } from '../common/scan';

export const VT600_MAX_FRAME = 4096;
const AMP = 0x26;

/** Offset of the comma after the length digits, or -1 (not a header), or 0 (need more bytes). */
function lengthComma(buf: Buffer, offset: number, end: number): number {
  for (let i = offset + 3; i < Math.min(end, offset + 10); i++) {
    const b = buf[i];
    if (b === 0x2c) return i > offset + 3 ? i : -1;
    if (b < 0x30 || b > 0x39) return -1;
  }
  return end - offset < 10 ? 0 : -1;
}

export function vt600FrameLength(buf: Buffer, offset: number, end: number, scan?: FrameScan): number {
  if (buf[offset] !== AMP) {
    for (let i = offset + 1; i < end - 1; i++) if (buf[i] === AMP && buf[i + 1] === AMP) return -(i - offset);
    return -(end - offset - (buf[end - 1] === AMP ? 1 : 0)) || -1;
  }
  if (end - offset < 2) return 0;
  if (buf[offset + 1] !== AMP) return -1;
  const comma = lengthComma(buf, offset, end);
  if (comma === 0) return 0;
  if (comma < 0) return -1;
  const declared = Number(buf.toString('latin1', offset + 3, comma));
  const size = comma - offset + declared + 4;
  if (size > VT600_MAX_FRAME) return -1;
  if (end - offset >= size && buf[offset + size - 2] === 0x0d && buf[offset + size - 1] === 0x0a) return size;
  // The length lies: the frame ends at a CR LF followed by the next frame (or, once the declared size has
  // arrived, by nothing). 710 content holds CR LFs, so before that a CR LF followed by nothing proves nothing.
  const limit = Math.min(end, offset + VT600_MAX_FRAME) - 1;
  const cut = findCut(buf, comma, limit, end, scan);
  if (cut < limit) return cut + 2 - offset;
  if (end - offset >= size && limit === end - 1 && comma <= end - 2 && buf[end - 2] === 0x0d && buf[end - 1] === 0x0a)
    return end - offset;
  return end - offset >= VT600_MAX_FRAME ? -1 : 0;
}

/** The search for a CR LF followed by the next frame's `&&` (see FrameScan). */
const CUT = newSearch(4);
/** The search for a frame start `&&`. */
const START = newSearch(2);

/** First CR LF in [from, limit) followed by `&&`, or `limit` (or more) when there is none. */
function findCut(buf: Buffer, from: number, limit: number, end: number, scan?: FrameScan): number {
  const resumed = scan ? scan.resume(CUT, buf, end, from) : from;
  let i = resumed;
  for (; i < limit; i++)
    if (buf[i] === 0x0d && buf[i + 1] === 0x0a && buf[i + 2] === AMP && buf[i + 3] === AMP && i + 3 < end) break;
  scan?.searched(CUT, from, resumed, i);
  return i;
}

/** First `&&` in [from, limit), or `limit` (or more). */
function findStart(buf: Buffer, from: number, limit: number, end: number, scan?: FrameScan): number {
  const resumed = scan ? scan.resume(START, buf, end, from) : from;
  let i = resumed;
  while (i < limit && !(buf[i] === AMP && buf[i + 1] === AMP)) i++;
  scan?.searched(START, from, resumed, i);
  return i;
}

/** Where the content ends and the 2-hex checksum begins in a frame (before CR LF). */
export function checksumAt(frame: Buffer): number {
  return frame.length - 4;
}

export function checksumOk(frame: Buffer): boolean {
  const at = checksumAt(frame);
  return at > 0 && parseInt(frame.toString('latin1', at, at + 2), 16) === sum8(frame, 0, at);
}

/** The header a first frame must have: flag, length, IMEI, command. */
const HEADER = /^&&.\d+,\d{6,20},[0-9A-Fa-f]{3},/;
/** What a header can still grow into while it is incomplete. */
const HEADER_PREFIX = /^&&(?:.|.\d+|.\d+,\d{0,20}|.\d+,\d{6,20},[0-9A-Fa-f]{0,3})?$/;

/**
 * A frame not complete yet: never a first frame when its header cannot become one, nor once another `&&` has
 * arrived after its own. A frame cut at a later CR LF would hold it (never trusted, see below), and one that has
 * not arrived whole yet with a `&&` inside is what a run of headers looks like, each waiting for its declared
 * length (a device writes its first frame at once). Asked again at every push, every header of a run would cost
 * its detection again.
 */
function incomplete(buf: Buffer, offset: number, end: number, scan?: FrameScan): Detect {
  const head = buf.toString('latin1', offset, Math.min(end, offset + 40));
  if (!HEADER.test(head)) return HEADER_PREFIX.test(head) ? Detect.More : Detect.No;
  return findStart(buf, offset + 2, end - 1, end, scan) < end - 1 ? Detect.No : Detect.More;
}

/**
 * A connection is VT600 when its first frame has a `&&` header with a numeric length and IMEI, and its
 * checksum or its length is right.
 */
export function detectVt600(buf: Buffer, offset: number, end: number, scan?: FrameScan): Detect {
  if (buf[offset] !== AMP) return Detect.No;
  if (end - offset < 2) return Detect.More;
  if (buf[offset + 1] !== AMP) return Detect.No;
  const n = vt600FrameLength(buf, offset, end, scan);
  if (n === 0) return incomplete(buf, offset, end, scan);
  if (n < 0) return Detect.No;
  const frame = buf.subarray(offset, offset + n);
  if (!HEADER.test(frame.toString('latin1', 0, 40))) return Detect.No;
  const comma = lengthComma(frame, 0, frame.length);
  const declared = Number(frame.toString('latin1', 3, comma));
  if (comma + declared + 4 === n) return Detect.Yes;
  // A frame whose length lies is summed only when no other frame starts inside it: detection is asked at
  // every `&&` of a run, and each would otherwise sum the bytes up to the same CR LF.
  if (findStart(buf, offset + 2, offset + n, end, scan) < offset + n) return Detect.No;
  return checksumOk(frame) ? Detect.Yes : Detect.No;
}
