/**
 * What framers remember between calls on the same bytes, so that framing and detection cost O(bytes) whatever
 * arrives. A framer that searches ahead for the end of a frame (a `0d 0a`, a `)`, a CR LF followed by the next
 * header) and finds none is asked again from the next start marker, and again from the one after: 64 KiB of start
 * markers would have it rescan the rest of the buffer once per marker; and bytes arriving a few at a time would
 * have it rescan what it holds at every push. Each such search is a `newSearch()` kind whose predicate depends
 * on the position alone (never on where the frame started); the session hands one FrameScan to every
 * `frameLength` and `detect` call, and a search that has already looked at [from, to) and found nothing resumes
 * at `to`, in the same push or, for the part no later byte can change, in the next one. A search whose answer
 * depends on its start (bracket depth, text between `$` signs) must instead stop at the next start marker, so
 * that searches from successive markers never cover the same bytes.
 */

/** Per kind of search: how many bytes after a position its predicate reads (see `searched`). */
const lookaheads: number[] = [];

/**
 * A new kind of search (call once per predicate, at module load). `lookahead`: how many bytes after a position
 * the predicate reads: where fewer have arrived, a later byte may change its answer.
 */
export function newSearch(lookahead: number): number {
  lookaheads.push(lookahead);
  return lookaheads.length - 1;
}

export class FrameScan {
  /** Bytes examined by the framers that count them (tests check that framing stays linear). */
  work = 0;
  /**
   * Set by a detector that answers More when no byte before the stream reaches this length can turn its answer
   * into Yes (the frame it waits for has a declared length): the session asks that offset again only then. The
   * bytes may still arrive a few at a time, and a run of markers all waiting for the same bytes would have every
   * one asked again at every push. Left 0: any byte may.
   */
  waitUntil = 0;
  private bytes: Uint8Array | undefined;
  private end = -1;
  private generation = 1;
  /**
   * Per kind: the generation its interval belongs to, and [lo, hi) where its predicate holds nowhere, of which
   * [lo, firm) whatever bytes come after `end`.
   */
  private readonly gen: number[] = [];
  private readonly lo: number[] = [];
  private readonly hi: number[] = [];
  private readonly firm: number[] = [];

  /**
   * The session begins a push over buf[0, end). `held`: its first bytes are those `hold` kept, so what was
   * found about them still holds; otherwise everything is forgotten.
   */
  begin(buf: Uint8Array, end: number, held: boolean): void {
    if (!held || this.bytes === undefined) this.generation++;
    this.bytes = buf;
    this.end = end;
  }

  /**
   * The session keeps buf[from, end) for the next push (it will be at offset 0 there): what no later byte can
   * change is kept, shifted.
   */
  hold(from: number): void {
    for (let kind = 0; kind < this.gen.length; kind++) {
      if (this.gen[kind] !== this.generation) continue;
      const lo = Math.max(0, this.lo[kind] - from);
      const hi = this.firm[kind] - from;
      if (hi <= lo) {
        this.gen[kind] = 0;
        continue;
      }
      this.lo[kind] = lo;
      this.hi[kind] = hi;
      this.firm[kind] = hi;
    }
  }

  /** Whether `hold` kept anything (a session keeps its own FrameScan only then). */
  carries(): boolean {
    for (let kind = 0; kind < this.gen.length; kind++) if (this.gen[kind] === this.generation) return true;
    return false;
  }

  /** Takes over what `other` holds (see `hold`): the session's own FrameScan, from the one pushes share. */
  copyFrom(other: FrameScan): void {
    this.bytes = other.bytes;
    this.end = other.end;
    this.generation = other.generation;
    this.gen.length = other.gen.length;
    for (let kind = 0; kind < other.gen.length; kind++) {
      this.gen[kind] = other.gen[kind];
      this.lo[kind] = other.lo[kind];
      this.hi[kind] = other.hi[kind];
      this.firm[kind] = other.firm[kind];
    }
  }

  /**
   * Where search `kind` for the first position >= `at` in buf[.., end) has to start looking: `at`, or further
   * on when an earlier search over the same bytes found nothing between `at` and there. The position returned
   * may be a match found earlier (the caller tests it again, once), or lie past the caller's limit (no match).
   * Bytes the session did not `begin` with (a framer called on its own) are new bytes: nothing is known.
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
   * Search `kind` began at `at` (its `resume` answer: `from`) and stopped at `stop`, a match or its limit: the
   * predicate holds nowhere in [at, stop). `settled`: where a later byte could change that, when the predicate
   * reads further than its lookahead (a frame that has not arrived whole).
   */
  searched(kind: number, at: number, from: number, stop: number, settled = stop): void {
    this.work += stop - from;
    const firm = Math.min(settled, stop, this.end - lookaheads[kind]);
    if (this.gen[kind] === this.generation && this.lo[kind] <= at && at <= this.hi[kind]) {
      if (stop <= this.hi[kind]) return;
      // what the earlier searches left unsettled stays so: this one resumed after it
      if (this.firm[kind] === this.hi[kind]) this.firm[kind] = Math.max(this.firm[kind], firm);
      this.hi[kind] = stop;
      return;
    }
    this.gen[kind] = this.generation;
    this.lo[kind] = at;
    this.hi[kind] = stop;
    this.firm[kind] = Math.max(at, firm);
  }
}

/** Junk before the next `marker` byte after `offset` (all of it up to `end` when there is none), as a framer's < 0. */
export function skipToMarker(buf: Buffer, offset: number, end: number, marker: number, scan?: FrameScan): number {
  const next = buf.indexOf(marker, offset + 1);
  const skip = next < 0 || next >= end ? end - offset : next - offset;
  if (scan) scan.work += skip;
  return -skip;
}
