import { CloudEvent } from 'cloudevents';
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBus } from '../../../src/index.js';
import { redisPubSub } from '../../../src/redis/index.js';
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

describe('Redis Pub/Sub channel layout, as a consumer in another language sees it', () => {
  it('every message on <namespace>:* is a CloudEvent the official SDK accepts; heartbeats stay outside', async () => {
    const namespace = `layout-${process.pid}`;
    const raw = new Redis(server.url);
    const seen: { channel: string; message: string }[] = [];
    raw.on('pmessage', (_glob: string, channel: string, message: string) => void seen.push({ channel, message }));
    await raw.psubscribe(`${namespace}:*`);
    const control = new Redis(server.url);
    const heartbeats: string[] = [];
    control.on('pmessage', (_glob: string, channel: string) => void heartbeats.push(channel));
    await control.psubscribe('{dotbus}:*');
    const bus = createBus({ events: [Probe], transport: redisPubSub({ connection: { url: server.url }, namespace, heartbeatMs: 20 }) });
    try {
      await bus.ready();
      for (let n = 0; n < 20; n++) expect((await bus.emit('conf.order', { n, text: 'layout' })).status).toBe('accepted');
      // Several heartbeat periods pass: none of them may reach the namespace subscriber.
      await waitUntil(() => seen.length >= 20 && heartbeats.length >= 3, 10_000, 'events and heartbeats');
      expect(seen).toHaveLength(20);
      for (const { channel, message } of seen) {
        expect(channel).toBe(`${namespace}:conf.order`);
        const ce = new CloudEvent(JSON.parse(message) as Record<string, unknown>, true);
        expect(ce.validate()).toBe(true);
        expect(ce.type).toBe('conf.order');
      }
      expect(new Set(heartbeats)).toEqual(new Set([`{dotbus}:heartbeat:${namespace}`]));
    } finally {
      await bus.close();
      raw.disconnect();
      control.disconnect();
    }
  });
});
