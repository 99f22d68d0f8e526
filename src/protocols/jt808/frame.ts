/**
 * JT/T 808 stream framing (docs/protocols/jt808.md): `7e` + escaped(header + body + XOR) + `7e`, with `7d 01` ->
 * `7d` and `7d 02` -> `7e`. Two vendor forms share the connection: ASCII e-lock frames `(...)` and
 * frames delimited by `e7` with their own escapes. Junk before a delimiter is skipped.
 */
import { Detect } from '../codec';
import { parenHead, parenProtocol, parenRuledOut } from '../common/paren';
import { newSearch, type FrameScan } from '../common/scan';

/** Worst case: every byte of a 1023-byte body and a 2019 header escaped, plus delimiters. */
export const JT808_MAX_FRAME = 2 * (1 + 2 + 2 + 1 + 10 + 2 + 4 + 1023 + 1) + 2;
const MAX_TEXT_FRAME = 1024;

const OPEN_PAREN = 0x28;
const CLOSE_PAREN = 0x29;
/** The search for the end of a `(` text frame: its `)`, or a byte that is not text (see FrameScan). */
const TEXT_END = newSearch(1);

/**
 * A connection is JT/T 808 when its first frame is one: a terminal speaks first with an uplink message (ID
 * below 0x8000, or the vendor 0x8888), and the frame's check code or its body length agrees with its
 * header. Junk that merely contains a `7e` is not claimed.
 */
export function detectJt808(buf: Buffer, offset: number, end: number, scan?: FrameScan): Detect {
  const first = buf[offset];
  if (first === OPEN_PAREN) return detectElock(buf, offset, end);
  if (first !== 0x7e && first !== 0xe7) return Detect.No;
  if (end - offset < 3) return Detect.More;
  const id = (buf[offset + 1] << 8) | buf[offset + 2];
  if (id >= 0x8000 && id !== 0x8888) return Detect.No;
  const n = jt808FrameLength(buf, offset, end, scan);
  if (n === 0) return Detect.More;
  if (n < 0) return Detect.No;
  return frameIsConsistent(unescapeFrame(buf.subarray(offset, offset + n)), first === 0xe7) ? Detect.Yes : Detect.No;
}

