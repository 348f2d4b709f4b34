import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../../helpers/redis/server-process.js';
import { FixtureProcess } from '../../fixtures/redis-pubsub/fixture-process.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.dispose();
});

describe('Redis Pub/Sub between two Node processes', () => {
  it('delivers 10,000 typed events from a producer process to a consumer process', async () => {
    const config = { url: server.url, namespace: `two-proc-${process.pid}`, count: 10_000, run: 'two' };
    const consumer = new FixtureProcess('consumer', config);
    let producer: FixtureProcess | undefined;
    try {
      await consumer.waitFor('ready');
      producer = new FixtureProcess('producer', config);
      const done = await producer.waitFor('done');
      expect(done.published).toBe(10_000);
      expect(done.receipts['accepted']).toBe(10_000);
      let report = await consumer.report();
      const deadline = Date.now() + 30_000;
      while (report.delivered + report.dropped < 10_000 && Date.now() < deadline) {
        await new Promise((r) => setTimeout(r, 20));
        report = await consumer.report();
      }
      expect(report).toMatchObject({ delivered: 10_000, distinct: 10_000, typed: true, lost: 0, dropped: 0, decodeErrors: 0 });
      // published = delivered + counted-as-dropped, across both processes.
      expect(report.delivered + report.dropped + done.dropped).toBe(done.published);
    } finally {
      await Promise.all([producer?.stop(), consumer.stop()]);
    }
  });
});
