/** Field readers for the comma-separated text protocols (TK103, watches): empty or bad text reads as undefined. */

/** A decimal number (`-1`, `0.7031`, ` 46.0`), or undefined when the field is empty or not a number. */
export function decimal(s: string | undefined): number | undefined {
  if (s === undefined || s === '') return undefined;
  const v = Number(s); // ignores surrounding spaces, reads blanks as 0
  if (!Number.isFinite(v) || (v === 0 && s.trim() === '')) return undefined;
  return v;
}

/** Hex digits as a number, or undefined. */
export function hexNumber(s: string | undefined): number | undefined {
  return s !== undefined && /^[0-9A-Fa-f]{1,13}$/.test(s) ? parseInt(s, 16) : undefined;
}

/**
 * `ddmm.mmmm` / `dddmm.mmmm` (any number of degree digits, none for less than a degree; leading spaces allowed)
 * with its hemisphere letter, as signed decimal degrees; undefined when the text is not that.
 */
export function degreesMinutes(value: string, hemisphere: string): number | undefined {
  let start = 0;
  while (value.charCodeAt(start) === 0x20) start++;
  const dot = value.indexOf('.', start);
  if (dot < start + 1 || dot === value.length - 1) return undefined;
  for (let i = start; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if ((c < 0x30 || c > 0x39) && i !== dot) return undefined;
  }
  const split = Math.max(start, dot - 2);
  const degrees = (split > start ? Number(value.slice(start, split)) : 0) + Number(value.slice(split)) / 60;
  return hemisphere === 'S' || hemisphere === 'W' ? -degrees : degrees;
}
