/** The time a replay paces itself by: the system's, or a {@link VirtualClock} in tests. */
export interface ReplayClock {
  /** Now, in ms. */
  now(): number;
  /** Resolves `ms` milliseconds later (at once for 0 or less). */
  sleep(ms: number): Promise<void>;
}

/** The system clock: `Date.now()` and `setTimeout`. */
export const SYSTEM_CLOCK: ReplayClock = Object.freeze({
  now: () => Date.now(),
  sleep: (ms: number) => (ms <= 0 ? Promise.resolve() : new Promise<void>((resolve) => setTimeout(resolve, ms))),
});

/**
 * A clock that only moves when a replay sleeps: `sleep(ms)` advances it by `ms` and resolves at
 * once. A replay at any speed then runs as fast as the machine can, and `now()` says how long it
 * would have taken.
 */
export class VirtualClock implements ReplayClock {
  #now: number;
  /** Every sleep, in order, in ms: what a test checks pacing by. */
  readonly sleeps: number[] = [];

  constructor(start = 0) {
    this.#now = start;
  }

  now(): number {
    return this.#now;
  }

  async sleep(ms: number): Promise<void> {
    if (ms <= 0) return;
    this.sleeps.push(ms);
    this.#now += ms;
  }
}
