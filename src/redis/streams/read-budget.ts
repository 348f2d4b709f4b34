import type { RawEntry } from './entries.js';

/**
 * Sizes the reads of one Streams member so that the entries it holds stay within a memory budget.
 *
 * @remarks Redis has no command that tells an entry's size without sending it, so the count of
 * each `XREADGROUP` / `XAUTOCLAIM` is derived from what was seen:
 * - the budget left (`readBudgetBytes` minus the bytes of entries read and not yet settled) divided
 *   by the largest entry of recent reads (that estimate halves with every read that saw only
 *   smaller entries, so one big entry slows reading for a few reads, not forever);
 * - at most twice the entries the previous read returned (slow start: a member that starts on a
 *   backlog asks for 1, 2, 4, … entries, and one that was reading a trickle for 2, 4, …, so a run
 *   of big entries is met a few at a time, not 256 at once);
 * - at least one entry while nothing is held, so an entry bigger than the whole budget is still
 *   read (alone), and none while the held entries fill the budget.
 *
 * The budget can still be exceeded by the entries of one read that are much larger than every
 * entry of the reads before it (a sudden switch from small to big entries while reading at full
 * speed): by at most that read's count of such entries. After that read the estimate holds the new
 * size and the next reads take one entry at a time.
 */
export class ReadBudget {
  #held = 0;
  /** Bytes per entry expected in the next read: the largest recent entry, decaying. */
  #estimate: number;
  /** Entries the previous read returned (0 before the first: it asks for one). */
  #last = 0;

  constructor(
    private readonly budgetBytes: number,
    private readonly readCount: number,
  ) {
    this.#estimate = Math.max(1, Math.floor(budgetBytes / readCount));
  }

  /** Bytes of entries read and not yet settled. */
  get held(): number {
    return this.#held;
  }

  /** Whether the held entries fill the budget: read nothing until some are settled. */
  get full(): boolean {
    return this.#held > 0 && this.#held >= this.budgetBytes;
  }

  /** How many entries the next read may ask for, given `room` free in-flight slots; 0: wait. */
  count(room: number): number {
    if (room <= 0 || this.full) return 0;
    const bySize = Math.max(1, Math.floor((this.budgetBytes - this.#held) / this.#estimate));
    return Math.max(1, Math.min(room, this.readCount, bySize, 2 * this.#last));
  }

  /** Learns from the entries one read returned (call it for every read that returned entries). */
  observe(entries: readonly RawEntry[]): void {
    if (entries.length === 0) return;
    let largest = 0;
    for (const e of entries) if (e.size > largest) largest = e.size;
    this.#estimate = Math.max(largest, Math.floor(this.#estimate / 2), Math.floor(this.budgetBytes / this.readCount), 1);
    this.#last = entries.length;
  }

  /** Counts `bytes` as held (an entry taken into processing). */
  hold(bytes: number): void {
    this.#held += bytes;
  }

  /** Releases `bytes` held by {@link hold} (the entry was settled). */
  release(bytes: number): void {
    this.#held = Math.max(0, this.#held - bytes);
  }
}
