/**
 * The event counts of one group over the last `steps + 1` steps of a sliding window, in a ring:
 * what a `count` or `rate` threshold needs, in `steps + 1` numbers and O(1) per event and per
 * judgement (no panes, no merging).
 *
 * @remarks Steps are `⌊time / every⌋`. The ring holds steps `top − steps … top`; moving `top` on
 * zeroes the slots it reuses. Event time only moves forward here (the engine orders events), so
 * an event's step is never below `top`.
 */
export class StepCounts {
  readonly #counts: Float64Array;
  #top = -Infinity;
  #total = 0;

  constructor(readonly steps: number) {
    this.#counts = new Float64Array(steps + 1);
  }

  /** Events in the ring. */
  get total(): number {
    return this.#total;
  }

  /** Counts one event of step `step`. */
  add(step: number): void {
    this.#roll(step);
    this.#counts[step % this.#counts.length]! += 1;
    this.#total++;
  }

  /** Events in the window that ends at the start of step `end`: steps `end − steps … end − 1`. */
  windowBefore(end: number): number {
    this.#roll(end - 1);
    const size = this.#counts.length;
    // The ring holds one step more than the window: the oldest, or step `end` when an event at
    // exactly the window's end came first.
    const outside = this.#top === end ? end : end - size;
    return this.#total - this.#counts[((outside % size) + size) % size]!;
  }

  #roll(step: number): void {
    if (step <= this.#top) return;
    const size = this.#counts.length;
    if (step - this.#top >= size) {
      this.#counts.fill(0);
      this.#total = 0;
    } else {
      for (let s = this.#top + 1; s <= step; s++) {
        const i = s % size;
        this.#total -= this.#counts[i]!;
        this.#counts[i] = 0;
      }
    }
    this.#top = step;
  }
}
