import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { redisCliBinary } from '../../helpers/redis/binaries.js';
import { startRedis, type RedisServer } from '../../helpers/redis/server-process.js';
import { waitUntil } from '../../helpers/wait.js';
import { FixtureProcess } from '../../fixtures/redis-pubsub/fixture-process.js';
import { Consumer } from './consumer-harness.js';

let server: RedisServer;
beforeAll(async () => {
  // A tiny pub/sub output buffer: Redis disconnects a subscriber that falls 256 kB behind.
  server = await startRedis({ pubsubBufferLimit: '256kb 128kb 1' });
});
afterAll(async () => {
  await server?.dispose();
});

/**
 * Blocks the event loop (so the subscriber's socket isn't read) until Redis has disconnected
 * our subscriber connection for overflowing its output buffer, asking Redis synchronously.
 * Deterministic: however slow or busy the machine, the overflow happens before this returns.
 */
function stallUntilDisconnected(port: number): void {
  const deadline = Date.now() + 60_000;
  for (;;) {
    const list = execFileSync(redisCliBinary(), ['-p', String(port), 'CLIENT', 'LIST', 'TYPE', 'pubsub'], { encoding: 'utf8' });
    if (!list.includes('name=dotbus-subscriber')) return;
    if (Date.now() > deadline) throw new Error('Redis never disconnected the stalled subscriber');
    execFileSync('sleep', ['0.05']);
  }
}

describe('Redis Pub/Sub under a flood', () => {
  it('detects exactly what Redis dropped when it disconnected a slow subscriber', async () => {
    const namespace = `flood-${process.pid}`;
    const total = 60_000;
    let calls = 0;
    // The 500th event stalls the consumer until Redis, whose buffer for us overflowed, cut it off.
    const c = new Consumer(server.url, namespace, {}, () => {
      if (++calls === 500) stallUntilDisconnected(server.port);
    });
    await c.bus.ready();
    const producer = new FixtureProcess('producer', { url: server.url, namespace, count: total, payloadSize: 200, run: 'flood' });
    try {
      const done = await producer.waitFor('done', () => true, 90_000);
      // The tail: heartbeats announce the last sequence numbers, so events lost at the end are counted too.
      await waitUntil(() => c.delivered + c.stats().lost >= total, 60_000, 'delivered + lost to reach published');
      await c.bus.drain();
      const s = c.stats();
      const counts = { published: done.published, delivered: c.delivered, lost: s.lost, dropped: c.dropped(), duplicates: s.duplicates, reconnects: s.reconnects };
      console.log('flood test counts', JSON.stringify(counts));
      expect(done.published).toBe(total);
      expect(done.dropped).toBe(0);
      expect(s.reconnects).toBeGreaterThanOrEqual(1);
      expect(s.lost).toBeGreaterThan(0);
      expect(c.dropped()).toBe(s.lost); // nothing dropped locally: every drop is a loss Redis caused
      expect(c.seen.size).toBe(c.delivered);
      expect(c.delivered + s.lost).toBe(total);
      expect(c.transport.status).toBe('up');
    } finally {
      await producer.stop();
      await c.bus.close();
    }
  });
});
