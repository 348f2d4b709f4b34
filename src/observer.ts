import type { BusEvent } from './events/bus-event.js';
import type { DotbusError } from './errors.js';

/** Why an event was not handed to a handler. */
export type DropReason =
  /** A bounded queue with policy `drop-oldest` evicted it. */
  | 'drop-oldest'
  /** A bounded queue with policy `drop-newest` refused it. */
  | 'drop-newest'
  /** A bounded queue with policy `reject` refused it and the publisher got a `BufferFullError`. */
  | 'reject'
  /** It waited in an outage buffer longer than the buffer's age limit. */
  | 'expired'
  /** The transport closed before it could be sent or handled. */
  | 'closed'
  /** The broker or the network lost it; detected from producer sequence numbers. */
  | 'lost';

/**
 * Hooks a transport calls as events flow; what `dotbus/otel` and `dotbus/prometheus` implement.
 *
 * @remarks Hooks must not throw and must be cheap: they run on the publish and dispatch paths.
 */
export interface BusObserver {
  /** A failure that did not reach application code: handler errors, decode errors, publish errors. */
  error(error: DotbusError, event?: BusEvent): void;
  /**
   * `count` events (usually 1) of `eventType` (when known) were dropped for `reason`. For a loss
   * found from a sequence gap, `revealedBy` is the event whose arrival showed it: it is about to be
   * dispatched, so the lost events belong just before it (what the audit recorder places its gap
   * record by).
   */
  dropped(reason: DropReason, count: number, eventType?: string, revealedBy?: BusEvent): void;
}

/** Observer that ignores everything; the default. */
export const NOOP_OBSERVER: BusObserver = Object.freeze({
  error(): void {},
  dropped(): void {},
});
