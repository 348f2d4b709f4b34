import { Redis } from 'ioredis';
import { Registry } from 'prom-client';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_EVENTS, createBus, EventRegistry, JsonCodec } from '../../../src/index.js';
import { registerBusMetrics } from '../../../src/prometheus/index.js';
import { redisPubSub, redisStreams } from '../../../src/redis/index.js';
import { Probe } from '../../conformance/samples.js';
import { startRedis, type RedisServer } from '../../helpers/redis/server-process.js';
import { waitUntil } from '../../helpers/wait.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.dispose();
});

function value(text: string, metric: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(metric));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

describe('Prometheus series of the Redis transports', () => {
  it('dotbus_lost_total counts a sequence gap seen by a Pub/Sub consumer', async () => {
    const namespace = `prom-lost-${process.pid}`;
    const registry = new Registry();
    const bus = createBus({ events: [Probe], transport: redisPubSub({ connection: { url: server.url }, namespace }), onError: () => {} });
    const off = registerBusMetrics(bus, { registry, bus: 'pubsub' });
    const raw = new Redis(server.url);
    try {
      let got = 0;
      bus.subscribe('conf.order', () => void got++);
      await bus.ready();
      const codec = new JsonCodec(new EventRegistry([...BUILT_IN_EVENTS, Probe]));
      // A producer whose messages 2, 3 and 4 never arrived.
      for (const sequence of [1, 5]) {
        await raw.publish(`${namespace}:conf.order`, codec.encode(Probe.create('conf.order', { n: sequence, text: 'gap' }), { producerId: 'p-gap', sequence }));
      }
      await waitUntil(() => got >= 2);
      expect(value(await registry.metrics(), 'dotbus_lost_total{bus="pubsub"}')).toBe(3);
    } finally {
      off();
      raw.disconnect();
      await bus.close();
    }
  });

  it('dotbus_dead_lettered_total counts entries a Streams member dead-lettered', async () => {
    const namespace = `prom-dead-${process.pid}`;
    const registry = new Registry();
    const bus = createBus({
      events: [Probe],
      transport: redisStreams({ connection: { url: server.url }, namespace, retry: { maxAttempts: 1 }, blockMs: 100 }),
      onError: () => {},
    });
    const off = registerBusMetrics(bus, { registry, bus: 'streams' });
    try {
      bus.subscribe('conf.order', () => {
        throw new Error('poison');
      });
      await bus.ready();
      for (let n = 0; n < 2; n++) await bus.emit('conf.order', { n, text: 'poison' });
      await waitUntil(() => (bus.stats() as unknown as { deadLettered: number }).deadLettered >= 2);
      expect(value(await registry.metrics(), 'dotbus_dead_lettered_total{bus="streams"}')).toBe(2);
    } finally {
      off();
      await bus.close();
    }
  });
});
