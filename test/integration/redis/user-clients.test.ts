import { Cluster, Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBus } from '../../../src/index.js';
import { redisPubSub, redisStreams } from '../../../src/redis/index.js';
import { Probe } from '../../conformance/samples.js';
import { startRedisCluster, type RedisCluster } from '../../helpers/redis/cluster.js';
import { startRedis, type RedisServer } from '../../helpers/redis/server-process.js';
import { waitUntil } from '../../helpers/wait.js';

let server: RedisServer;
let cluster: RedisCluster;
beforeAll(async () => {
  [server, cluster] = await Promise.all([startRedis(), startRedisCluster(3)]);
});
afterAll(async () => {
  await Promise.all([server?.dispose(), cluster?.dispose()]);
});

describe('a client you pass in (connection.client)', () => {
  it('is duplicated, never closed: it still answers after both transports closed', async () => {
    const client = new Redis(server.url);
    try {
      for (const transport of [redisPubSub({ connection: { client }, namespace: `own-${process.pid}` }), redisStreams({ connection: { client }, namespace: `own-${process.pid}` })]) {
        const bus = createBus({ events: [Probe], transport });
        await bus.ready();
        expect((await bus.emit('conf.order', { n: 1, text: 'own' })).status).toBe('accepted');
        await bus.close();
      }
      expect(client.status).toBe('ready');
      expect(await client.ping()).toBe('PONG');
    } finally {
      client.disconnect();
    }
  });

  it('Redis Streams work on a Cluster: every key of a namespace in one slot, each event handled once', async () => {
    const client = new Cluster([...cluster.startupNodes], { lazyConnect: true });
    const namespace = `streams-cluster-${process.pid}`;
    const options = { connection: { client, backoff: { baseMs: 20, capMs: 250 } }, namespace, group: 'svc', blockMs: 100 };
    const consumer = createBus({ events: [Probe], transport: redisStreams(options) });
    const producer = createBus({ events: [Probe], transport: redisStreams({ ...options, group: 'producer-only' }) });
    try {
      const seen: number[] = [];
      consumer.subscribe('conf.order', (e) => void seen.push(e.data.n));
      await Promise.all([consumer.ready(), producer.ready()]);
      for (let n = 0; n < 100; n++) expect((await producer.emit('conf.order', { n, text: 'cluster' })).status).toBe('accepted');
      await waitUntil(() => seen.length >= 100, 20_000, '100 events');
      await consumer.drain();
      expect(seen).toEqual(Array.from({ length: 100 }, (_, n) => n));
    } finally {
      await Promise.all([consumer.close(), producer.close()]);
      client.disconnect();
    }
  });
});
