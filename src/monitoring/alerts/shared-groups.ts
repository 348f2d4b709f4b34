import type { AnyBusEvent } from '../../index.js';
import { GroupKey } from '../aggregation/group-key.js';

/** The groups of one key across the rules sharing a {@link SharedGroups}: one slot per rule. */
export interface GroupRow<G> {
  readonly key: string | undefined;
  /** Each rule's group of this key, at the rule's slot; `undefined` where the rule has none. */
  readonly groups: (G | undefined)[];
  /**
   * A number each rule may keep with its group, at its slot (a counting threshold rule: its
   * group's ring); `-1` where the rule has no group or keeps none. Small integers side by side:
   * a rule that needs only this number finds it without reaching its group object.
   */
  readonly tags: number[];
  /** Slots holding a group. */
  live: number;
}

/**
 * One key lookup per event for every rule with the same `groupBy` paths: the rules of an engine
 * that group alike find their group of an event in one row, found once.
 *
 * @remarks The engine hands an event to its rules one after the other, so the row of the last
 * event is kept: the first rule looks the key up, the others reuse it (events are immutable, so
 * the key cannot change in between). With many rules over many groups, a map lookup per rule
 * misses the CPU caches on every event; a row is one lookup, its slots side by side. Each rule
 * still owns its groups (its cap, its eviction order): it only fills and clears its slot.
 */
export class SharedGroups<G> {
  readonly #key: GroupKey;
  readonly #rows = new Map<string | undefined, GroupRow<G>>();
  #slots = 0;
  #lastEvent: AnyBusEvent | undefined;
  #lastRow: GroupRow<G> | undefined;

  /** @throws {@link InvalidOptionError} (option `groupBy`) for a malformed path. */
  constructor(paths: readonly string[]) {
    this.#key = new GroupKey(paths);
  }

  /** A slot for one more rule. */
  slot(): number {
    return this.#slots++;
  }

  /** The row of `event`'s key, created empty if none. */
  row(event: AnyBusEvent): GroupRow<G> {
    if (event === this.#lastEvent) return this.#lastRow!;
    const key = this.#key.of(event);
    let row = this.#rows.get(key);
    if (row === undefined) {
      row = { key, groups: [], tags: [], live: 0 };
      this.#rows.set(key, row);
    }
    this.#lastEvent = event;
    this.#lastRow = row;
    return row;
  }

  /** Puts a rule's new group, and the number it keeps with it (`-1`: none), in its slot of `row`. */
  fill(row: GroupRow<G>, slot: number, group: G, tag = -1): void {
    while (row.groups.length < slot) row.groups.push(undefined);
    while (row.tags.length < slot) row.tags.push(-1);
    row.groups[slot] = group;
    row.tags[slot] = tag;
    row.live++;
  }

  /** Empties a rule's slot of `row`; the row goes when no rule has a group in it. */
  clear(row: GroupRow<G>, slot: number): void {
    if (row.groups[slot] === undefined) return;
    row.groups[slot] = undefined;
    row.tags[slot] = -1;
    if (--row.live > 0) return;
    if (this.#rows.get(row.key) === row) this.#rows.delete(row.key);
    if (this.#lastRow === row) {
      this.#lastEvent = undefined;
      this.#lastRow = undefined;
    }
  }
}
