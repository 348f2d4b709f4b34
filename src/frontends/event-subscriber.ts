import type { AnyBusEvent } from '../events/bus-event.js';
import type { MatchingEvents, ValidPattern } from '../patterns/pattern-types.js';
import type { EventHandler, SubscribeOptions, Subscription, Transport, TransportStats } from '../transport.js';

/**
 * The high-level consumer: typed subscriptions whose handler type is inferred from the pattern.
 *
 * @remarks Spec: `IEventConsumerFrontend`.
 */
export class EventSubscriber<E extends AnyBusEvent> {
  readonly #transport: Transport;

  constructor(transport: Transport) {
    this.#transport = transport;
  }

  /**
   * Calls `handler` with every event whose type matches `pattern`. The handler's parameter is the
   * union of the registered events that `pattern` can match; a literal invalid pattern does not
   * compile, and an invalid pattern built at run time throws {@link InvalidPatternError}.
   *
   * @example
   * ```ts
   * using sub = bus.subscribe('validation.*', (e) => console.log(e.eventType, e.data.status));
   * ```
   */
  subscribe<const P extends string>(
    pattern: ValidPattern<P>,
    handler: EventHandler<MatchingEvents<E, P>>,
    options?: SubscribeOptions,
  ): Subscription {
    return this.#transport.subscribe(pattern, handler as EventHandler, options);
  }

  /** Resolves once every queued event has been handled. */
  drain(): Promise<void> {
    return this.#transport.drain();
  }

  /** Counters of the underlying transport. */
  stats(): TransportStats {
    return this.#transport.stats();
  }
}
