import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBus, type PublishReceipt } from '../../../src/index.js';
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

/** A producer that reaches Redis through the proxy, reconnecting quickly after a cut. */
function producerThroughProxy(namespace: string) {
  return createBus({
    events: [Probe],
    transport: redisPubSub({ connection: { url: `redis://127.0.0.1:${proxy.port}`, backoff: { baseMs: 20, capMs: 100 } }, namespace, heartbeatMs: 0 }),
    onError: () => {},
  });
}
type ProxiedProducer = ReturnType<typeof producerThroughProxy>;

/**
 * Runs `publish` on a producer that reaches Redis through the proxy, with a consumer connected
 * directly; the proxy lets `answered` replies through (4 bytes each: `:1\r\n`, one subscriber) and
 * then cuts every connection. Checks that `answered` receipts say accepted and the rest buffered,
 * that the consumer sees every event exactly once, the re-sent copies counted as duplicates and
 * nothing as lost.
 */
async function cutAfterReplies(tag: string, total: number, answered: number, publish: (producer: ProxiedProducer) => Promise<PublishReceipt[]>): Promise<void> {
  const namespace = `${tag}-${process.pid}`;
  const consumerTransport = redisPubSub({ connection: { url: server.url }, namespace });
  const consumer = createBus({ events: [Probe], transport: consumerTransport, onError: () => {} });
  const seen: number[] = [];
  consumer.subscribe('conf.order', (e) => void seen.push(e.data.n));
  await consumer.ready();
  const producer = producerThroughProxy(namespace);
  try {
    await producer.ready();
    proxy.cutAfter(4 * answered);
    const receipts = await publish(producer);
    expect(receipts.filter((r) => r.status === 'accepted')).toHaveLength(answered);
    expect(receipts.filter((r) => r.status === 'buffered')).toHaveLength(total - answered);
    await waitUntil(() => consumerTransport.stats().duplicates >= total - answered, 20_000, `the re-sent copies: ${JSON.stringify(consumerTransport.stats())}`);
    await producer.drain();
    await consumer.drain();
    expect(proxy.connections).toBeGreaterThanOrEqual(2);
    expect([...seen].sort((a, b) => a - b)).toEqual(Array.from({ length: total }, (_, n) => n));
    expect(consumerTransport.stats()).toMatchObject({ duplicates: total - answered, lost: 0 });
  } finally {
    await producer.close();
    await consumer.close();
  }
}

/**
 * Redis handled every write, then the connection broke before every reply arrived. Re-sent with
 * the producer stamp they first had, the copies are recognized as duplicates; with a new stamp
 * they would be delivered twice, and their first numbers counted as lost.
 */
describe('writes cut off mid-reply (Redis Pub/Sub)', () => {
  it('a pipeline: ioredis rejects the unanswered rest, the producer buffers and re-sends them; each is delivered once', async () => {
    const total = 100;
    await cutAfterReplies('cut', total, 40, (producer) => producer.publishBatch(Array.from({ length: total }, (_, n) => Probe.create('conf.order', { n, text: `e${n}` }))));
  });

  it('single publishes: those waiting for a reply are settled as buffered at the break (ioredis re-sends them); each is delivered once', async () => {
    // Not awaited one by one: all 50 are in flight when the replies stop.
    await cutAfterReplies('cut1', 50, 20, (producer) => Promise.all(Array.from({ length: 50 }, (_, n) => producer.emit('conf.order', { n, text: `s${n}` }))));
  });
});
