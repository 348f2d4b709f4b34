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
  /** A plain array of small integers, not a typed array: rings this small then sit on the JS heap next to their group, where a typed array's would be a separate allocation (slower to reach and to collect, with thousands of groups). */
  readonly #counts: number[];
  #top = -Infinity;
  /** Slot of step `top`, kept so that the per-event path needs no `%` of a step number (epoch steps are past small-integer range, and their `%` is a slow floating-point one). */
  #topSlot = 0;
  #total = 0;

  constructor(readonly steps: number) {
    this.#counts = Array.from({ length: steps + 1 }, () => 0);
  }

  /** Events in the ring. */
  get total(): number {
    return this.#total;
  }

  /** Counts one event of step `step`. */
  add(step: number): void {
    if (step !== this.#top) this.#roll(step);
    const back = this.#top - step;
    const size = this.#counts.length;
    this.#counts[back === 0 ? this.#topSlot : slotOf(this.#topSlot - back, size)]! += 1;
    this.#total++;
  }

  /** Events in the window that ends at the start of step `end`: steps `end − steps … end − 1`. */
  windowBefore(end: number): number {
    this.#roll(end - 1);
    const size = this.#counts.length;
    // The ring holds one step more than the window: the oldest, or step `end` when an event at
    // exactly the window's end came first.
    const outside = this.#top === end ? end : end - size;
    return this.#total - this.#counts[slotOf(this.#topSlot - (this.#top - outside), size)]!;
  }

  #roll(step: number): void {
    if (step <= this.#top) return;
    const size = this.#counts.length;
    if (step - this.#top >= size) {
      this.#counts.fill(0);
      this.#total = 0;
      this.#topSlot = slotOf(step, size);
    } else {
      let slot = this.#topSlot;
      for (let s = this.#top + 1; s <= step; s++) {
        slot = slot + 1 === size ? 0 : slot + 1;
        this.#total -= this.#counts[slot]!;
        this.#counts[slot] = 0;
      }
      this.#topSlot = slot;
    }
    this.#top = step;
  }
}

/** `step mod size`, in `[0, size)` for negative steps too. */
function slotOf(step: number, size: number): number {
  return ((step % size) + size) % size;
}
