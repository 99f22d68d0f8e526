/** NMEA-style coordinates as the text protocols write them. */

const DEGREES_MINUTES = /^(\d{0,3})(\d\d\.\d+)$/;

/**
 * Degrees from `(D)DDMM.MMMM` (0 to 3 degree digits, any number of decimals), or NaN when the text is not in
 * that form or the minutes are 60 or more. The sign comes from the hemisphere, not from here.
 */
export function degreesMinutes(text: string): number {
  const m = DEGREES_MINUTES.exec(text);
  if (!m) return NaN;
  const minutes = Number(m[2]);
  return minutes < 60 ? Number(m[1] || 0) + minutes / 60 : NaN;
}

/** Applies a hemisphere letter: S and W are negative. */
export function withHemisphere(degrees: number, hemisphere: string): number {
  return hemisphere === 'S' || hemisphere === 'W' ? -degrees : degrees;
}

/** True when both values are finite and on the globe. */
export function onGlobe(lat: number, lon: number): boolean {
  return Number.isFinite(lat) && Number.isFinite(lon) && Math.abs(lat) <= 90 && Math.abs(lon) <= 180;
}
