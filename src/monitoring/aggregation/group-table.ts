/** What the table needs of a group: a mark of use since the last eviction sweep. */
export interface Touchable {
  touched: boolean;
}

/**
 * Groups by key, at most `maxGroups`, evicting in second-chance (CLOCK) order: a group used since
 * the last sweep is passed over once, so a busy group is never evicted before an idle one.
 *
 * @remarks Using a group costs setting one flag (no re-ordering on the hot path); an eviction
 * sweeps at most the whole table once and is amortised O(1).
 */
export class GroupTable<K, G extends Touchable> {
  readonly #groups = new Map<K, G>();

  constructor(readonly maxGroups: number) {}

  /** Number of groups held. */
  get size(): number {
    return this.#groups.size;
  }

  /** The group of `key`, marked as used; `undefined` if absent. */
  get(key: K): G | undefined {
    const group = this.#groups.get(key);
    if (group !== undefined) group.touched = true;
    return group;
  }

  /** Adds a group, first evicting (and handing to `onEvict`) as many as the cap needs. */
  add(key: K, group: G, onEvict: (evicted: G) => void): void {
    while (this.#groups.size >= this.maxGroups) onEvict(this.#evictOne());
    this.#groups.set(key, group);
  }

  /** Removes a group. */
  delete(key: K): void {
    this.#groups.delete(key);
  }

  /** Every key and group, oldest first; deleting the current entry while iterating is allowed. */
  entries(): IterableIterator<[K, G]> {
    return this.#groups.entries();
  }

  /** Every group, oldest first; deleting the current entry while iterating is allowed (no entry array per group, unlike {@link entries}). */
  values(): IterableIterator<G> {
    return this.#groups.values();
  }

  /** Removes and returns the first group not used since the last sweep; the table is not empty. */
  #evictOne(): G {
    for (;;) {
      const [key, group] = this.#groups.entries().next().value as [K, G];
      this.#groups.delete(key);
      if (!group.touched) return group;
      group.touched = false;
      this.#groups.set(key, group); // a second chance: to the back of the line
    }
  }
}
