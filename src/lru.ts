/**
 * Bounded Maps and Sets kept in least-recently-used (or first-in) order: a use moves a key to the end (delete +
 * set), so the first key is the one used longest ago, and `dropOldest` removes it.
 *
 * Why not `map.delete(map.keys().next().value)`: V8 leaves a deleted entry's slot in place until the table is
 * rehashed, and a fresh iterator steps over every such slot at the front. A map evicting from the front at its cap
 * therefore pays for every eviction since its last rehash, again and again: 130 µs per eviction at 100,000 devices,
 * which a flood of made-up IDs keeps at the cap. One long-lived iterator per collection resumes where it stopped.
 */

const cursors = new WeakMap<object, Iterator<unknown>>();

/**
 * Deletes the first key of `collection` and returns it (undefined when empty). Amortised O(1), provided every key
 * before it was deleted, which holds when keys are only ever added at the end (set / add, or delete + set to move
 * one) and removed here or anywhere by delete.
 */
export function dropOldest<K>(collection: Map<K, unknown> | Set<K>): K | undefined {
  let cursor = cursors.get(collection) as Iterator<K> | undefined;
  let next = cursor?.next();
  if (!cursor || next?.done) {
    cursor = collection.keys();
    cursors.set(collection, cursor);
    next = cursor.next();
  }
  if (next?.done) return undefined;
  const key = next!.value as K;
  collection.delete(key);
  return key;
}
