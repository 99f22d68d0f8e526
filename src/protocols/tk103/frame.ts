/**
 * TK103 stream framing (docs/protocols/tk103.md): ASCII frames `(`...`)`, no length, no checksum. A frame ends at
 * the first `)` with an even number of `$` since its `(`: command results carry free text between `$` signs
 * that may hold `)`, CR and LF. One pass over the bytes: a `(` outside such text, or a byte that is not text,
 * means the frame was cut off (the device restarted mid-frame), so the stream resynchronises there; a frame
 * longer than 1024 bytes is dropped.
 */
import { Detect } from '../codec';
import { parenHead, parenProtocol, parenRuledOut } from '../common/paren';
import { skipToMarker, type FrameScan } from '../common/scan';

export const TK103_MAX_FRAME = 1024;
const OPEN = 0x28;
const CLOSE = 0x29;
const DOLLAR = 0x24;

/** Text a frame may carry outside `$...$`: printable ASCII, tab, CR, LF (cell lists come one per line). */
function isText(b: number): boolean {
  return (b >= 0x20 && b <= 0x7e) || b === 0x0a || b === 0x0d || b === 0x09;
}

/**
 * The frame at `offset` (a `(`): > 0 its length, 0 incomplete, < 0 junk to skip. `strict` (detection): a `(`
 * inside `$...$` text also ends the search, so that every search stops at the next `(` and the searches from
 * successive start markers never cover the same bytes.
 */
function scanFrame(buf: Buffer, offset: number, end: number, strict: boolean, scan?: FrameScan): number {
  const limit = Math.min(end, offset + TK103_MAX_FRAME);
  let inText = false;
  // a `(` inside `$...$` text: where to resynchronise if this frame never closes
  let openInText = -1;
  let i = offset + 1;
  let result = 0;
  for (; i < limit; i++) {
    const b = buf[i];
    if (b === DOLLAR) inText = !inText;
    else if (inText) {
      if (b === OPEN) {
        if (strict) {
          result = -(i - offset);
          break;
        }
        if (openInText < 0) openInText = i;
      }
    } else if (b === CLOSE) {
      result = i + 1 - offset;
      break;
    } else if (b === OPEN || !isText(b)) {
      result = -(i - offset);
      break;
    }
  }
  if (scan) scan.work += i - offset;
  if (result !== 0 || limit - offset < TK103_MAX_FRAME) return result;
  // Too long: everything scanned is junk up to the first `(` that was inside text (it may start a frame).
  return -((openInText > 0 ? openInText : limit) - offset);
}

export function tk103FrameLength(buf: Buffer, offset: number, end: number, scan?: FrameScan): number {
  if (buf[offset] !== OPEN) return skipToMarker(buf, offset, end, OPEN, scan);
  return scanFrame(buf, offset, end, false, scan);
}

/** What a TK103 frame start can still grow into while the rules cannot tell yet. */
const TK103_PREFIX = /^\((?:[0-9A-Za-z]{0,20}|[0-9A-Za-z]{1,20},[A-Z]{0,2}|[0-9A-Za-z]{1,20},[A-Z]{2}[0-9A-Z]{0,2})$/;

/**
 * A connection is TK103 when the `(` rules (common/paren.ts) name it for a complete first frame (one without
 * a `(` inside, which a later frame will not have either).
 */
export function detectTk103(buf: Buffer, offset: number, end: number, scan?: FrameScan): Detect {
  if (buf[offset] !== OPEN || parenRuledOut(buf, offset, end)) return Detect.No;
  const head = parenHead(buf, offset, end);
  if (parenProtocol(head) !== 'tk103') return TK103_PREFIX.test(head) ? Detect.More : Detect.No;
  const n = scanFrame(buf, offset, end, true, scan);
  return n > 0 ? Detect.Yes : n === 0 ? Detect.More : Detect.No;
}
