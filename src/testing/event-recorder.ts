import type { AnyBusEvent } from '../events/bus-event.js';
import { DotbusError } from '../errors.js';
import type { EventBus } from '../frontends/event-bus.js';
import type { EventSubscriber } from '../frontends/event-subscriber.js';
import { matchesPattern } from '../patterns/pattern.js';
import type { KnownPattern, MatchingEvents } from '../patterns/pattern-types.js';
import type { Subscribable } from '../bus-views.js';
import type { SubscribeOptions, Subscription } from '../transport.js';

interface Waiter {
  readonly pattern: string;
  readonly predicate: (event: AnyBusEvent) => boolean;
  readonly resolve: (event: AnyBusEvent) => void;
}

/**
 * What an {@link EventRecorder} records from: a typed bus or subscriber, whose events type the
 * recording, or any other {@link Subscribable} (a transport, say), whose events are
 * {@link AnyBusEvent}s.
 */
export type RecorderSource<E extends AnyBusEvent> = EventBus<E> | EventSubscriber<E> | Subscribable;

/** Appended to the error of a recorder pattern that matches none of the bus's event types. */
type SourceHint = ' (misspelt? to record event types without a definition, record from the transport)';
/** Appended to the error of a `waitFor`/`matching` pattern that matches none of the recorded types. */
type RecordedHint = ' among the events this recorder records';

/**
 * Records the events matching a pattern, for tests: inspect them, or wait for one.
 *
 * Over a typed bus (or its `subscriber`) the recorded events are typed from the bus and the
 * pattern, as a subscription's handler is: `new EventRecorder(bus, 'validation.*').events` holds
 * `MatchingEvents<E, 'validation.*'>`, and `waitFor` and `matching` narrow further by their own
 * pattern. As with `subscribe`, a literal pattern that matches none of the types on offer does not
 * compile. Over any other {@link Subscribable}, such as a transport, events are
 * {@link AnyBusEvent}s.
 *
 * @typeParam E - the events of the source (inferred from a typed bus; give it explicitly to cast a
 *   recording over an untyped source)
 * @typeParam P - the recorded pattern (inferred; `string` when it is not a literal or is omitted)
 *
 * @example
 * ```ts
 * using rec = new EventRecorder(bus, 'validation.*');
 * await runPipeline();
 * const done = await rec.waitFor('validation.completed', (e) => e.data.contextId === 'c-1');
 * ```
 */
export class EventRecorder<E extends AnyBusEvent = AnyBusEvent, P extends string = string> implements Disposable {
  readonly #events: AnyBusEvent[] = [];
  readonly #waiters = new Set<Waiter>();
  readonly #subscription: Subscription;

  /**
   * Starts recording the events of `source` whose type matches `pattern` (default `*`, everything).
   * @throws {@link InvalidPatternError} for an invalid pattern built at run time.
   */
  constructor(source: RecorderSource<E>, pattern?: KnownPattern<P, E, SourceHint>, options?: SubscribeOptions) {
    const subscribable: Subscribable = source;
    this.#subscription = subscribable.subscribe(pattern ?? '*', (e) => this.#record(e), options);
  }

  /** Every recorded event, in arrival order. */
  get events(): readonly MatchingEvents<E, P>[] {
    return this.#events as MatchingEvents<E, P>[];
  }

  /** The recorded events whose type matches `pattern`. */
  matching<const Q extends string>(pattern: KnownPattern<Q, MatchingEvents<E, P>, RecordedHint>): MatchingEvents<MatchingEvents<E, P>, Q>[] {
    return this.#events.filter((e) => matchesPattern(pattern, e.eventType)) as MatchingEvents<MatchingEvents<E, P>, Q>[];
  }

  /**
   * The first recorded or future event matching `pattern` and `predicate`, typed by `pattern`.
   * @throws {@link DotbusError} after `timeoutMs` without one.
   */
  waitFor<const Q extends string>(
    pattern: KnownPattern<Q, MatchingEvents<E, P>, RecordedHint>,
    predicate: (event: MatchingEvents<MatchingEvents<E, P>, Q>) => boolean = () => true,
    timeoutMs = 5_000,
  ): Promise<MatchingEvents<MatchingEvents<E, P>, Q>> {
    type Found = MatchingEvents<MatchingEvents<E, P>, Q>;
    const accepts = predicate as (event: AnyBusEvent) => boolean;
    const seen = this.#events.find((e) => matchesPattern(pattern, e.eventType) && accepts(e));
    if (seen !== undefined) return Promise.resolve(seen as Found);
    return new Promise<Found>((resolve, reject) => {
      const timer = setTimeout(() => {
        this.#waiters.delete(waiter);
        reject(new DotbusError('TIMED_OUT', `no event matching ${JSON.stringify(pattern)} arrived within ${timeoutMs} ms`));
      }, timeoutMs);
      const waiter: Waiter = {
        pattern,
        predicate: accepts,
        resolve: (e) => {
          clearTimeout(timer);
          resolve(e as Found);
        },
      };
      this.#waiters.add(waiter);
    });
  }

  /** Forgets every recorded event. */
  clear(): void {
    this.#events.length = 0;
  }

  /** Stops recording. */
  [Symbol.dispose](): void {
    this.#subscription.unsubscribe();
  }

  #record(event: AnyBusEvent): void {
    this.#events.push(event);
    for (const w of this.#waiters) {
      if (matchesPattern(w.pattern, event.eventType) && w.predicate(event)) {
        this.#waiters.delete(w);
        w.resolve(event);
      }
    }
  }
}
