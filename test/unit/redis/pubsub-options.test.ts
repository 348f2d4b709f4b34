/** Options of the Redis Pub/Sub transport that are checked at construction; no server needed. */
import { describe, expect, it } from 'vitest';
import { InvalidOptionError, MAX_PRODUCER_ID_LENGTH } from '../../../src/internal.js';
import { redisPubSub } from '../../../src/redis/index.js';

const connection = { url: 'redis://127.0.0.1:1' };

describe('redisPubSub options', () => {
  it('refuses a producer id that consumers would refuse (too long, control or bidi characters)', async () => {
    for (const producerId of ['', 'p'.repeat(MAX_PRODUCER_ID_LENGTH + 1), 'p\nq', 'p\u202e']) {
      expect(() => redisPubSub({ connection, producerId }), JSON.stringify(producerId)).toThrow(InvalidOptionError);
    }
    const ok = redisPubSub({ connection, producerId: 'p'.repeat(MAX_PRODUCER_ID_LENGTH) });
    await ok.close();
  });

  it('refuses a maxTrackedStreams that is not a positive integer', () => {
    for (const maxTrackedStreams of [0, -5, 2.5]) expect(() => redisPubSub({ connection, maxTrackedStreams })).toThrow(InvalidOptionError);
  });

  it("refuses a subscribeTo other than 'patterns' or 'namespace'", () => {
    expect(() => redisPubSub({ connection, subscribeTo: 'all' as 'namespace' })).toThrow(/subscribeTo/);
  });

  it('reports the tracked streams and evictions in stats, starting at zero', async () => {
    const t = redisPubSub({ connection, maxTrackedStreams: 5 });
    expect(t.stats()).toMatchObject({ trackedStreams: 0, evictedStreams: 0 });
    await t.close();
  });
});

describe('redisPubSub batch options', () => {
  it('refuses batch limits and maxBatchEvents that are not positive, and a flush window over a minute', () => {
    for (const batch of [{ maxEvents: 0 }, { maxEvents: 1.5 }, { flushMs: -1 }, { flushMs: 60_001 }, { flushMs: Number.NaN }, { maxBytes: 0 }]) {
      expect(() => redisPubSub({ connection, batch }), JSON.stringify(batch)).toThrow(InvalidOptionError);
    }
    for (const maxBatchEvents of [0, -1, 2.5]) expect(() => redisPubSub({ connection, maxBatchEvents })).toThrow(InvalidOptionError);
  });

  it('accepts the defaults and explicit limits', async () => {
    for (const batch of [{}, { maxEvents: 1, flushMs: 0, maxBytes: 1 }, { maxEvents: 1_000, flushMs: 60_000 }]) {
      await redisPubSub({ connection, batch, maxBatchEvents: 1 }).close();
    }
  });
});
