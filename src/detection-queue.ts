/**
 * Most offsets remembered (a few KiB per connection): past it, the half asked first are forgotten, to be
 * asked again only when the session gives up the bytes before them (a run of crafted headers, not a device).
 */
const MAX_WAITING = 256;

/**
 * Offsets of the bytes a session holds before it knows the protocol, which some protocol may still claim once more
 * bytes arrive, each with the stream length it needs before it can (FrameScan.waitUntil): the session asks again
 * only the offsets whose bytes have arrived, so that bytes arriving a few at a time do not have every held offset
 * asked again by every protocol. A binary heap ordered by that length.
 */
export class DetectionQueue {
  private readonly until: number[] = [];
  private readonly at: number[] = [];

  get size(): number {
    return this.at.length;
  }

  clear(): void {
    this.until.length = 0;
    this.at.length = 0;
  }

  /** Offset `at` may be claimed once the stream has `until` bytes. */
  push(at: number, until: number): void {
    if (this.at.length >= MAX_WAITING) this.keepLatest(MAX_WAITING / 2);
    const u = this.until;
    const a = this.at;
    let i = a.length;
    u.push(until);
    a.push(at);
    while (i > 0) {
      const parent = (i - 1) >> 1;
      if (u[parent] <= until) break;
      u[i] = u[parent];
      a[i] = a[parent];
      i = parent;
    }
    u[i] = until;
    a[i] = at;
  }

  /** Keeps the `n` offsets asked last (the largest), as a heap again. */
  private keepLatest(n: number): void {
    const order = this.at.map((_, i) => i).sort((x, y) => this.at[y] - this.at[x]);
    const kept = order.slice(0, n).map((i) => [this.at[i], this.until[i]] as const);
    this.clear();
    for (const [at, until] of kept) this.push(at, until);
  }

  /** Moves the offsets whose bytes have arrived (the stream has `length` bytes) to `due`. */
  takeDue(length: number, due: number[]): void {
    const u = this.until;
    const a = this.at;
    while (a.length > 0 && u[0] <= length) {
      due.push(a[0]);
      const lastUntil = u.pop()!;
      const lastAt = a.pop()!;
      const n = a.length;
      if (n === 0) break;
      // sift the last entry down from the root
      let i = 0;
      for (;;) {
        let child = 2 * i + 1;
        if (child >= n) break;
        if (child + 1 < n && u[child + 1] < u[child]) child++;
        if (u[child] >= lastUntil) break;
        u[i] = u[child];
        a[i] = a[child];
        i = child;
      }
      u[i] = lastUntil;
      a[i] = lastAt;
    }
  }
}

/**
 * What a session that does not know its protocol yet remembers about the bytes it holds, in stream offsets
 * (counted from the first byte held when it last held none), so that the next push asks only what may have
 * changed (see TrackerSession.nextDetected).
 */
export class Undetected {
  /** Stream offset of the first held byte. */
  heldAt = 0;
  /** Every offset before it has been asked: no protocol can claim it, or it waits in `waiting`. */
  askedTo = 0;
  /** The first held offset, when it waits, and the stream length it waits for. */
  firstAt = -1;
  firstUntil = 0;
  readonly waiting = new DetectionQueue();
}