/** What an e-lock frame start can still grow into: `(` + 12 digits + `,` serial `,` 3-digit type. */
const ELOCK_PREFIX = /^\((?:\d{0,12}|\d{12},\d*|\d{12},\d+,\d{0,3})$/;

/**
 * An e-lock text frame opens a connection when the `(` rules (common/paren.ts) name JT/T 808 and it is whole
 * text. The search stops at the next `(` too, so searches from successive start markers never overlap.
 */
function detectElock(buf: Buffer, offset: number, end: number): Detect {
  if (parenRuledOut(buf, offset, end)) return Detect.No;
  const head = parenHead(buf, offset, end);
  if (parenProtocol(head) !== 'jt808') return ELOCK_PREFIX.test(head) ? Detect.More : Detect.No;
  const limit = Math.min(end, offset + MAX_TEXT_FRAME);
  for (let i = offset + 1; i < limit; i++) {
    const b = buf[i];
    if (b === CLOSE_PAREN) return Detect.Yes;
    if (b === OPEN_PAREN || b < 0x20 || b > 0x7e) return Detect.No;
  }
  return limit - offset < MAX_TEXT_FRAME ? Detect.More : Detect.No;
}

/** The check code matches, or the declared body length matches the bytes carried. */
export function frameIsConsistent(m: Buffer, alternative: boolean): boolean {
  if (m.length < 13) return false;
  let x = 0;
  for (let i = 0; i < m.length - 1; i++) x ^= m[i];
  if (x === m[m.length - 1]) return true;
  const props = m.readUInt16BE(2);
  const header = 4 + (props & 0x4000 ? 11 : alternative ? 7 : 6) + 2 + (props & 0x2000 ? 4 : 0);
  return m.length - 1 - header === (props & 0x3ff);
}

export function jt808FrameLength(buf: Buffer, offset: number, end: number, scan?: FrameScan): number {
  const first = buf[offset];
  if (first === 0x7e || first === 0xe7) {
    const limit = Math.min(end, offset + JT808_MAX_FRAME);
    for (let i = offset + 1; i < limit; i++) {
      if (buf[i] !== first) continue;
      // `7e 7e`: the first closed a frame we never saw; the second opens the next one.
      if (i === offset + 1) return -1;
      return i + 1 - offset;
    }
    if (limit - offset >= JT808_MAX_FRAME) return -1; // no closing delimiter within the longest frame
    return 0;
  }
  if (first === OPEN_PAREN) {
    // `(` is text too, so a run of them would have each search read up to the same `)`: see FrameScan
    const limit = Math.min(end, offset + MAX_TEXT_FRAME);
    const from = offset + 1;
    const resumed = scan ? scan.resume(TEXT_END, buf, end, from) : from;
    let i = resumed;
    while (i < limit && buf[i] !== CLOSE_PAREN && buf[i] >= 0x20 && buf[i] <= 0x7e) i++;
    scan?.searched(TEXT_END, from, resumed, i);
    if (i < limit) return buf[i] === CLOSE_PAREN ? i + 1 - offset : -1; // not text: junk that holds a "("
    return limit - offset >= MAX_TEXT_FRAME ? -1 : 0;
  }
  for (let i = offset + 1; i < end; i++) {
    const b = buf[i];
    if (b === 0x7e || b === 0xe7 || b === OPEN_PAREN) return -(i - offset);
  }
  return -(end - offset);
}

/**
 * The frame without its delimiters, escapes undone. `7e`-delimited frames use `7d 01`/`7d 02`; the
 * `e7` variant uses `e6 01`->`e6`, `e6 02`->`e7`, `3e 01`->`3e`, `3e 02`->`3d`. An escape byte followed by
 * anything else is dropped with its follower (what terminals and Traccar do).
 */
export function unescapeFrame(frame: Buffer): Buffer {
  const alternative = frame[0] === 0xe7;
  const end = frame.length - 1;
  let escapes = 0;
  for (let i = 1; i < end; i++) {
    const b = frame[i];
    if (alternative ? b === 0xe6 || b === 0x3e : b === 0x7d) escapes++;
  }
  if (escapes === 0) return frame.subarray(1, end);
  const out = Buffer.allocUnsafe(end - 1);
  let n = 0;
  for (let i = 1; i < end; i++) {
    const b = frame[i];
    if (!alternative && b === 0x7d) {
      const next = frame[++i];
      if (next === 0x01) out[n++] = 0x7d;
      else if (next === 0x02) out[n++] = 0x7e;
    } else if (alternative && (b === 0xe6 || b === 0x3e)) {
      const next = frame[++i];
      if (b === 0xe6 && next === 0x01) out[n++] = 0xe6;
      else if (b === 0xe6 && next === 0x02) out[n++] = 0xe7;
      else if (b === 0x3e && next === 0x01) out[n++] = 0x3e;
      else if (b === 0x3e && next === 0x02) out[n++] = 0x3d;
    } else out[n++] = b;
  }
  return out.subarray(0, n);
}

/** Wraps unescaped content (header + body + checksum) in delimiters, escaping `7e` and `7d`. */
export function escapeFrame(content: Buffer, delimiter = 0x7e): Buffer {
  let extra = 0;
  const alternative = delimiter === 0xe7;
  for (let i = 0; i < content.length; i++) {
    const b = content[i];
    if (alternative ? b === 0xe7 || b === 0xe6 || b === 0x3e || b === 0x3d : b === 0x7e || b === 0x7d) extra++;
  }
  const out = Buffer.allocUnsafe(content.length + extra + 2);
  let n = 0;
  out[n++] = delimiter;
  for (let i = 0; i < content.length; i++) {
    const b = content[i];
    if (!alternative && (b === 0x7e || b === 0x7d)) {
      out[n++] = 0x7d;
      out[n++] = b === 0x7d ? 0x01 : 0x02;
    } else if (alternative && (b === 0xe7 || b === 0xe6)) {
      out[n++] = 0xe6;
      out[n++] = b === 0xe6 ? 0x01 : 0x02;
    } else if (alternative && (b === 0x3e || b === 0x3d)) {
      out[n++] = 0x3e;
      out[n++] = b === 0x3e ? 0x01 : 0x02;
    } else out[n++] = b;
  }
  out[n++] = delimiter;
  return out;
}
