/** Offsets in a ring's numbers. */
const TOP = 0;
const TOP_SLOT = 1;
const TOTAL = 2;
const TOUCHED = 3;
const HEADER = 4;

/**
 * The event counts of many groups (rings) over the last `steps + 1` steps of a sliding window:
 * what a `count` or `rate` threshold needs, in `steps + 1` numbers per group and O(1) per event
 * and per judgement (no panes, no merging).
 *
 * @remarks Steps are integers (`⌊time / every⌋`, or that less a fixed origin). Each ring holds
 * steps `top − steps … top`; moving `top` on zeroes the slots it reuses. Event time only moves
 * forward here (the engine orders events), so an event's step is never below its ring's `top`.
 *
 * All rings of a rule live side by side in one `Float64Array`, each as `[top, topSlot, total,
 * touched, count × (steps + 1)]`: a rule with a thousand groups reaches one array, not a ring
 * object and its array per group (with many rules over many groups, every such hop is a cache
 * miss per event). Closed rings are reused.
 */
export class StepCountTable {
  /** Numbers per ring: `top`, `topSlot`, `total`, `touched`, then the counts. */
  readonly #width: number;
  /** Counts per ring (`steps + 1`). */
  readonly #size: number;
  #data: Float64Array;
  /** Rings handed out so far, closed ones included. */
  #rings = 0;
  readonly #closed: number[] = [];

  constructor(readonly steps: number, capacity = 16) {
    this.#size = steps + 1;
    this.#width = this.#size + HEADER;
    this.#data = new Float64Array(this.#width * Math.max(1, capacity));
  }

  /** A new, empty ring; its number. */
  open(): number {
    const ring = this.#closed.pop() ?? this.#rings++;
    const at = ring * this.#width;
    if (at + this.#width > this.#data.length) {
      const grown = new Float64Array(Math.max(this.#data.length * 2, at + this.#width));
      grown.set(this.#data);
      this.#data = grown;
    }
    this.#data.fill(0, at, at + this.#width);
    this.#data[at + TOP] = -Infinity;
    return ring;
  }

  /** Gives `ring` back for reuse; it must not be used after. */
  close(ring: number): void {
    this.#closed.push(ring);
  }

  /** Events in `ring`. */
  total(ring: number): number {
    return this.#data[ring * this.#width + TOTAL]!;
  }

  /**
   * Whether `ring` was marked used (see {@link touch}): the use mark of its group for eviction,
   * kept here because it is written on every event, next to the counts that are written too.
   */
  touched(ring: number): boolean {
    return this.#data[ring * this.#width + TOUCHED] === 1;
  }

  /** Sets or clears the use mark of `ring`. */
  touch(ring: number, touched = true): void {
    this.#data[ring * this.#width + TOUCHED] = touched ? 1 : 0;
  }

  /** Counts one event of step `step` in `ring`. */
  add(ring: number, step: number): void {
    const at = ring * this.#width;
    if (step !== this.#data[at + TOP]) this.#roll(at, step);
    const data = this.#data;
    const back = data[at + TOP]! - step;
    const topSlot = data[at + TOP_SLOT]!;
    data[at + HEADER + (back === 0 ? topSlot : slotOf(topSlot - back, this.#size))]! += 1;
    data[at + TOTAL]! += 1;
  }

  /** Events of `ring` in the window that ends at the start of step `end`: steps `end − steps … end − 1`. */
  windowBefore(ring: number, end: number): number {
    const at = ring * this.#width;
    this.#roll(at, end - 1);
    const data = this.#data;
    const top = data[at + TOP]!;
    // The ring holds one step more than the window: the oldest, or step `end` when an event at
    // exactly the window's end came first.
    const outside = top === end ? end : end - this.#size;
    return data[at + TOTAL]! - data[at + HEADER + slotOf(data[at + TOP_SLOT]! - (top - outside), this.#size)]!;
  }

  /** Moves the `top` of the ring at `at` on to `step`, zeroing the slots it reuses. */
  #roll(at: number, step: number): void {
    const data = this.#data;
    const top = data[at + TOP]!;
    if (step <= top) return;
    const size = this.#size;
    if (step - top >= size) {
      data.fill(0, at + HEADER, at + HEADER + size);
      data[at + TOTAL] = 0;
      data[at + TOP_SLOT] = slotOf(step, size);
    } else {
      let slot = data[at + TOP_SLOT]!;
      let total = data[at + TOTAL]!;
      for (let s = top + 1; s <= step; s++) {
        slot = slot + 1 === size ? 0 : slot + 1;
        total -= data[at + HEADER + slot]!;
        data[at + HEADER + slot] = 0;
      }
      data[at + TOP_SLOT] = slot;
      data[at + TOTAL] = total;
    }
    data[at + TOP] = step;
  }
}

/**
 * The counts of one group over the last `steps + 1` steps (see {@link StepCountTable}, a
 * table of one ring).
 */
export class StepCounts {
  readonly #table: StepCountTable;
  readonly #ring: number;

  constructor(readonly steps: number) {
    this.#table = new StepCountTable(steps, 1);
    this.#ring = this.#table.open();
  }

  /** Events in the ring. */
  get total(): number {
    return this.#table.total(this.#ring);
  }

  /** Counts one event of step `step`. */
  add(step: number): void {
    this.#table.add(this.#ring, step);
  }

  /** Events in the window that ends at the start of step `end`: steps `end − steps … end − 1`. */
  windowBefore(end: number): number {
    return this.#table.windowBefore(this.#ring, end);
  }
}

/** `step mod size`, in `[0, size)` for negative steps too. */
function slotOf(step: number, size: number): number {
  return ((step % size) + size) % size;
}
