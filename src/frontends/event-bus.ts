import type { AnyBusEvent, EventMeta, TraceContext, UntypedEvent } from '../events/bus-event.js';
import { BUILT_IN_EVENTS, type BuiltInEvent } from '../events/builtin/index.js';
import { DEFAULT_SOURCE, type AnyEventDefinition, type EventsOf } from '../events/define-event.js';
import { EventRegistry } from '../events/registry.js';
import { NOOP_OBSERVER, type BusObserver } from '../observer.js';
import type { KnownPattern, MatchingEvents, ValidPattern } from '../patterns/pattern-types.js';
import type { EventSecurity } from '../security/event-security.js';
import type { BusTracing } from '../tracing.js';
import type { EventHandler, PublishReceipt, SubscribeOptions, Subscription, Transport, TransportStats } from '../transport.js';
import { InMemoryTransport } from '../transports/in-memory.js';
import { NoopTransport } from '../transports/noop.js';
import { EventPublisher, type DataOf, type PublisherStats } from './event-publisher.js';
import { EventSubscriber } from './event-subscriber.js';
import { SystemReporter, warnOnError, type ErrorHook } from './system-reporter.js';

/** What {@link createBus} takes. */
export interface BusOptions<Defs extends readonly AnyEventDefinition[]> {
  /** Your event definitions; the built-in ones are always included. @default [] */
  readonly events?: Defs;
  /** Where events go. @default a new {@link InMemoryTransport} */
  readonly transport?: Transport;
  /** `false` swaps the transport for NoOp: publishing costs about an empty call. @default true */
  readonly enabled?: boolean;
  /** `source` of the events this bus builds, e.g. `/orders-service`. @default `/dotbus` */
  readonly source?: string;
  /** Every failure that was handled without throwing. @default a rate-limited process warning */
  readonly onError?: ErrorHook;
  /** Extra hooks, e.g. metrics. @default none */
  readonly observer?: BusObserver;
  /**
   * The caller's trace context, stamped on every event the bus builds without one; pass
   * `activeTraceContext` from `dotbus/otel` to propagate OpenTelemetry traces without spans of
   * dotbus's own. With `tracing`, events carry their send span's context instead (a child of the
   * caller's), and this is used only when the send has none. @default none
   */
  readonly traceContext?: () => TraceContext | undefined;
  /**
   * Spans for every send and every handler call: pass `otelTracing()` from `dotbus/otel`. No
   * handler needs wrapping. Without it, publishing and dispatch do no tracing work at all.
   * @default none
   */
  readonly tracing?: BusTracing;
  /**
   * Receive well-formed CloudEvents of types this bus has no definition for, as untyped events
   * (`isUntyped(event)`, `data: unknown`) for `subscribeUntyped` handlers, instead of reporting
   * them as decode errors. For tools that watch a namespace they don't own (`dotbus tail`). Such
   * a bus also publishes untyped events of unknown types it is given (received ones, or decoded by
   * an untyped codec) as they are, unchecked: what lets an audit replay send them.
   * @default false
   */
  readonly untyped?: boolean;
  /**
   * Signed events: sign what this bus publishes, verify what it receives (unsigned, forged, altered,
   * unknown-key or replayed events never reach a handler). Pass one `new EventSecurity({ … })`.
   * @default none: events are neither signed nor verified
   */
  readonly security?: EventSecurity;
}

/** What an {@link EventBus} is made of besides its registry and transport. */
export interface BusSettings {
  readonly source: string;
  readonly untyped?: boolean;
  readonly security?: EventSecurity;
  readonly onError: ErrorHook;
  readonly observer: BusObserver;
  readonly traceContext?: () => TraceContext | undefined;
  readonly tracing?: BusTracing;
}

/**
 * A typed publisher and subscriber over one transport.
 *
 * @typeParam E - the union of every event this bus knows
 */
export class EventBus<E extends AnyBusEvent> {
  /** The definitions this bus encodes, decodes and builds from. */
  readonly registry: EventRegistry;
  /** The transport underneath. */
  readonly transport: Transport;
  /** The publishing half. */
  readonly publisher: EventPublisher<E>;
  /** The subscribing half. */
  readonly subscriber: EventSubscriber<E>;

