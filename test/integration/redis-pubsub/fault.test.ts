import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../../helpers/redis/server-process.js';
import { waitUntil } from '../../helpers/wait.js';
import { FixtureProcess } from '../../fixtures/redis-pubsub/fixture-process.js';
import { Consumer } from './consumer-harness.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.dispose();
});

describe('Redis Pub/Sub through a Redis outage', () => {
  it('recovers without a restart and accounts for all 20,000 events', async () => {
    const namespace = `fault-${process.pid}`;
    const consumer = new Consumer(server.url, namespace);
    const health: string[] = [];
    consumer.bus.subscribe('system.health.*', (e) => void health.push(`${e.data.component}:${e.data.status}`));
    await consumer.bus.ready();
    const total = 20_000;
    const producer = new FixtureProcess('producer', { url: server.url, namespace, count: total, rate: 4_000, run: 'fault' });
    try {
      await waitUntil(() => consumer.delivered >= 4_000, 30_000, 'first deliveries');
      await server.stop();
      await waitUntil(() => consumer.transport.status !== 'up', 10_000, 'the consumer to notice the outage');
      // Let the producer publish into its outage buffer for a while, then bring Redis back.
      const before = producer.last('progress')?.published ?? 0;
      // Capped at the total: a producer that got far before Redis went down must still satisfy it.
      await producer.waitFor('progress', (m) => m.buffered > 0 && m.published >= Math.min(before + 2_000, total), 30_000);
      await server.start();
      const done = await producer.waitFor('done', () => true, 60_000);
      await waitUntil(() => consumer.delivered + consumer.dropped() + done.dropped >= total, 30_000, 'every event accounted for');
      await consumer.bus.drain();
      const s = consumer.stats();
      const counts = {
        published: done.published,
        receipts: done.receipts,
        producerDropped: done.dropped,
        delivered: consumer.delivered,
        consumerDropped: consumer.dropped(),
        lost: s.lost,
        duplicates: s.duplicates,
        reconnects: s.reconnects,
      };
      console.log('fault test counts', JSON.stringify(counts));
      expect(done.published).toBe(total);
      expect(done.receipts['buffered']).toBeGreaterThan(0);
      expect(done.receipts['failed'] ?? 0).toBe(0); // an outage means `buffered`, never `failed`
      expect(consumer.delivered + consumer.dropped() + done.dropped).toBe(total);
      expect(consumer.seen.size).toBe(consumer.delivered); // no event delivered twice
      expect(s.reconnects).toBeGreaterThanOrEqual(1);
      expect(consumer.transport.status).toBe('up');
      expect(health).toContain('redis-pubsub/subscriber:reconnecting');
      expect(health.at(-1)).toMatch(/:up$/);
    } finally {
      await producer.stop();
      await consumer.bus.close();
    }
  });
});
