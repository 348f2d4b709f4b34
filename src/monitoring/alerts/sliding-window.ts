/**
 * Whether at least `count` events happened within the last `windowMs`, in O(count) memory.
 *
 * @remarks Keeps only the timestamps of the last `count` events: the threshold holds exactly when
 * the oldest of them is inside the window, so nothing grows with the event rate.
 */
export class SlidingWindow {
  readonly #times: number[];
  #next = 0;
  #filled = 0;

  constructor(
    readonly count: number,
    readonly windowMs: number,
  ) {
    this.#times = new Array<number>(count).fill(0);
  }

  /** Records an event at `now`. */
  add(now: number): void {
    this.#times[this.#next] = now;
    this.#next = (this.#next + 1) % this.count;
    if (this.#filled < this.count) this.#filled++;
  }

  /** Whether the last `count` events all fall within `windowMs` before `now`. */
  reached(now: number): boolean {
    if (this.#filled < this.count) return false;
    const oldest = this.#times[this.#next]!;
    return now - oldest <= this.windowMs;
  }

  /** How many of the remembered events fall within the window (at most `count`). */
  inWindow(now: number): number {
    let n = 0;
    for (let i = 0; i < this.#filled; i++) if (now - this.#times[i]! <= this.windowMs) n++;
    return n;
  }
}
