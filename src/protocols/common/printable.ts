/**
 * Text a device supplied (its ID, a sentence, a field), made safe for a log line or a node status: a device must not
 * be able to end a log line and forge the next one, move the cursor or change colours. One helper for every place
 * such text is shown.
 */

/** Characters shown as they are: printable ASCII. Everything else is escaped. */
const UNSAFE = /[^\x20-\x7e]/;
const UNSAFE_ALL = /[^\x20-\x7e]/gu;

/** Longest text shown by default; the rest is counted, not shown. */
export const PRINTABLE_MAX = 300;

function escapeChar(c: string): string {
  const code = c.codePointAt(0)!;
  if (code <= 0xff) return `\\x${code.toString(16).padStart(2, '0')}`;
  return `\\u{${code.toString(16)}}`;
}

/**
 * `text` with control characters and anything not printable ASCII shown as `\xNN` (`\u{NNNN}` above 0xff),
 * cut to `max` characters (the cut says how many were left out). Printable text comes back as it is, so applying
 * it twice changes nothing.
 */
export function printable(text: string, max = PRINTABLE_MAX): string {
  const shown = UNSAFE.test(text) ? text.replace(UNSAFE_ALL, escapeChar) : text;
  if (shown.length <= max) return shown;
  const keep = Math.max(0, max - 24);
  return `${shown.slice(0, keep)}... (${shown.length - keep} more)`;
}
