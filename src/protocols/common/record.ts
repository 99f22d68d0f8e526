/** Helpers that fill in a record the same way in every codec. */
import type { Attributes } from '../../vocabulary';

/** Removes keys a decoder set to `undefined` (a field the device left empty), so they are absent, not undefined. */
export function pruneAttributes(a: Attributes): void {
  const values = a as Record<string, unknown>;
  for (const key of Object.keys(values)) if (values[key] === undefined) delete values[key];
}
