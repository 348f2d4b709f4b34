/** Batch mode of the Redis Pub/Sub transport: the wire format, per-element decoding and gap detection, close() and outages. */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBus, EventRegistry, EventSecurity, JsonCodec, type PublishReceipt, type SigningKey } from '../../../src/index.js';
import { redisPubSub, type DecodeErrorInfo } from '../../../src/redis/index.js';
import { startRedis, type RedisServer } from '../../helpers/redis/server-process.js';
import { waitUntil } from '../../helpers/wait.js';
import { FIXTURE_EVENTS, Tick } from '../../fixtures/redis-pubsub/events.js';
import { Consumer } from './consumer-harness.js';

let server: RedisServer;
let spy: Redis;
beforeAll(async () => {
  server = await startRedis();
  spy = new Redis(server.url);
});
afterAll(async () => {
  spy?.disconnect();
  await server?.dispose();
});

let run = 0;
const namespaceOf = (what: string): string => `batch-${what}-${process.pid}-${run++}`;
const connection = (): { url: string; backoff: { baseMs: number; capMs: number } } => ({ url: server.url, backoff: { baseMs: 20, capMs: 250 } });
const ticks = (count: number, type: 'it.tick' | 'it.tock' = 'it.tick') => Array.from({ length: count }, (_, n) => Tick.create(type, { n, run: 'batch', payload: 'x' }));
const codec = new JsonCodec(new EventRegistry([...FIXTURE_EVENTS]));

/** Messages on the namespace's channels, as a plain client sees them. */
async function watch(namespace: string): Promise<{ messages: string[]; stop: () => void }> {
  const client = spy.duplicate();
  const messages: string[] = [];
  client.on('pmessage', (_g: string, _c: string, m: string) => messages.push(m));
  await client.psubscribe(`${namespace}:*`);
  return { messages, stop: () => client.disconnect() };
}

