export interface LruOptions<V> {
  /** Entries kept at most. */
  maxEntries: number;
  /** Total weight kept at most (e.g. characters), so a few huge values cannot fill memory within the entry bound. */
  maxWeight?: number;
  weigh?: (value: V) => number;
}

/**
 * A cache that drops its least recently used entries when it holds more than it may. A Map iterates in insertion
 * order, so moving an entry to the end on every read keeps the oldest first: reads and inserts are O(1) (an insert
 * may evict several light entries for one heavy one, but each entry is evicted once).
 */
export class Lru<K, V> {
  readonly #entries = new Map<K, { value: V; weight: number }>();
  readonly #maxEntries: number;
  readonly #maxWeight: number;
  readonly #weigh: (value: V) => number;
  #weight = 0;

  constructor(options: LruOptions<V>) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1)
      throw new Error(`an LRU cache needs room for at least one entry, not ${options.maxEntries}`);
    this.#maxEntries = options.maxEntries;
    this.#maxWeight = options.maxWeight ?? Infinity;
    this.#weigh = options.weigh ?? (() => 1);
  }

  get size(): number {
    return this.#entries.size;
  }

  get weight(): number {
    return this.#weight;
  }

  get(key: K): V | undefined {
    const entry = this.#entries.get(key);
    if (!entry) return undefined;
    this.#entries.delete(key);
    this.#entries.set(key, entry);
    return entry.value;
  }

  set(key: K, value: V): void {
    this.delete(key);
    const weight = this.#weigh(value);
    // A value heavier than the whole cache would only push everything else out, and then itself.
    if (weight > this.#maxWeight) return;
    this.#entries.set(key, { value, weight });
    this.#weight += weight;
    while (this.#entries.size > this.#maxEntries || this.#weight > this.#maxWeight) this.delete(this.#entries.keys().next().value as K);
  }

  delete(key: K): void {
    const entry = this.#entries.get(key);
    if (!entry) return;
    this.#entries.delete(key);
    this.#weight -= entry.weight;
  }

  /** Keys from least to most recently used. */
  keys(): K[] {
    return [...this.#entries.keys()];
  }
}
