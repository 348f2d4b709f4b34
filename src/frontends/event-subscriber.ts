import type { AnyBusEvent, UntypedEvent } from '../events/bus-event.js';
import type { KnownPattern, MatchingEvents, ValidPattern } from '../patterns/pattern-types.js';
import type { BusTracing } from '../tracing.js';
import type { EventHandler, SubscribeOptions, Subscription, Transport, TransportStats } from '../transport.js';

/**
 * The high-level consumer: typed subscriptions whose handler type is inferred from the pattern.
 *
 * @remarks Spec: `IEventConsumerFrontend`.
 */
export class EventSubscriber<E extends AnyBusEvent> {
  readonly #transport: Transport;
  readonly #tracing: BusTracing | undefined;

  constructor(transport: Transport, tracing?: BusTracing) {
    this.#transport = transport;
    this.#tracing = tracing;
  }

  /**
   * Calls `handler` with every event whose type matches `pattern`. The handler's parameter is the
   * union of the registered events that `pattern` can match. A literal pattern that is invalid, or
   * that matches none of the registered event types (a misspelling such as `'valdation.*'`), does
   * not compile: the error names the problem. A pattern typed as `string` is checked at run time
   * only, where an invalid one throws {@link InvalidPatternError}. For events this bus has no
   * definitions for, use {@link EventSubscriber.subscribeUntyped}.
   *
   * @example
   * ```ts
   * using sub = bus.subscribe('validation.*', (e) => console.log(e.eventType, e.data.status));
   * ```
   */
  subscribe<const P extends string>(
    pattern: KnownPattern<P, E>,
    handler: EventHandler<MatchingEvents<E, P>>,
    options?: SubscribeOptions,
  ): Subscription {
    return this.#transport.subscribe(pattern, this.#wrap(handler as EventHandler, pattern), options);
  }

  /**
   * Like {@link EventSubscriber.subscribe}, for event types this bus has no definitions for (those
   * another service publishes, say): `pattern` is only checked for validity, and the handler gets
   * every matching event as an {@link UntypedEvent}, whose `data` is `unknown`. Delivery is exactly
   * that of `subscribe`. Over a distributed transport, events of types without a definition are
   * decoded (instead of reported as decode errors) only by a bus created with `untyped: true`.
   *
   * @example
   * ```ts
   * bus.subscribeUntyped('billing.*', (e) => console.log(e.eventType, e.data));
   * ```
   */
  subscribeUntyped<const P extends string>(
    pattern: ValidPattern<P>,
    handler: EventHandler<UntypedEvent>,
    options?: SubscribeOptions,
  ): Subscription {
    return this.#transport.subscribe(pattern, this.#wrap(handler, pattern), options);
  }

  /**
   * The handler the transport gets: wrapped by the bus's tracing, when there is one. Tracing wraps
   * handlers here, once per subscription, rather than inside every transport, so a bus without
   * tracing dispatches exactly as before. A call the transport will refuse (no function, a
   * pattern that is no string) is passed on unwrapped so the refusal names what was given.
   */
  #wrap(handler: EventHandler, pattern: string): EventHandler {
    if (this.#tracing === undefined || typeof handler !== 'function' || typeof pattern !== 'string') return handler;
    return this.#tracing.wrapHandler(handler, pattern);
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
