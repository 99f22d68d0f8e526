/** Unit conversions the text protocols share. */

export const KNOTS_TO_KMH = 1.852;

/** km/h from knots, to 0.01 km/h. */
export function knotsToKmh(knots: number): number {
  return Math.round(knots * KNOTS_TO_KMH * 100) / 100;
}

/** A number from a text field, or undefined when the field is empty or not a number. */
export function numberField(s: string | undefined): number | undefined {
  if (s === undefined) return undefined;
  const t = s.trim();
  if (t === '') return undefined;
  const v = Number(t);
  return Number.isFinite(v) ? v : undefined;
}

/** A hexadecimal text field as a number, or undefined. */
export function hexField(s: string | undefined): number | undefined {
  const t = s?.trim();
  return t && /^[0-9A-Fa-f]{1,12}$/.test(t) ? parseInt(t, 16) : undefined;
}
