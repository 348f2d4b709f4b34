import { JsonCodec } from '../codec/json-codec.js';
import type { BusEvent } from '../events/bus-event.js';
import { PublishError, TransportClosedError, toDotbusError } from '../errors.js';
import { NOOP_OBSERVER } from '../observer.js';
import {
  RECEIPT,
  RECEIPT_PROMISE,
  type EventHandler,
  type PublishReceipt,
  type SubscribeOptions,
  type Subscription,
  type Transport,
  type TransportContext,
  type TransportStats,
} from '../transport.js';
import { LocalDispatcher, type LocalDispatcherOptions } from './local-dispatcher.js';

/** Options of {@link InMemoryTransport}. */
export type InMemoryTransportOptions = Pick<LocalDispatcherOptions, 'queue' | 'maxInFlight' | 'batchSize'>;

const AFTER_WAIT = (outcome: 'dropped' | undefined): PublishReceipt => (outcome === 'dropped' ? RECEIPT.dropped : RECEIPT.accepted);

/**
 * The in-process transport: the default of every example and test.
 *
 * @remarks Spec: `InMemoryEventProducer` / `InMemoryEventConsumer`. Dispatch is asynchronous
 * (handlers run on a later microtask, never inside `publish`), events from one publisher reach each
 * subscription in publish order, each subscription has a bounded queue with a backpressure policy,
 * and a handler failure is reported without touching other handlers. Not shared between instances:
 * there is no global bus.
 *
 * @example
 * ```ts
 * const transport = new InMemoryTransport({ queue: { capacity: 1_000, policy: 'drop-oldest' } });
 * ```
 */
export class InMemoryTransport implements Transport {
  readonly name = 'in-memory';
  readonly enabled = true;
  readonly #dispatcher: LocalDispatcher;
  /** Set only when the bus signs or verifies: each event then goes through encode and decode. */
  #codec: JsonCodec | undefined;
  #closed = false;

  constructor(options: InMemoryTransportOptions = {}) {
    this.#dispatcher = new LocalDispatcher(options);
  }

  bind(context: TransportContext): void {
    if (context.observer !== NOOP_OBSERVER) this.#dispatcher.observer = context.observer;
    const security = context.security;
    if (security !== undefined && (security.signs || security.verifies)) {
      this.#codec = new JsonCodec(context.registry, { untyped: context.untyped, security });
    }
  }

  ready(): Promise<void> {
    return Promise.resolve();
  }

  /**
   * Queues `event` for every matching subscription. Resolves `accepted`, or `dropped` when a
   * `drop-newest` queue refused it; with a full `wait` queue it resolves once there is room.
   * @throws {@link TransportClosedError} after `close()`; {@link BufferFullError} for a full `reject` queue.
   */
  publish(event: BusEvent): Promise<PublishReceipt> {
    if (this.#closed) return Promise.reject(new TransportClosedError(this.name));
    let outcome: ReturnType<LocalDispatcher['dispatch']>;
    try {
      const delivered = this.#codec === undefined ? event : this.#signedRoundTrip(this.#codec, event);
      if (delivered === undefined) return RECEIPT_PROMISE.accepted;
      outcome = this.#dispatcher.dispatch(delivered);
    } catch (e) {
      return Promise.reject(e);
    }
    if (outcome === undefined) return RECEIPT_PROMISE.accepted;
    if (outcome === 'dropped') return RECEIPT_PROMISE.dropped;
    return outcome.then(AFTER_WAIT);
  }

  /**
   * `event` as a consumer in another process would get it: signed as encoded, verified as decoded.
   * A refused event is reported like on Redis (where the publisher can't know either) and not delivered.
   */
  #signedRoundTrip(codec: JsonCodec, event: BusEvent): BusEvent | undefined {
    const result = codec.decode(codec.encode(event));
    if (result.ok) return result.event;
    try {
      this.#dispatcher.observer.error(result.error, event);
    } catch {
      // An observer that throws must not turn a refused event into a failed publish.
    }
    return undefined;
  }

  /** Publishes in order; one receipt per event, so a refused event never hides the others' fate. */
  async publishBatch(events: readonly BusEvent[]): Promise<PublishReceipt[]> {
    if (this.#closed) throw new TransportClosedError(this.name);
    const receipts: PublishReceipt[] = [];
    for (const event of events) {
      receipts.push(await this.publish(event).catch((e: unknown) => ({ status: 'failed' as const, error: toDotbusError(e, (m) => new PublishError(event.eventType, m)) })));
    }
    return receipts;
  }

  publishLocal(event: BusEvent): void {
    if (!this.#closed) this.#dispatcher.dispatchLocal(event);
  }

  subscribe(pattern: string, handler: EventHandler, options?: SubscribeOptions): Subscription {
    if (this.#closed) throw new TransportClosedError(this.name);
    return this.#dispatcher.subscribe(pattern, handler, options);
  }

  drain(): Promise<void> {
    return this.#dispatcher.drain();
  }

  /** Stops publishing, waits for queued events and running handlers, then ends every subscription. */
  async close(): Promise<void> {
    this.#closed = true;
    await this.#dispatcher.close();
  }

  stats(): TransportStats {
    return this.#dispatcher.stats();
  }
}