  constructor(registry: EventRegistry, transport: Transport, settings: BusSettings) {
    this.registry = registry;
    this.transport = transport;
    const reporter = new SystemReporter(transport, settings.source, settings.onError, settings.observer);
    transport.bind({ registry, observer: reporter, untyped: settings.untyped === true, ...(settings.security === undefined ? {} : { security: settings.security }) });
    this.publisher = new EventPublisher<E>(transport, registry, {
      report: (e, ev) => reporter.error(e, ev),
      source: settings.source,
      untyped: settings.untyped === true,
      ...(settings.traceContext === undefined ? {} : { traceContext: settings.traceContext }),
      ...(settings.tracing === undefined ? {} : { tracing: settings.tracing }),
    });
    this.subscriber = new EventSubscriber<E>(transport, settings.tracing);
  }

  /** Whether publishing does anything. */
  get enabled(): boolean {
    return this.publisher.enabled;
  }

  /** @see {@link EventPublisher.emit} */
  emit<T extends E['eventType']>(type: T, data: DataOf<E, T>, meta?: EventMeta): Promise<PublishReceipt> {
    return this.publisher.emit(type, data, meta);
  }

  /** @see {@link EventPublisher.emitWith} */
  emitWith<T extends E['eventType']>(type: T, build: () => DataOf<E, T>, meta?: EventMeta): Promise<PublishReceipt> {
    return this.publisher.emitWith(type, build, meta);
  }

  /** @see {@link EventPublisher.publish} */
  publish(event: E): Promise<PublishReceipt> {
    return this.publisher.publish(event);
  }

  /** @see {@link EventPublisher.publishBatch} */
  publishBatch(events: readonly E[]): Promise<PublishReceipt[]> {
    return this.publisher.publishBatch(events);
  }

  /**
   * Typed subscription; a literal pattern must be valid and match at least one of this bus's event
   * types. @see {@link EventSubscriber.subscribe}
   */
  subscribe<const P extends string>(
    pattern: KnownPattern<P, E>,
    handler: EventHandler<MatchingEvents<E, P>>,
    options?: SubscribeOptions,
  ): Subscription {
    return this.subscriber.subscribe(pattern, handler, options);
  }

  /**
   * Subscription to event types this bus has no definitions for; the handler gets
   * {@link UntypedEvent}s. @see {@link EventSubscriber.subscribeUntyped}
   */
  subscribeUntyped<const P extends string>(
    pattern: ValidPattern<P>,
    handler: EventHandler<UntypedEvent>,
    options?: SubscribeOptions,
  ): Subscription {
    return this.subscriber.subscribeUntyped(pattern, handler, options);
  }

  /** Resolves once the transport is connected and its subscriptions are confirmed. */
  ready(): Promise<void> {
    return this.transport.ready();
  }

  /** Resolves once every queued event has been handled. */
  drain(): Promise<void> {
    return this.transport.drain();
  }

  /** Flushes, drains and releases the transport. */
  close(): Promise<void> {
    return this.transport.close();
  }

  /** Transport and publisher counters. */
  stats(): TransportStats & { readonly publisher: PublisherStats } {
    return { ...this.transport.stats(), publisher: this.publisher.stats() };
  }
}

/**
 * Creates a typed bus: your definitions plus the built-in ones, over a transport (InMemory by default).
 *
 * @example
 * ```ts
 * const OrderPlaced = defineEvent({ type: 'order.placed', version: '1.0.0',
 *   schema: Type.Object({ orderId: Type.String(), total: Type.Number() }) });
 * const bus = createBus({ events: [OrderPlaced], source: '/shop' });
 * bus.subscribe('order.*', (e) => console.log(e.data.total));
 * await bus.emit('order.placed', { orderId: 'o-1', total: 42 });
 * ```
 */
export function createBus<const Defs extends readonly AnyEventDefinition[] = []>(
  options: BusOptions<Defs> = {},
): EventBus<EventsOf<Defs> | BuiltInEvent> {
  const registry = new EventRegistry([...BUILT_IN_EVENTS, ...(options.events ?? [])]);
  const transport = options.enabled === false ? new NoopTransport() : (options.transport ?? new InMemoryTransport());
  return new EventBus(registry, transport, {
    source: options.source ?? DEFAULT_SOURCE,
    onError: options.onError ?? warnOnError,
    observer: options.observer ?? NOOP_OBSERVER,
    ...(options.traceContext === undefined ? {} : { traceContext: options.traceContext }),
    ...(options.tracing === undefined ? {} : { tracing: options.tracing }),
    untyped: options.untyped === true,
    ...(options.security === undefined ? {} : { security: options.security }),
  });
}
