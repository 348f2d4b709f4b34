import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBus } from '../../../src/index.js';
import { redisPubSub } from '../../../src/redis/index.js';
import { Probe } from '../../conformance/samples.js';
import { ReplyCuttingProxy } from '../../helpers/redis/reply-cutting-proxy.js';
import { startRedis, type RedisServer } from '../../helpers/redis/server-process.js';
import { waitUntil } from '../../helpers/wait.js';

let server: RedisServer;
let proxy: ReplyCuttingProxy;
beforeAll(async () => {
  server = await startRedis();
  proxy = await ReplyCuttingProxy.start(server.port);
});
afterAll(async () => {
  await proxy?.close();
  await server?.dispose();
});

/**
 * Redis handled a whole pipeline, then the connection broke before every reply arrived: ioredis
 * rejects the unanswered rest, the producer buffers those events and re-sends them on reconnect.
 * Re-sent with the producer stamp they first had, the copies are recognized as duplicates; with a
 * new stamp they would be delivered twice, and their first numbers counted as lost.
 */
describe('a pipeline cut off mid-reply (Redis Pub/Sub)', () => {
  it('delivers every event exactly once, counts the re-sent copies as duplicates and nothing as lost', async () => {
    const namespace = `cut-${process.pid}`;
    const consumerTransport = redisPubSub({ connection: { url: server.url }, namespace });
    const consumer = createBus({ events: [Probe], transport: consumerTransport, onError: () => {} });
    const seen: number[] = [];
    consumer.subscribe('conf.order', (e) => void seen.push(e.data.n));
    await consumer.ready();
    const producer = createBus({
      events: [Probe],
      transport: redisPubSub({ connection: { url: `redis://127.0.0.1:${proxy.port}`, backoff: { baseMs: 20, capMs: 100 } }, namespace, heartbeatMs: 0 }),
      onError: () => {},
    });
    try {
      await producer.ready();
      const total = 100;
      const answered = 40;
      // Each PUBLISH reply is `:1\r\n` (one subscriber): 4 bytes.
      proxy.cutAfter(4 * answered);
      const receipts = await producer.publishBatch(Array.from({ length: total }, (_, n) => Probe.create('conf.order', { n, text: `e${n}` })));
      expect(receipts.filter((r) => r.status === 'accepted')).toHaveLength(answered);
      expect(receipts.filter((r) => r.status === 'buffered')).toHaveLength(total - answered);
      await waitUntil(() => consumerTransport.stats().duplicates >= total - answered, 20_000, `the re-sent copies: ${JSON.stringify(consumerTransport.stats())}`);
      await producer.drain();
      await consumer.drain();
      expect(proxy.connections).toBeGreaterThanOrEqual(2);
      expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, n) => n));
      expect(consumerTransport.stats().duplicates).toBe(total - answered);
      expect(consumerTransport.stats().lost).toBe(0);
    } finally {
      await producer.close();
      await consumer.close();
    }
  });

  it('settles single publishes waiting for their replies as buffered when the connection breaks, and delivers each once', async () => {
    const namespace = `cut1-${process.pid}`;
    const consumerTransport = redisPubSub({ connection: { url: server.url }, namespace });
    const consumer = createBus({ events: [Probe], transport: consumerTransport, onError: () => {} });
    const seen: number[] = [];
    consumer.subscribe('conf.order', (e) => void seen.push(e.data.n));
    await consumer.ready();
    const producer = createBus({
      events: [Probe],
      transport: redisPubSub({ connection: { url: `redis://127.0.0.1:${proxy.port}`, backoff: { baseMs: 20, capMs: 100 } }, namespace, heartbeatMs: 0 }),
      onError: () => {},
    });
    try {
      await producer.ready();
      const total = 50;
      const answered = 20;
      proxy.cutAfter(4 * answered);
      // Not awaited one by one: all 50 are in flight when the replies stop.
      const receipts = await Promise.all(Array.from({ length: total }, (_, n) => producer.emit('conf.order', { n, text: `s${n}` })));
      // The writes Redis handled but whose replies were cut are not waited for (ioredis re-sends them on reconnect).
      expect(receipts.filter((r) => r.status === 'accepted')).toHaveLength(answered);
      expect(receipts.filter((r) => r.status === 'buffered')).toHaveLength(total - answered);
      await waitUntil(() => consumerTransport.stats().duplicates >= total - answered, 20_000, `the re-sent copies: ${JSON.stringify(consumerTransport.stats())}`);
      await producer.drain();
      await consumer.drain();
      expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, n) => n));
      expect(consumerTransport.stats()).toMatchObject({ duplicates: total - answered, lost: 0 });
    } finally {
      await producer.close();
      await consumer.close();
    }
  });
});
