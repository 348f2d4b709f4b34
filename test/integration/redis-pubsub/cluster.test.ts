import { Cluster } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedisCluster, type RedisCluster } from '../../helpers/redis/cluster.js';
import { waitUntil } from '../../helpers/wait.js';
import { Consumer } from './consumer-harness.js';

let cluster: RedisCluster;
let client: Cluster;
beforeAll(async () => {
  cluster = await startRedisCluster(3);
  client = new Cluster([...cluster.startupNodes], { lazyConnect: true });
});
afterAll(async () => {
  client?.disconnect();
  await cluster?.dispose();
});

describe('Redis Pub/Sub on a Redis Cluster (smoke)', () => {
  it('delivers between two transports built from a user-supplied Cluster client', async () => {
    const namespace = `cluster-${process.pid}`;
    const c = new Consumer('', namespace, { connection: { client, backoff: { baseMs: 20, capMs: 250 } } });
    const p = new Consumer('', namespace, { connection: { client, backoff: { baseMs: 20, capMs: 250 } } });
    try {
      await Promise.all([c.bus.ready(), p.bus.ready()]);
      for (let n = 0; n < 200; n++) expect((await p.bus.emit('it.tick', { n, run: 'cluster', payload: '' })).status).toBe('accepted');
      await waitUntil(() => c.delivered + c.dropped() >= 200);
      await c.bus.drain();
      const s = c.stats();
      console.log('cluster smoke counts', JSON.stringify({ delivered: c.delivered, lost: s.lost, duplicates: s.duplicates }));
      // No silent loss, even here: published = delivered + counted.
      expect(c.delivered + c.dropped()).toBe(200);
      expect(c.delivered).toBeGreaterThan(0);
      // Each producer pins its PUBLISHes to one master, so its messages keep their order across the
      // cluster bus: nothing is overtaken, so nothing is counted lost or dropped as a duplicate.
      expect(c.delivered).toBe(200);
      expect([s.lost, s.duplicates]).toEqual([0, 0]);
    } finally {
      await Promise.all([c.bus.close(), p.bus.close()]);
    }
  });
});
