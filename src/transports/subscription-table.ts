import { InvalidOptionError, InvalidPatternError } from '../errors.js';
import { PatternIndex } from '../patterns/pattern-index.js';
import { parsePattern } from '../patterns/pattern.js';
import type { BackpressurePolicy, EventHandler, SubscribeOptions, Subscription, SubscriptionId } from '../transport.js';
import { linkAbort } from './abort-link.js';

const CONFIRMED: Promise<void> = Promise.resolve();
const POLICIES: readonly BackpressurePolicy[] = ['wait', 'drop-oldest', 'drop-newest', 'reject'];

/** What a transport does with each {@link SubscribeOptions} field; a field it can't honour is refused. */
export interface SubscriptionSupport {
  /** The transport's name, for errors. */
  readonly transport: string;
  /** Why `queue` can't be honoured; absent when it is. */
  readonly noQueue?: string;
  /** Why queue policy `wait` can't be honoured; absent when it is. */
  readonly noWait?: string;
  /** Why `maxInFlight` can't be honoured; absent when it is. */
  readonly noMaxInFlight?: string;
}

/**
 * Checks the arguments of a `subscribe` call the same way on every transport.
 * @throws {@link InvalidPatternError} for a bad pattern, {@link InvalidOptionError} for a bad
 * handler, a malformed option or one the transport can't honour.
 */
export function checkSubscription(support: SubscriptionSupport, pattern: unknown, handler: unknown, options: unknown): void {
  if (typeof pattern !== 'string') throw new InvalidPatternError(String(typeof pattern), 'a pattern is a string such as `validation.*`');
  parsePattern(pattern);
  const refuse = (option: string, why: string): never => {
    throw new InvalidOptionError(option, `${support.transport}: ${why}`);
  };
  if (typeof handler !== 'function') refuse('handler', 'the handler must be a function');
  if (options === undefined) return;
  if (typeof options !== 'object' || options === null) refuse('options', 'must be an object, e.g. { signal }');
  const { signal, maxInFlight, queue } = options as SubscribeOptions;
  if (signal !== undefined && !(signal instanceof AbortSignal)) refuse('signal', 'must be an AbortSignal');
  if (maxInFlight !== undefined) {
    if (support.noMaxInFlight !== undefined) refuse('maxInFlight', support.noMaxInFlight);
    if (!Number.isInteger(maxInFlight) || maxInFlight < 1) refuse('maxInFlight', 'must be an integer ≥ 1');
  }
  if (queue === undefined) return;
  if (support.noQueue !== undefined) refuse('queue', support.noQueue);
  if (typeof queue !== 'object' || queue === null) refuse('queue', 'must be an object, e.g. { capacity: 1000, policy: "drop-oldest" }');
  const { capacity, policy } = queue;
  if (capacity !== undefined && (!Number.isInteger(capacity) || capacity < 1)) refuse('queue.capacity', 'must be an integer ≥ 1');
  if (policy !== undefined && !POLICIES.includes(policy)) refuse('queue.policy', `must be one of ${POLICIES.join(', ')}`);
  if (policy === 'wait' && support.noWait !== undefined) refuse('queue.policy', support.noWait);
}

/**
 * One entry of a {@link SubscriptionTable}: the public {@link Subscription} plus what the table
 * needs to end it. `unsubscribe()` hands the entry back to its owner, which calls
 * {@link SubscriptionTable.release} (and frees whatever else it holds for it).
 */
export class TableSubscription implements Subscription {
  active = true;
  /** Set by the owner once it knows how the broker confirms this subscription. */
  ready: Promise<void> = CONFIRMED;
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

  constructor(
    private readonly support: SubscriptionSupport,
    hooks: PatternHooks = {},
  ) {
    this.#hooks = hooks;
  }

  /** Number of active subscriptions. */
  get size(): number {
    return this.#byId.size;
  }

  /**
   * Checks the call ({@link checkSubscription}), builds the entry with `build(id)` and, unless
   * `options.signal` is already aborted (then the entry comes back inactive), indexes it and links
   * it to the signal.
   * @throws {@link InvalidPatternError} or {@link InvalidOptionError} for a bad call.
   */
  add(pattern: string, handler: EventHandler, options: SubscribeOptions | undefined, build: (id: SubscriptionId) => S): S {
    checkSubscription(this.support, pattern, handler, options);
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
