import { PatternIndex } from '../patterns/pattern-index.js';
import { parsePattern } from '../patterns/pattern.js';
import type { EventHandler, SubscribeOptions, Subscription, SubscriptionId } from '../transport.js';
import { linkAbort } from './abort-link.js';

/**
 * One entry of a {@link SubscriptionTable}: the public {@link Subscription} plus what the table
 * needs to end it. `unsubscribe()` hands the entry back to its owner, which calls
 * {@link SubscriptionTable.release} (and frees whatever else it holds for it).
 */
export class TableSubscription implements Subscription {
  active = true;
  /** Removes the `abort` listener of the subscriber's signal, so an ended subscription is freed. */
  detach: (() => void) | undefined;

  constructor(
    readonly id: SubscriptionId,
    readonly pattern: string,
    readonly handler: EventHandler,
    private readonly release: (s: TableSubscription) => void,
  ) {}

  /** Stops delivery. Idempotent. */
  unsubscribe(): void {
    if (this.active) this.release(this);
  }

  [Symbol.dispose](): void {
    this.unsubscribe();
  }
}

/** Called when the first subscription of a pattern arrives or the last one leaves (e.g. to `PSUBSCRIBE`). */
export interface PatternHooks {
  readonly onPatternAdded?: (pattern: string) => void;
  readonly onPatternRemoved?: (pattern: string) => void;
}

/**
 * The subscriptions of one transport: ids, the pattern index, abort links, pattern reference
 * counts and release. Every transport keeps its subscriptions here, so a subscription behaves the
 * same on all of them.
 *
 * @remarks What happens to an event once matched (a bounded queue, a Redis acknowledgement) is
 * the owner's business: `S` carries it.
 */
export class SubscriptionTable<S extends TableSubscription> {
  readonly #index = new PatternIndex<S>();
  readonly #byId = new Map<SubscriptionId, S>();
  readonly #patternRefs = new Map<string, number>();
  readonly #hooks: PatternHooks;
  #nextId = 0;

  constructor(hooks: PatternHooks = {}) {
    this.#hooks = hooks;
  }

  /** Number of active subscriptions. */
  get size(): number {
    return this.#byId.size;
  }

  /**
   * Validates `pattern`, builds the entry with `build(id)` and, unless `options.signal` is already
   * aborted (then the entry comes back inactive), indexes it and links it to the signal.
   * @throws {@link InvalidPatternError} for an invalid pattern; whatever `build` throws for bad options.
   */
  add(pattern: string, options: SubscribeOptions | undefined, build: (id: SubscriptionId) => S): S {
    parsePattern(pattern);
    const sub = build(`sub-${++this.#nextId}`);
    if (options?.signal?.aborted === true) {
      sub.active = false;
      return sub;
    }
    this.#index.add(pattern, sub);
    this.#byId.set(sub.id, sub);
    const refs = this.#patternRefs.get(pattern) ?? 0;
    this.#patternRefs.set(pattern, refs + 1);
    if (refs === 0) this.#hooks.onPatternAdded?.(pattern);
    sub.detach = linkAbort(options?.signal, () => sub.unsubscribe());
    return sub;
  }

  /** Removes an active entry; `false` if it had ended already. */
  release(sub: S): boolean {
    if (!sub.active) return false;
    sub.active = false;
    sub.detach?.();
    sub.detach = undefined;
    this.#index.remove(sub.pattern, sub);
    this.#byId.delete(sub.id);
    const refs = (this.#patternRefs.get(sub.pattern) ?? 1) - 1;
    if (refs > 0) this.#patternRefs.set(sub.pattern, refs);
    else {
      this.#patternRefs.delete(sub.pattern);
      this.#hooks.onPatternRemoved?.(sub.pattern);
    }
    return true;
  }

  /** Active subscriptions whose pattern matches `eventType` (cached per type; cheap). */
  match(eventType: string): readonly S[] {
    return this.#index.match(eventType);
  }

  /** Distinct patterns with at least one subscription. */
  patterns(): string[] {
    return [...this.#patternRefs.keys()];
  }

  /** A copy of the active subscriptions, safe to iterate while ending them. */
  all(): S[] {
    return [...this.#byId.values()];
  }
}
