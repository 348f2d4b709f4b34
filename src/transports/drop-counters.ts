import type { DropReason } from '../observer.js';

/** Counts drops by reason; every transport keeps one so that no drop goes uncounted. */
export class DropCounters {
  readonly #counts: Record<DropReason, number> = {
    'drop-oldest': 0,
    'drop-newest': 0,
    reject: 0,
    expired: 0,
    closed: 0,
    lost: 0,
  };

  add(reason: DropReason, count = 1): void {
    this.#counts[reason] += count;
  }

  /** Sum over every reason. */
  total(): number {
    let n = 0;
    for (const k in this.#counts) n += this.#counts[k as DropReason];
    return n;
  }

  snapshot(): Readonly<Record<DropReason, number>> {
    return Object.freeze({ ...this.#counts });
  }
}
