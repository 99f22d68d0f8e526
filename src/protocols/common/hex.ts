/** Diagnostic hex of the first `max` bytes of a range (never used on the hot path of good frames). */
export function hexPreview(buf: Uint8Array, start = 0, end = buf.length, max = 64): string {
  const stop = Math.min(end, start + max);
  const s = Buffer.from(buf.buffer, buf.byteOffset + start, stop - start).toString('hex');
  return stop < end ? `${s}…` : s;
}

/** `0a`, `01ff`: a number as lower-case hex of a fixed width, for messages and keys. */
export function hexByte(n: number): string {
  return n.toString(16).padStart(2, '0');
}

export function hexWord(n: number): string {
  return n.toString(16).padStart(4, '0');
}
