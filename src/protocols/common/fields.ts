/** Field readers for the comma-separated text protocols (TK103, watches): empty or bad text reads as undefined. */

/** A decimal number (`-1`, `0.7031`, ` 46.0`), or undefined when the field is empty or not a number. */
export function decimal(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const t = s.trim();
  if (t === '') return undefined;
  const v = Number(t);
  return Number.isFinite(v) ? v : undefined;
}

/** Hex digits as a number, or undefined. */
export function hexNumber(s: string | undefined): number | undefined {
  return s !== undefined && /^[0-9A-Fa-f]{1,13}$/.test(s) ? parseInt(s, 16) : undefined;
}

/**
 * `ddmm.mmmm` / `dddmm.mmmm` (any number of degree digits, none for less than a degree) with its hemisphere
 * letter, as signed decimal degrees; undefined when the text is not that.
 */
export function degreesMinutes(value: string, hemisphere: string): number | undefined {
  const m = /^\s*(\d*?)(\d{1,2}\.\d+)$/.exec(value);
  if (!m) return undefined;
  const degrees = Number(m[1] || '0') + Number(m[2]) / 60;
  return hemisphere === 'S' || hemisphere === 'W' ? -degrees : degrees;
}
