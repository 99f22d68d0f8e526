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
