/** NMEA-style coordinates as the text protocols write them. */

const isDigitCode = (c: number) => c >= 48 && c <= 57;

/**
 * Degrees from `(D)DDMM.MMMM` (0 to 3 degree digits, any number of decimals), or NaN when the text is not in
 * that form or the minutes are 60 or more. The sign comes from the hemisphere, not from here. (Read by hand:
 * every text position passes here, twice.)
 */
export function degreesMinutes(text: string): number {
  const dot = text.indexOf('.');
  if (dot < 2 || dot > 5 || dot === text.length - 1) return NaN;
  for (let i = 0; i < text.length; i++) if (i !== dot && !isDigitCode(text.charCodeAt(i))) return NaN;
  const minutes = Number(text.slice(dot - 2));
  return minutes < 60 ? (dot > 2 ? Number(text.slice(0, dot - 2)) : 0) + minutes / 60 : NaN;
}

/** Applies a hemisphere letter: S and W are negative. */
export function withHemisphere(degrees: number, hemisphere: string): number {
  return hemisphere === 'S' || hemisphere === 'W' ? -degrees : degrees;
}
