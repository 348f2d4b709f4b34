/** An in-process consumer for the Redis Pub/Sub integration tests, with the counts they assert on. */
import { createBus, type Subscription } from '../../../src/index.js';
import { redisPubSub, type RedisPubSubTransport, type RedisPubSubOptions, type RedisPubSubStats } from '../../../src/redis/index.js';
import { FIXTURE_EVENTS } from '../../fixtures/redis-pubsub/events.js';

function fixtureBus(transport: RedisPubSubTransport): ReturnType<typeof createBus<typeof FIXTURE_EVENTS>> {
  return createBus({ events: FIXTURE_EVENTS, transport, source: '/test-consumer', onError: () => {} });
}

/** A consumer of `it.*` counting distinct `n`s. */
export class Consumer {
  readonly transport: RedisPubSubTransport;
  readonly bus: ReturnType<typeof fixtureBus>;
  readonly seen = new Set<number>();
  /** The `it.*` subscription. */
  readonly subscription: Subscription;
  delivered = 0;

  constructor(url: string, namespace: string, options: Partial<RedisPubSubOptions> = {}, handler?: () => void) {
    this.transport = redisPubSub({
      connection: { url, backoff: { baseMs: 20, capMs: 250 } },
      namespace,
      queue: { capacity: 200_000 },
      ...options,
    });
    this.bus = fixtureBus(this.transport);
    this.subscription = this.bus.subscribe('it.*', (e) => {
      this.delivered++;
      this.seen.add(e.data.n);
      handler?.();
    });
  }

  stats(): RedisPubSubStats {
    return this.transport.stats();
  }

  /** Every event dropped for any reason, `lost` included. */
  dropped(): number {
    return Object.values(this.stats().dropped).reduce((a, b) => a + b, 0);
  }
}
