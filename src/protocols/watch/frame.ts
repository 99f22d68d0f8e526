/**
 * Watch protocol framing (docs/protocols/watch.md): `[MF*ID*[INDEX*]LEN*CONTENT]`. LEN is not reliable (samples
 * count escaped bytes, unescaped bytes, or neither), so a frame ends where the bracket depth counted from its
 * `[` returns to 0: Wi-Fi names may hold raw brackets, binary content has them escaped. One pass over the bytes:
 * a new frame header (`[XX*<id>*`) inside a frame means that frame was cut off, and the stream resynchronises
 * there; a frame longer than 32 KiB is dropped.
 */
import { Detect } from '../codec';
import { skipToMarker, type FrameScan } from '../common/scan';

export const WATCH_MAX_FRAME = 32768;
const OPEN = 0x5b;
const CLOSE = 0x5d;
const STAR = 0x2a;
/** Longest device ID accepted. */
export const WATCH_MAX_ID = 20;

function isAlnum(b: number): boolean {
  return (b >= 0x30 && b <= 0x39) || (b >= 0x41 && b <= 0x5a) || (b >= 0x61 && b <= 0x7a);
}

/**
 * Whether a frame header `[XX*<id>*` starts at `i`: 1 yes, -1 no, 0 cannot tell before `end` (a maker prefix of
 * two letters or digits, then a device ID of letters and digits).
 */
export function headerAt(buf: Buffer, i: number, end: number): number {
  if (buf[i] !== OPEN) return -1;
  for (let k = 1; k <= 3; k++) {
    if (i + k >= end) return 0;
    if (k < 3 ? !isAlnum(buf[i + k]) : buf[i + k] !== STAR) return -1;
  }
  const limit = Math.min(end, i + 5 + WATCH_MAX_ID);
  for (let k = i + 4; k < limit; k++) {
    const b = buf[k];
    if (b === STAR) return k > i + 4 ? 1 : -1;
    if (!isAlnum(b)) return -1;
  }
  return limit === end && end - i < 5 + WATCH_MAX_ID ? 0 : -1;
}

export function watchFrameLength(buf: Buffer, offset: number, end: number, scan?: FrameScan): number {
  if (buf[offset] !== OPEN) return skipToMarker(buf, offset, end, OPEN, scan);
  const header = headerAt(buf, offset, end);
  if (header <= 0) return header < 0 ? -1 : 0;
  const limit = Math.min(end, offset + WATCH_MAX_FRAME);
  const view = limit === buf.length ? buf : buf.subarray(0, limit);
  // bracket to bracket (native searches: voice frames are long), counting depth
  let depth = 1;
  let open = view.indexOf(OPEN, offset + 1);
  let close = view.indexOf(CLOSE, offset + 1);
  let result = 0;
  while (close >= 0 || open >= 0) {
    if (close >= 0 && (open < 0 || close < open)) {
      if (--depth === 0) {
        result = close + 1 - offset;
        break;
      }
      close = view.indexOf(CLOSE, close + 1);
    } else {
      // a Wi-Fi name's bracket nests; the next frame's header means this one never ended
      if (headerAt(buf, open, end) > 0) {
        result = -(open - offset);
        break;
      }
      depth++;
      open = view.indexOf(OPEN, open + 1);
    }
  }
  if (scan) scan.work += result > 0 ? result : result < 0 ? -result : limit - offset;
  if (result !== 0 || limit - offset < WATCH_MAX_FRAME) return result;
  return -(limit - offset); // longer than any frame: junk
}

/** The header in full: maker, ID, an optional index, the 4-hex length. */
export const WATCH_HEADER = /^\[([0-9A-Za-z]{2})\*([0-9A-Za-z]{1,20})\*(?:([0-9A-Fa-f]{4})\*)?([0-9A-Fa-f]{4})\*/;
/** What a header can still grow into while it is incomplete. */
const HEADER_PREFIX =
  /^\[(?:[0-9A-Za-z]{0,2}|[0-9A-Za-z]{2}\*[0-9A-Za-z]{0,20}|[0-9A-Za-z]{2}\*[0-9A-Za-z]{1,20}\*[0-9A-Fa-f]{0,4}|[0-9A-Za-z]{2}\*[0-9A-Za-z]{1,20}\*[0-9A-Fa-f]{4}\*[0-9A-Fa-f]{0,4})$/;

/** A connection is a watch's when its first frame has the full header and its brackets close. */
export function detectWatch(buf: Buffer, offset: number, end: number): Detect {
  if (buf[offset] !== OPEN) return Detect.No;
  const head = buf.toString('latin1', offset, Math.min(end, offset + 40));
  if (!WATCH_HEADER.test(head)) return HEADER_PREFIX.test(head) ? Detect.More : Detect.No;
  const n = watchFrameLength(buf, offset, end);
  return n > 0 ? Detect.Yes : n === 0 ? Detect.More : Detect.No;
}

/**
 * Binary content is escaped: `7d 01` `}`, `7d 02` `[`, `7d 03` `]`, `7d 04` `,`, `7d 05` `*`. Returns the
 * content unescaped, and whether every `7d` was a known escape (a text field may hold a raw `}`: kept as is).
 */
export function unescapeContent(content: Buffer): { data: Buffer; clean: boolean } {
  let at = content.indexOf(0x7d);
  if (at < 0) return { data: content, clean: true };
  const out = Buffer.allocUnsafe(content.length);
  content.copy(out, 0, 0, at);
  let n = at;
  let clean = true;
  for (; at < content.length; at++) {
    const b = content[at];
    const next = content[at + 1];
    if (b === 0x7d && next >= 1 && next <= 5) {
      out[n++] = UNESCAPED[next];
      at++;
    } else {
      if (b === 0x7d) clean = false;
      out[n++] = b;
    }
  }
  return { data: out.subarray(0, n), clean };
}

const UNESCAPED = [0, 0x7d, 0x5b, 0x5d, 0x2c, 0x2a];
const ESCAPED: Readonly<Record<number, number>> = { 0x7d: 1, 0x5b: 2, 0x5d: 3, 0x2c: 4, 0x2a: 5 };

/** Escapes binary content for a command (the reverse of unescapeContent). */
export function escapeContent(data: Buffer): Buffer {
  let extra = 0;
  for (const b of data) if (ESCAPED[b]) extra++;
  if (!extra) return data;
  const out = Buffer.allocUnsafe(data.length + extra);
  let n = 0;
  for (const b of data) {
    const e = ESCAPED[b];
    if (e) {
      out[n++] = 0x7d;
      out[n++] = e;
    } else out[n++] = b;
  }
  return out;
}
