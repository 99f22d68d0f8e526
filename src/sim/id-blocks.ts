/**
 * Device IDs for simulators running side by side on one machine: each tracker-sim process claims the lowest free
 * block(s) of 1000 device indexes with a lock file, so the first simulator always gets the same IDs (index 1...)
 * and a second one started while it runs gets the next block instead of the same IDs (a server keeps only the
 * newest connection of a device, so two simulators with the same IDs would keep disconnecting each other).
 */
import { linkSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

export const ID_BLOCK_SIZE = 1000;
/** Block indexes stay within what every simulated protocol's ID has room for (8 digits). */
const MAX_BLOCKS = 99_999;

export interface IdClaim {
  /** Index of the first device. */
  firstIndex: number;
  /** Gives the blocks back (also done at process exit). */
  release(): void;
}

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Takes a block's lock file, or a stale one whose process has ended; false when a running process holds it. The
 * file appears with its PID already in it (written aside, then hard-linked into place), so a reader never sees
 * an empty lock and takes it for a stale one.
 */
function take(file: string): boolean {
  const mine = `${file}.${process.pid}`;
  writeFileSync(mine, String(process.pid));
  try {
    for (let attempt = 0; attempt < 2; attempt++) {
      try {
        linkSync(mine, file);
        return true;
      } catch (err) {
        if ((err as NodeJS.ErrnoException).code !== 'EEXIST') throw err;
        let holder = Number.NaN;
        try {
          holder = Number(readFileSync(file, 'utf8'));
        } catch {
          /* removed meanwhile: try again */
        }
        if (Number.isInteger(holder) && holder > 0 && alive(holder)) return false;
        rmSync(file, { force: true });
      }
    }
    return false;
  } finally {
    rmSync(mine, { force: true });
  }
}

/** Claims enough consecutive free blocks for `devices` devices, in `dir` (default: a folder in the temp dir). */
export function claimIdBlocks(devices: number, dir = join(tmpdir(), 'tracker-sim-ids')): IdClaim {
  mkdirSync(dir, { recursive: true });
  const count = Math.max(1, Math.ceil(devices / ID_BLOCK_SIZE));
  const file = (block: number) => join(dir, `block-${block}.lock`);
  for (let first = 0; first + count <= MAX_BLOCKS; first++) {
    const held: number[] = [];
    for (let b = first; b < first + count && take(file(b)); b++) held.push(b);
    if (held.length === count) {
      let released = false;
      const release = () => {
        if (released) return;
        released = true;
        for (const b of held) rmSync(file(b), { force: true });
        process.off('exit', release);
      };
      process.on('exit', release);
      return { firstIndex: first * ID_BLOCK_SIZE + 1, release };
    }
    for (const b of held) rmSync(file(b), { force: true });
  }
  throw new Error('no free block of device IDs: pass --first');
}
