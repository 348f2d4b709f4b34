import type { BusEvent } from '../events/bus-event.js';
import { checkSubscription } from './subscription-table.js';
import {
  RECEIPT,
  RECEIPT_PROMISE,
  type EventHandler,
  type PublishReceipt,
  type SubscribeOptions,
  type Subscription,
  type Transport,
  type TransportStats,
} from '../transport.js';

const DONE = Promise.resolve();
const SUPPORT = { transport: 'noop' };
const NO_DROPS = Object.freeze({ 'drop-oldest': 0, 'drop-newest': 0, reject: 0, expired: 0, closed: 0, lost: 0 });
const STATS: TransportStats = Object.freeze({
  published: 0,
  delivered: 0,
  handlerErrors: 0,
  unrouted: 0,
  dropped: NO_DROPS,
  queued: 0,
  inFlight: 0,
});
const NOOP_SUBSCRIPTION: Subscription = Object.freeze({
  id: 'noop',
  pattern: '',
  ready: DONE,
  unsubscribe(): void {},
  [Symbol.dispose](): void {},
});

/**
 * A transport that does nothing: publishing is skipped, subscriptions never fire.
 *
 * @remarks Spec: `NoOpEventProducer` / `NoOpEventConsumer`. Allocates nothing per call: every
 * method returns a shared constant. `subscribe` checks its arguments exactly like every other
 * transport, so code that works with events switched off works with them switched on.
 * @see {@link Transport}
 */
export class NoopTransport implements Transport {
  readonly name = 'noop';
  readonly enabled = false;

  bind(): void {}

  ready(): Promise<void> {
    return DONE;
  }

  publish(_event: BusEvent): Promise<PublishReceipt> {
    return RECEIPT_PROMISE.skipped;
  }

  publishBatch(events: readonly BusEvent[]): Promise<PublishReceipt[]> {
    return Promise.resolve(events.map(() => RECEIPT.skipped));
  }

  publishLocal(_event: BusEvent): void {}

  /** @throws {@link InvalidPatternError} or {@link InvalidOptionError} for a bad call, like every transport. */
  subscribe(pattern: string, handler: EventHandler, options?: SubscribeOptions): Subscription {
    checkSubscription(SUPPORT, pattern, handler, options);
    return NOOP_SUBSCRIPTION;
  }

  drain(): Promise<void> {
    return DONE;
  }

  close(): Promise<void> {
    return DONE;
  }

  stats(): TransportStats {
    return STATS;
  }
}
