import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendCommands } from '../../helpers/redis/resp-client.js';
import { startRedis, type RedisServer } from '../../helpers/redis/server-process.js';
import { waitUntil } from '../../helpers/wait.js';
import { BUILT_IN_EVENTS, EventRegistry, JsonCodec } from '../../../src/index.js';
import { Tick } from '../../fixtures/redis-pubsub/events.js';
import { Consumer } from './consumer-harness.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.dispose();
});

async function numpat(): Promise<number> {
  const [n] = await sendCommands(server.port, [['PUBSUB', 'NUMPAT']]);
  return n as number;
}

/** `psub`/`sub` counts of every dotbus subscriber connection, from CLIENT LIST. */
async function subscribers(): Promise<{ psub: number; sub: number }[]> {
  const [list] = await sendCommands(server.port, [['CLIENT', 'LIST']]);
  return String(list)
    .split('\n')
    .filter((line) => line.includes('name=dotbus-subscriber'))
    .map((line) => ({ psub: Number(/ psub=(\d+)/.exec(line)?.[1]), sub: Number(/ sub=(\d+)/.exec(line)?.[1]) }));
}

describe('Redis Pub/Sub subscriptions', () => {
  it('shares one PSUBSCRIBE between identical patterns and patterns with the same glob; the last unsubscribe removes it', async () => {
    const c = new Consumer(server.url, `share-${process.pid}`);
    try {
      const a = c.bus.subscribe('it.+', () => {});
      const b = c.bus.subscribe('it.+', () => {});
      await c.bus.ready();
      // `it.*` (consumer harness) and `it.+` both map to the glob `<ns>:it.*`.
      expect(await numpat()).toBe(1);
      expect(await subscribers()).toEqual([{ psub: 1, sub: 1 }]);
      a.unsubscribe();
      expect(await numpat()).toBe(1);
      b.unsubscribe();
      c.bus.subscribe('it.tick', () => {}).unsubscribe();
      expect(await numpat()).toBe(1);
      c.subscription.unsubscribe();
      const deadline = Date.now() + 5_000;
      while ((await numpat()) !== 0 && Date.now() < deadline) await new Promise((r) => setTimeout(r, 10));
      expect(await numpat()).toBe(0);
    } finally {
      await c.bus.close();
    }
  });

  it('delivers a message matched by several globs once, stamped or not', async () => {
    const namespace = `overlap-${process.pid}`;
    const c = new Consumer(server.url, namespace);
    let exact = 0;
    let any = 0;
    c.bus.subscribe('it.tick', () => void exact++);
    c.bus.subscribe('*', (e) => void (e.eventType === 'it.tick' && any++));
    const raw = new Redis(server.url);
    try {
      await c.bus.ready();
      const codec = new JsonCodec(new EventRegistry([...BUILT_IN_EVENTS, Tick]));
      for (let n = 0; n < 10; n++) {
        const payload = codec.encode(Tick.create('it.tick', { n, run: 'overlap', payload: '' }));
        await raw.publish(`${namespace}:it.tick`, payload);
        await raw.publish(`${namespace}:it.tick`, payload); // a genuine second publish is delivered again
      }
      await waitUntil(() => c.delivered >= 20 && exact >= 20 && any >= 20);
      await c.bus.drain();
      expect([c.delivered, exact, any]).toEqual([20, 20, 20]);
      expect(c.stats().duplicates).toBe(0);
    } finally {
      raw.disconnect();
      await c.bus.close();
    }
  });

  it('keeps namespaces apart, even one full of glob specials', async () => {
    const special = `iso*[${process.pid}]?`;
    const c = new Consumer(server.url, special);
    const other = new Consumer(server.url, `iso-other-${process.pid}`);
    try {
      await Promise.all([c.bus.ready(), other.bus.ready()]);
      await other.bus.emit('it.tick', { n: 0, run: 'iso', payload: '' }); // must not reach `special`
      await c.bus.emit('it.tick', { n: 1, run: 'iso', payload: '' });
      await waitUntil(() => c.delivered >= 1 && other.delivered >= 1);
      await Promise.all([c.bus.drain(), other.bus.drain()]);
      expect([...c.seen]).toEqual([1]);
      expect([...other.seen]).toEqual([0]);
    } finally {
      await Promise.all([c.bus.close(), other.bus.close()]);
    }
  });

  it('resubscribes every pattern exactly once after a server restart: no duplicates, no second connection', async () => {
    const namespace = `resub-${process.pid}`;
    const c = new Consumer(server.url, namespace);
    let exact = 0;
    c.bus.subscribe('it.tick', () => void exact++);
    const p = new Consumer(server.url, namespace);
    try {
      await Promise.all([c.bus.ready(), p.bus.ready()]);
      await server.restart();
      await waitUntil(() => c.stats().reconnects >= 1 && p.stats().reconnects >= 1, 20_000, 'both to reconnect');
      // `reconnects` counts the publisher connection too: wait for both subscriber connections.
      await Promise.all([c.bus.ready(), p.bus.ready()]);
      const subs = await subscribers();
      // Two transports, one subscriber connection each, each with its 2 globs and the heartbeat channel.
      expect(subs).toHaveLength(2);
      expect(subs.filter((s) => s.psub === 2 && s.sub === 1)).toHaveLength(1);
      for (let n = 0; n < 100; n++) await p.bus.emit(n % 2 === 0 ? 'it.tick' : 'it.tock', { n, run: 'resub', payload: '' });
      await waitUntil(() => c.delivered >= 100 && exact >= 50);
      await c.bus.drain();
      expect(c.delivered).toBe(100);
      expect(c.seen.size).toBe(100);
      expect(exact).toBe(50);
      expect(c.stats().duplicates).toBe(0);
      expect(c.delivered + c.dropped()).toBe(100);
    } finally {
      await Promise.all([c.bus.close(), p.bus.close()]);
    }
  });
});
