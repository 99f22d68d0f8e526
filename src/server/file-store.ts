/** State kept in a JSON file: written atomically (temp file + rename), at most every `delayMs`. */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CommandStore, PersistedCommands } from './command-queue';

export class JsonFile<T> {
  private pending: T | (() => T) | undefined;
  private timer: NodeJS.Timeout | undefined;

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
   * Schedules a write; several saves within `delayMs` become one write of the last state. Pass a function
   * to build the state only when the write happens (large states saved on every change).
   */
  save(state: T | (() => T)): void {
    this.pending = state;
    if (!this.timer) {
      this.timer = setTimeout(() => this.flush(), this.delayMs);
      this.timer.unref();
    }
  }

  /** Forgets pending writes and deletes the file (the owner was removed for good). */
  remove(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    this.pending = undefined;
    try {
      rmSync(this.path, { force: true });
    } catch (err) {
      this.onError(err as Error);
    }
  }

  /** Writes what is pending now (call on shutdown). */
  flush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = undefined;
    const pending = this.pending;
    this.pending = undefined;
    if (pending === undefined) return;
    try {
      const state = typeof pending === 'function' ? (pending as () => T)() : pending;
      mkdirSync(dirname(this.path), { recursive: true });
      const tmp = `${this.path}.tmp`;
      writeFileSync(tmp, JSON.stringify(state));
      renameSync(tmp, this.path);
    } catch (err) {
      this.onError(err as Error);
    }
  }
}

/** The command queue's store in a JSON file. */
export class JsonFileStore extends JsonFile<PersistedCommands> implements CommandStore {}
