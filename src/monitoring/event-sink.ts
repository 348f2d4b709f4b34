import type { AnyBusEvent, PublishReceipt } from '../index.js';

/**
 * Where monitoring code publishes: an `EventBus`, an `EventPublisher` or a `Transport` all fit.
 *
 * @remarks Only `enabled` and `publish` are needed, so that the coordinator and the pipeline don't
 * depend on a concrete frontend. `enabled` is read on every call: when it is `false` the caller
 * skips measuring and building events altogether.
 */
export interface EventSink<E extends AnyBusEvent = AnyBusEvent> {
  /** Whether publishing does anything; `false` for a NoOp transport or a disabled bus. */
  readonly enabled: boolean;
  /** Publishes one event. Implementations should not reject; a rejection is swallowed and counted. */
  publish(event: E): Promise<PublishReceipt>;
}
