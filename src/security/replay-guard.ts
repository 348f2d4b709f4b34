/** Counters of a {@link ReplayGuard}. */
export interface ReplayGuardStats {
  /** Event ids remembered now; at most `maxRememberedIds`. */
  readonly remembered: number;
  /**
   * Ids forgotten before their window ended, to stay within `maxRememberedIds`: a replay of one
   * of them would not be noticed. A steady rise means more events per window than the cap.
   */
  readonly forgotten: number;
}

/**
 * Remembers the ids of accepted events for as long as their `time` is inside the window, so that
 * a second event with the same id is refused; events outside the window are refused by time, so
 * nothing older needs remembering.
 *
 * @remarks Memory is bounded by `maxIds`: past it the oldest id is forgotten (counted).
 */
export class ReplayGuard {
  /** Id → the instant (ms) after which its event is outside the window anyway. In arrival order. */
  readonly #seen = new Map<string, number>();
  #forgotten = 0;

  constructor(
    readonly windowMs: number,
    readonly maxIds: number,
  ) {}

  /** `'outside-window'`, `'replayed'`, or `undefined` when the event is new and recent (then remembered). */
  check(eventId: string, timeMs: number, nowMs: number): 'outside-window' | 'replayed' | undefined {
    if (Math.abs(nowMs - timeMs) > this.windowMs) return 'outside-window';
    this.#expire(nowMs);
    if (this.#seen.has(eventId)) return 'replayed';
    if (this.#seen.size >= this.maxIds) {
      this.#seen.delete(this.#seen.keys().next().value!);
      this.#forgotten++;
    }
    this.#seen.set(eventId, timeMs + this.windowMs);
    return undefined;
  }

  stats(): ReplayGuardStats {
    return { remembered: this.#seen.size, forgotten: this.#forgotten };
  }

  /** Drops ids from the front while their window is over (arrival order is close to time order). */
  #expire(nowMs: number): void {
    for (const [id, until] of this.#seen) {
      if (until >= nowMs) return;
      this.#seen.delete(id);
    }
  }
}
