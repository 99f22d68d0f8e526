/**
 * Counts the bytes a framer examined. Framers take one as an optional last argument, so that tests can check
 * that framing stays linear in the bytes whatever arrives (many start markers in a row included).
 */
export interface ScanWork {
  work: number;
}

/** Junk before the next `marker` byte after `offset` (all of it up to `end` when there is none), as a framer's < 0. */
export function skipToMarker(buf: Buffer, offset: number, end: number, marker: number, scan?: ScanWork): number {
  const next = buf.indexOf(marker, offset + 1);
  const skip = next < 0 || next >= end ? end - offset : next - offset;
  if (scan) scan.work += skip;
  return -skip;
}
