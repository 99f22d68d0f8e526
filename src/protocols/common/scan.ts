/**
 * What framers remember between calls on the same bytes, so that framing and detection cost O(bytes) whatever
 * arrives. A framer that searches ahead for the end of a frame (a `0d 0a`, a `)`, a CR LF followed by the next
 * header) and finds none is asked again from the next start marker, and again from the one after: 64 KiB of start
 * markers would have it rescan the rest of the buffer once per marker. Each such search is a `search()` kind
 * whose predicate depends on the position alone (never on where the frame started); the session hands one
 * FrameScan to every `frameLength` and `detect` call of a push, and a search that has already looked at
 * [from, to) and found nothing resumes at `to`. A search whose answer depends on its start (bracket depth, text
 * between `$` signs) must instead stop at the next start marker, so that searches from successive markers never
 * cover the same bytes.
 */

/** The kinds of search, numbered once per framer module. */
let kinds = 0;

/** A new kind of search (call once per predicate, at module load). */
export function newSearch(): number {
  return kinds++;
}

export class FrameScan {
  /** Bytes examined by the framers that count them (tests check that framing stays linear). */
  work = 0;
  private bytes: Uint8Array | undefined;
  private end = -1;
  private generation = 1;
  /** Per kind: the generation its interval belongs to, and [lo, hi), where its predicate holds nowhere. */
  private readonly gen: number[] = [];
  private readonly lo: number[] = [];
  private readonly hi: number[] = [];

  /** Forgets every search (the bytes changed: a new push). */
  reset(): void {
    this.bytes = undefined;
    this.generation++;
  }

  /**
   * Where search `kind` for the first position >= `at` in buf[.., end) has to start looking: `at`, or further
   * on when an earlier search over the same bytes found nothing between `at` and there. The position returned
   * may be a match found earlier (the caller tests it again, once), or lie past the caller's limit (no match).
   */
  resume(kind: number, buf: Uint8Array, end: number, at: number): number {
    if (buf !== this.bytes || end !== this.end) {
      this.bytes = buf;
      this.end = end;
      this.generation++;
      return at;
    }
    return this.gen[kind] === this.generation && this.lo[kind] <= at && at <= this.hi[kind] ? this.hi[kind] : at;
  }

  /**
   * Search `kind` began at `at` (its `resume` answer: `from`) and stopped at `stop`: a match, or its limit.
   * The predicate holds nowhere in [at, stop).
   */
  searched(kind: number, at: number, from: number, stop: number): void {
    this.work += stop - from;
    if (this.gen[kind] === this.generation && this.lo[kind] <= at && at <= this.hi[kind]) {
      if (stop > this.hi[kind]) this.hi[kind] = stop;
      return;
    }
    this.gen[kind] = this.generation;
    this.lo[kind] = at;
    this.hi[kind] = stop;
  }
}

/** Junk before the next `marker` byte after `offset` (all of it up to `end` when there is none), as a framer's < 0. */
export function skipToMarker(buf: Buffer, offset: number, end: number, marker: number, scan?: FrameScan): number {
  const next = buf.indexOf(marker, offset + 1);
  const skip = next < 0 || next >= end ? end - offset : next - offset;
  if (scan) scan.work += skip;
  return -skip;
}
