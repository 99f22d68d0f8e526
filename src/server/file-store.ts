/**
 * State kept in a JSON file: written atomically (temp file + rename), at most every `delayMs`. Timed writes run in
 * the background a slice at a time, so that a large state (100,000 devices is tens of MB of JSON) never holds the
 * event loop for long: the devices' replies go out between the slices. `flush()` writes at once (on close).
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { open } from 'node:fs/promises';
import { dirname } from 'node:path';
import type { CommandStore, PersistedCommands } from './command-queue';

/** Longest stretch of serialising before a background write lets other work run, ms. */
const SLICE_MS = 4;

/** A background write under way: a `flush()` or `remove()` meanwhile cancels it (its temp file is dropped). */
interface BackgroundWrite<T> {
  state: T;
  cancelled: boolean;
}

/**
 * `T`: what the file holds (what `load()` returns); `Saved`: what `save()` takes, by default the same. A state may
 * hold Maps (two levels deep at most): they are written as objects, so a large map need not be copied to be saved.
 */
export class JsonFile<T, Saved = T> {
  private pending: Saved | (() => Saved) | undefined;
  private timer: NodeJS.Timeout | undefined;
  private writing: BackgroundWrite<Saved> | undefined;

  constructor(
    readonly path: string,
    private readonly delayMs = 200,
    private readonly onError: (err: Error) => void = () => {},
  ) {}

  /** The saved state, or undefined when there is none (a missing file is not an error). */
  load(): T | undefined {
    try {
      return JSON.parse(readFileSync(this.path, 'utf8'));
    } catch (err) {
      if ((err as NodeJS.ErrnoException).code !== 'ENOENT') this.onError(err as Error);
      return undefined;
    }
  }

  /**
   * Schedules a write; several saves within `delayMs` (or during a background write) become one write of the last
   * state. Pass a function to build the state only when the write happens (large states saved on every change).
   */
  save(state: Saved | (() => Saved)): void {
    this.pending = state;
    if (!this.timer && !this.writing) this.schedule();
  }

  /** Forgets pending writes and deletes the file (the owner was removed for good). */
  remove(): void {
    this.cancelTimer();
    this.pending = undefined;
    if (this.writing) this.writing.cancelled = true;
    this.writing = undefined;
    try {
      rmSync(this.path, { force: true });
    } catch (err) {
      this.onError(err as Error);
    }
  }

  /** Writes what is pending, or what a background write was writing, now (call on shutdown). */
  flush(): void {
    this.cancelTimer();
    const pending = this.pending ?? this.writing?.state;
    this.pending = undefined;
    if (this.writing) this.writing.cancelled = true;
    this.writing = undefined;
    if (pending === undefined) return;
    try {
      const state = typeof pending === 'function' ? (pending as () => Saved)() : pending;
      mkdirSync(dirname(this.path), { recursive: true });
      const tmp = `${this.path}.tmp`;
      writeFileSync(tmp, [...jsonParts(state)].join(''));
      renameSync(tmp, this.path);
    } catch (err) {
      this.onError(err as Error);
    }
  }

  private schedule(): void {
    this.timer = setTimeout(() => {
      this.timer = undefined;
      void this.writeInBackground();
    }, this.delayMs);
    this.timer.unref();
  }

  private cancelTimer(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
  }

  /** Serialises the pending state a slice at a time into a temp file of its own, then renames it over the file. */
  private async writeInBackground(): Promise<void> {
    const pending = this.pending;
    this.pending = undefined;
    if (pending === undefined) return;
    const tmp = `${this.path}.background.tmp`;
    let job: BackgroundWrite<Saved> | undefined;
    try {
      job = { state: typeof pending === 'function' ? (pending as () => Saved)() : pending, cancelled: false };
      this.writing = job;
      mkdirSync(dirname(this.path), { recursive: true });
      const file = await open(tmp, 'w');
      try {
        let slice: string[] = [];
        let started = performance.now();
        let count = 0;
        for (const part of jsonParts(job.state)) {
          slice.push(part);
          if (++count % 256 !== 0 || performance.now() - started < SLICE_MS) continue;
          await file.write(slice.join(''));
          slice = [];
          if (job.cancelled) break;
          await new Promise((r) => setImmediate(r));
          started = performance.now();
          if (job.cancelled) break;
        }
        if (!job.cancelled) await file.write(slice.join(''));
      } finally {
        await file.close();
      }
      // no await between the check and the rename: a flush() cannot slip in between
      if (job.cancelled) rmSync(tmp, { force: true });
      else renameSync(tmp, this.path);
    } catch (err) {
      if (!job?.cancelled) this.onError(err as Error);
    } finally {
      if (this.writing === job) this.writing = undefined;
      if (this.pending !== undefined && !this.timer && !this.writing) this.schedule();
    }
  }
}

/**
 * The JSON text of `value` (as JSON.stringify writes it) in parts: the members of its objects, arrays and Maps (as
 * objects) two levels deep one by one (a state's lists of devices), each member below that whole. A Map that changes
 * meanwhile is read as Map iteration reads it: a key moved to the end may come twice (the later wins when parsed).
 */
export function* jsonParts(value: unknown, depth = 0): Generator<string> {
  if (
    depth >= 2 ||
    value === null ||
    typeof value !== 'object' ||
    typeof (value as { toJSON?: unknown }).toJSON === 'function'
  ) {
    yield JSON.stringify(value) ?? 'null';
    return;
  }
  const skipped = (v: unknown) => v === undefined || typeof v === 'function' || typeof v === 'symbol';
  if (value instanceof Map) {
    yield '{';
    let first = true;
    for (const [key, v] of value) {
      if (skipped(v)) continue;
      yield `${first ? '' : ','}${JSON.stringify(String(key))}:`;
      first = false;
      yield* jsonParts(v, depth + 1);
    }
    yield '}';
    return;
  }
  if (Array.isArray(value)) {
    yield '[';
    for (let i = 0; i < value.length; i++) {
      if (i > 0) yield ',';
      if (skipped(value[i])) yield 'null';
      else yield* jsonParts(value[i], depth + 1);
    }
    yield ']';
    return;
  }
  yield '{';
  let first = true;
  for (const key of Object.keys(value)) {
    const v = (value as Record<string, unknown>)[key];
    if (skipped(v)) continue;
    yield `${first ? '' : ','}${JSON.stringify(key)}:`;
    first = false;
    yield* jsonParts(v, depth + 1);
  }
  yield '}';
}

/** The command queue's store in a JSON file. */
export class JsonFileStore extends JsonFile<PersistedCommands> implements CommandStore {}