describe('Redis Pub/Sub batch mode', () => {
  it('sends events of one type published together as one CloudEvents batch, read by a consumer without batch mode, receipts per event', async () => {
    const namespace = namespaceOf('wire');
    const consumer = new Consumer(server.url, namespace);
    await consumer.bus.ready();
    const seen = await watch(namespace);
    const producer = createBus({ events: FIXTURE_EVENTS, transport: redisPubSub({ connection: connection(), namespace, batch: { maxEvents: 50, flushMs: 20 } }) });
    try {
      await producer.ready();
      const events = [...ticks(30), ...ticks(20, 'it.tock')];
      const receipts = await Promise.all(events.map((e) => producer.publish(e)));
      expect(receipts.map((r) => r.status)).toEqual(events.map(() => 'accepted'));
      await waitUntil(() => consumer.delivered === events.length, 10_000, 'every event delivered');
      await waitUntil(() => seen.messages.length === 2, 10_000, 'both batch messages seen');
      const batches = seen.messages.map((m) => JSON.parse(m) as { type: string; producerseq: string; id: string }[]);
      expect(batches.map((b) => b.length).sort()).toEqual([20, 30]);
      for (const batch of batches) {
        // One type per message, each element a structured-mode event with its own sequence number.
        expect(new Set(batch.map((e) => e.type)).size).toBe(1);
        expect(batch.map((e) => e.producerseq)).toEqual(batch.map((_, i) => String(i + 1)));
      }
      expect(consumer.stats()).toMatchObject({ received: 2, decodeErrors: 0, lost: 0, duplicates: 0 });
    } finally {
      seen.stop();
      await producer.close();
      await consumer.bus.close();
    }
  });

  it('splits a flush into messages of at most maxEvents events', async () => {
    const namespace = namespaceOf('split');
    const seen = await watch(namespace);
    const producer = createBus({ events: FIXTURE_EVENTS, transport: redisPubSub({ connection: connection(), namespace, batch: { maxEvents: 7, flushMs: 20 } }) });
    try {
      await producer.ready();
      const count = 30;
      await Promise.all(ticks(count).map((e) => producer.publish(e)));
      await waitUntil(() => seen.messages.length === Math.ceil(count / 7), 10_000, 'every batch message');
      expect(seen.messages.map((m) => (JSON.parse(m) as unknown[]).length)).toEqual([7, 7, 7, 7, 2]);
    } finally {
      seen.stop();
      await producer.close();
    }
  });

  it('delivers the good elements of a batch, reports each bad one with its index, and counts gaps per element', async () => {
    const namespace = namespaceOf('elements');
    const errors: DecodeErrorInfo[] = [];
    const consumer = new Consumer(server.url, namespace, { onDecodeError: (info) => errors.push(info) });
    await consumer.bus.ready();
    try {
      const stamped = (n: number, sequence: number): string => codec.encode(ticks(n + 1)[n]!, { producerId: 'hand', sequence });
      const elements = [stamped(0, 1), '{"specversion":"1.0"}', stamped(1, 2), '{"__proto__":{}}', stamped(2, 5)];
      await spy.publish(`${namespace}:it.tick`, `[${elements.join(',')}]`);
      await waitUntil(() => consumer.delivered === 3 && errors.length === 2, 10_000, 'three delivered, two reported');
      expect([...consumer.seen].sort()).toEqual([0, 1, 2]);
      expect(errors.map((e) => [e.batchIndex, e.error.reason, String(e.raw)])).toEqual([[1, 'not-a-cloudevent', elements[1]], [3, 'forbidden-key', elements[3]]]);
      // Sequence 5 after 2: two events of this producer never arrived.
      expect(consumer.stats()).toMatchObject({ received: 1, decodeErrors: 2, lost: 2 });
    } finally {
      await consumer.bus.close();
    }
  });

  it('reports a bad element of an otherwise clean batch (parsed in one pass) with its own text and index', async () => {
    const namespace = namespaceOf('clean');
    const errors: DecodeErrorInfo[] = [];
    const consumer = new Consumer(server.url, namespace, { onDecodeError: (info) => errors.push(info) });
    await consumer.bus.ready();
    try {
      const good = ticks(3).map((t, i) => codec.encode(t, { producerId: 'clean', sequence: i + 1 }));
      const invalid = good[1]!.replace('"n":1', '"n":"one"');
      const tock = codec.encode(ticks(1, 'it.tock')[0]!);
      const elements = [good[0]!, invalid, tock, good[2]!];
      await spy.publish(`${namespace}:it.tick`, `[${elements.join(',')}]`);
      await waitUntil(() => consumer.delivered === 2 && errors.length === 2, 10_000, 'two delivered, two reported');
      expect([...consumer.seen].sort()).toEqual([0, 2]);
      expect(errors.map((e) => [e.batchIndex, e.error.reason, String(e.raw)])).toEqual([[1, 'schema-violation', invalid], [2, 'not-a-cloudevent', tock]]);
    } finally {
      await consumer.bus.close();
    }
  });

  it('refuses as a whole a batch with more elements than maxBatchEvents or not one JSON array', async () => {
    const namespace = namespaceOf('bounds');
    const errors: DecodeErrorInfo[] = [];
    const limit = 10;
    const consumer = new Consumer(server.url, namespace, { maxBatchEvents: limit, onDecodeError: (info) => errors.push(info) });
    await consumer.bus.ready();
    try {
      const element = codec.encode(ticks(1)[0]!);
      await spy.publish(`${namespace}:it.tick`, `[${Array.from({ length: limit + 1 }, () => element).join(',')}]`);
      await spy.publish(`${namespace}:it.tick`, `[${element}`);
      await spy.publish(`${namespace}:it.tick`, `[${Array.from({ length: limit }, () => element).join(',')}]`);
      await waitUntil(() => errors.length === 2 && consumer.delivered === limit, 10_000, 'two refused, one delivered');
      expect(errors.map((e) => [e.batchIndex, e.error.reason])).toEqual([[undefined, 'oversize'], [undefined, 'malformed-json']]);
    } finally {
      await consumer.bus.close();
    }
  });

  it('refuses an element whose type the channel does not carry, alone', async () => {
    const namespace = namespaceOf('channel');
    const errors: DecodeErrorInfo[] = [];
    const consumer = new Consumer(server.url, namespace, { onDecodeError: (info) => errors.push(info) });
    await consumer.bus.ready();
    try {
      await spy.publish(`${namespace}:it.tick`, `[${codec.encode(ticks(1, 'it.tock')[0]!)},${codec.encode(ticks(1)[0]!)}]`);
      await waitUntil(() => consumer.delivered === 1 && errors.length === 1, 10_000, 'one delivered, one refused');
      expect(errors[0]).toMatchObject({ batchIndex: 0, error: { reason: 'not-a-cloudevent' } });
    } finally {
      await consumer.bus.close();
    }
  });

  it('signs each event of a batch and verifies each element on its own: an altered element is refused alone', async () => {
    const namespace = namespaceOf('signed');
    const key: SigningKey = { id: 'k-batch', secret: new Uint8Array(32).fill(7) };
    const handled: number[] = [];
    const reasons: string[] = [];
    const consumer = createBus({
      events: FIXTURE_EVENTS, onError: () => {},
      security: new EventSecurity({ verificationKeys: [key], requireSigned: true }),
      transport: redisPubSub({ connection: connection(), namespace }),
    });
    consumer.subscribe('it.*', (e) => void handled.push(e.data.n));
    consumer.subscribe('system.error.signature', (e) => void reasons.push(e.data.reason ?? '?'));
    await consumer.ready();
    const seen = await watch(namespace);
    const producer = createBus({
      events: FIXTURE_EVENTS, security: new EventSecurity({ signingKey: key }),
      transport: redisPubSub({ connection: connection(), namespace, batch: { maxEvents: 50, flushMs: 20 } }),
    });
    try {
      await producer.ready();
      const count = 5;
      await Promise.all(ticks(count).map((e) => producer.publish(e)));
      await waitUntil(() => handled.length === count && seen.messages.length === 1, 10_000, 'the signed batch delivered');
      expect(handled).toEqual([0, 1, 2, 3, 4]);
      // The same batch again with one element's data changed: that one fails its signature on its
      // own; the intact ones verify and are dropped as copies (their producer stamps were seen).
      const elements = JSON.parse(seen.messages[0]!) as { data: { n: number } }[];
      elements[2]!.data.n = 99;
      await spy.publish(`${namespace}:it.tick`, JSON.stringify(elements));
      await waitUntil(() => reasons.length === 1, 10_000, 'the altered element refused');
      expect(reasons).toEqual(['bad-signature']);
      await consumer.drain();
      expect(handled).toEqual([0, 1, 2, 3, 4]);
    } finally {
      seen.stop();
      await producer.close();
      await consumer.close();
    }
  });

  it('close() sends what waits for its flush window; nothing is lost', async () => {
    const namespace = namespaceOf('close');
    const consumer = new Consumer(server.url, namespace);
    await consumer.bus.ready();
    const producer = createBus({ events: FIXTURE_EVENTS, transport: redisPubSub({ connection: connection(), namespace, batch: { maxEvents: 1_000, flushMs: 60_000 } }) });
    await producer.ready();
    const count = 25;
    const receipts: Promise<PublishReceipt>[] = ticks(count).map((e) => producer.publish(e));
    await producer.close();
    expect((await Promise.all(receipts)).map((r) => r.status)).toEqual(Array.from({ length: count }, () => 'accepted'));
    await waitUntil(() => consumer.delivered === count, 10_000, 'every event delivered');
    await consumer.bus.close();
  });

  it('holds events published during an outage and sends them, batched, once Redis is back', async () => {
    const own = await startRedis();
    const namespace = namespaceOf('outage');
    const consumer = new Consumer(own.url, namespace);
    const transport = redisPubSub({ connection: { url: own.url, backoff: { baseMs: 20, capMs: 250 } }, namespace, batch: { maxEvents: 100, flushMs: 1 } });
    const producer = createBus({ events: FIXTURE_EVENTS, onError: () => {}, transport });
    try {
      await consumer.bus.ready();
      await producer.ready();
      // A first event sets the consumer's baseline for this producer, so that later misses count as lost.
      const before = 5;
      await Promise.all(ticks(before).map((e) => producer.publish(e)));
      await waitUntil(() => consumer.delivered === before, 10_000, 'the events before the outage');
      await own.stop();
      await waitUntil(() => transport.status !== 'up', 10_000, 'the producer to notice the outage');
      const count = 40;
      const receipts = await Promise.all(ticks(before + count).slice(before).map((e) => producer.publish(e)));
      expect(new Set(receipts.map((r) => r.status))).toEqual(new Set(['buffered']));
      await own.start();
      // The producer may reconnect and flush before the consumer has resubscribed (Pub/Sub keeps
      // nothing): what it missed is counted as lost from the heartbeats, one per event.
      await waitUntil(() => consumer.delivered + consumer.stats().lost === before + count, 20_000, 'every buffered event delivered or counted lost');
      expect(consumer.seen.size).toBe(consumer.delivered);
      expect(consumer.stats()).toMatchObject({ duplicates: 0, decodeErrors: 0 });
      expect(transport.stats()).toMatchObject({ buffered: 0, flushed: count });
    } finally {
      await producer.close();
      await consumer.bus.close();
      await own.dispose();
    }
  });
});
