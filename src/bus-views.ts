import type { AnyBusEvent } from './events/bus-event.js';
import type { EventHandler, PublishReceipt, SubscribeOptions, Subscription, TransportStats } from './transport.js';

/*
 * The partial views of a bus. Code that needs one side of a bus (a monitor that only subscribes, a
 * coordinator that only publishes, an exporter that only reads counters) asks for the view, so an
 * `EventBus`, an `EventPublisher`/`EventSubscriber` and a `Transport` all fit.
 */

/** Anything that can subscribe: a bus, a subscriber or a transport. */
export interface Subscribable {
  subscribe(pattern: string, handler: EventHandler, options?: SubscribeOptions): Subscription;
}

/**
 * Anything that publishes: a bus, a publisher or a transport.
 *
 * @remarks `enabled` is read on every call: when it is `false` the caller skips measuring and
 * building events altogether.
 */
export interface EventSink<E extends AnyBusEvent = AnyBusEvent> {
  /** Whether publishing does anything; `false` for a disabled bus. */
  readonly enabled: boolean;
  /** Publishes one event. Implementations should not reject; a rejection is swallowed and counted. */
  publish(event: E): Promise<PublishReceipt>;
}

/** Anything with counters: a bus, a transport. */
export interface StatsSource {
  stats(): TransportStats;
}
