/**
 * A map that keeps at most `capacity` entries, dropping the least recently used: the
 * tree store's cache, so memory stays flat however large the tree grows.
 *
 * @example
 * const cache = new LruMap<string, bigint>(2);
 * cache.set("a", 1n); cache.set("b", 2n); cache.get("a"); cache.set("c", 3n); // "b" is dropped
 */
export class LruMap<K, V> {
  readonly capacity: number;
  readonly #map = new Map<K, V>();

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 0) throw new RangeError("LRU capacity must be a non-negative integer");
    this.capacity = capacity;
  }

  get size(): number {
    return this.#map.size;
  }

  has(key: K): boolean {
    return this.#map.has(key);
  }

  /** The value, marked as most recently used; undefined when absent. */
  get(key: K): V | undefined {
    if (!this.#map.has(key)) return undefined;
    const value = this.#map.get(key) as V;
    this.#map.delete(key);
    this.#map.set(key, value);
    return value;
  }

  set(key: K, value: V): void {
    if (this.capacity === 0) return;
    this.#map.delete(key);
    this.#map.set(key, value);
    // A Map iterates in insertion order: the first key is the least recently used.
    while (this.#map.size > this.capacity) this.#map.delete(this.#map.keys().next().value as K);
  }

  clear(): void {
    this.#map.clear();
  }
}
