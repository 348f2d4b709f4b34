import { PatternIndex, linkAbort, parsePattern, type EventHandler, type SubscribeOptions, type Subscription, type SubscriptionId } from '../../index.js';

/** One subscription of the Streams transport. */
export class StreamSubscription implements Subscription {
  active = true;
  /** Removes the `abort` listener of the subscriber's signal. */
  detach: (() => void) | undefined;

  constructor(
    readonly id: SubscriptionId,
    readonly pattern: string,
    readonly handler: EventHandler,
    private readonly release: (s: StreamSubscription) => void,
  ) {}

  /** Stops delivery. Entries read for it and not yet handled are acknowledged unhandled (counted as unrouted). Idempotent. */
  unsubscribe(): void {
    if (this.active) this.release(this);
  }

  [Symbol.dispose](): void {
    this.unsubscribe();
  }
}

/**
 * The handlers of one Streams transport, indexed by pattern.
 *
 * @remarks The stream carries every type; this index decides which handlers an entry goes to,
 * with the exact matcher of core (DESIGN §2).
 */
export class StreamSubscriptions {
  readonly #index = new PatternIndex<StreamSubscription>();
  readonly #byId = new Map<SubscriptionId, StreamSubscription>();
  #nextId = 0;

  /** Number of active subscriptions. */
  get size(): number {
    return this.#byId.size;
  }

  /**
   * Adds a subscription.
   * @throws {@link InvalidPatternError} for an invalid pattern.
   */
  add(pattern: string, handler: EventHandler, options: SubscribeOptions = {}): StreamSubscription {
    parsePattern(pattern);
    const sub = new StreamSubscription(`sub-${++this.#nextId}`, pattern, handler, (s) => this.#release(s));
    if (options.signal?.aborted === true) {
      sub.active = false;
      return sub;
    }
    this.#index.add(pattern, sub);
    this.#byId.set(sub.id, sub);
    sub.detach = linkAbort(options.signal, () => sub.unsubscribe());
    return sub;
  }

  /** Ends a subscription by id; `false` if it was not active. */
  remove(id: SubscriptionId): boolean {
    const sub = this.#byId.get(id);
    if (sub === undefined) return false;
    this.#release(sub);
    return true;
  }

  /** Active subscriptions whose pattern matches `eventType`. */
  match(eventType: string): readonly StreamSubscription[] {
    return this.#index.match(eventType);
  }

  /** Ends every subscription. */
  clear(): void {
    for (const sub of [...this.#byId.values()]) this.#release(sub);
  }

  #release(sub: StreamSubscription): void {
    if (!sub.active) return;
    sub.active = false;
    sub.detach?.();
    sub.detach = undefined;
    this.#index.remove(sub.pattern, sub);
    this.#byId.delete(sub.id);
  }
}
