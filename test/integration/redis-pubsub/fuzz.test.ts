import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_EVENTS, EventRegistry, JsonCodec } from '../../../src/index.js';
import type { DecodeErrorInfo } from '../../../src/redis/index.js';
import { ChannelNames } from '../../../src/redis/pubsub/channels.js';
import { startRedis, type RedisServer } from '../../helpers/redis/server-process.js';
import { waitUntil } from '../../helpers/wait.js';
import { Tick } from '../../fixtures/redis-pubsub/events.js';
import { Consumer } from './consumer-harness.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.dispose();
});

const MAX_BYTES = 64 * 1024;

/** A small seeded PRNG (mulberry32), so a failure can be replayed. */
function prng(seed: number): () => number {
  return () => {
    seed = (seed + 0x6d2b79f5) | 0;
    let t = Math.imul(seed ^ (seed >>> 15), 1 | seed);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function envelope(type: string, data: unknown, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { specversion: '1.0', id: 'f-1', source: '/fuzz', type, time: new Date().toISOString(), schemaversion: '1.0.0', ...extra, data };
}

/** Stands for the namespace's heartbeat channel in {@link hostile}. */
const HEARTBEAT = '(heartbeat)';

/** One hostile message: [channel suffix, payload]. Every one of them must fail to decode. */
function hostile(rand: () => number, i: number): [string, string | Buffer] {
  const good = { n: i, run: 'fuzz', payload: 'p' };
  const kinds: (() => [string, string | Buffer])[] = [
    () => ['it.tick', Buffer.from(Array.from({ length: 1 + Math.floor(rand() * 200) }, () => Math.floor(rand() * 256)))],
    () => ['it.tick', Array.from({ length: Math.floor(rand() * 100) }, () => String.fromCharCode(32 + Math.floor(rand() * 95))).join('') + '{'],
    () => ['it.tock', JSON.stringify([1, 2, 3])],
    () => ['it.tick', String(Math.floor(rand() * 1e9))],
    () => ['it.tick', 'null'],
    () => ['it.tick', JSON.stringify({ ...envelope('it.tick', good), specversion: '0.3' })],
    () => ['it.tick', JSON.stringify(envelope('it.tick', { ...good, n: 'not a number' }))],
    () => ['it.tick', JSON.stringify(envelope('it.tick', { run: 'fuzz' }))],
    () => ['it.unknown', JSON.stringify(envelope('it.unknown', good))],
    () => ['it.tick', JSON.stringify(envelope('it.tick', { ...good, payload: 'x'.repeat(MAX_BYTES) }))],
    () => ['it.tick', `{"specversion":"1.0","__proto__":{"polluted":true},"type":"it.tick","data":{}}`],
    () => ['it.tick', JSON.stringify(envelope('it.tick', JSON.parse(`{"n":1,"run":"f","payload":"","constructor":{"prototype":{"x":1}}}`)))],
    () => ['it.tick', JSON.stringify(envelope('it.tick', good, { producerid: 'p', producerseq: '-4' }))],
    () => ['it.tick', JSON.stringify(envelope('it.tick', good, { schemaversion: '9.0.0' }))],
    () => ['it.tock', JSON.stringify(envelope('it.tick', good))], // type and channel disagree
    () => ['it.tick', '['.repeat(5_000) + ']'.repeat(5_000)],
    () => [HEARTBEAT, JSON.stringify({ v: 1, producerid: 'x', seqs: { 'not a type!': 1 } })],
    () => [HEARTBEAT, '{"v":1,"producerid":"x","seqs":{"__proto__":{"a":1}}}'],
  ];
  return kinds[Math.floor(rand() * kinds.length)]!();
}

describe('Redis Pub/Sub against hostile input', () => {
  it('survives 2,000 hostile payloads, counts each one, and still delivers the valid events', async () => {
    const namespace = `fuzz-${process.pid}`;
    const heartbeat = new ChannelNames(namespace).heartbeat;
    const dead: DecodeErrorInfo[] = [];
    const errors: string[] = [];
    const c = new Consumer(server.url, namespace, { maxMessageBytes: MAX_BYTES, onDecodeError: (info) => void dead.push(info) });
    c.bus.subscribe('system.error.decode', (e) => void errors.push(e.data.code));
    const raw = new Redis(server.url);
    const codec = new JsonCodec(new EventRegistry([...BUILT_IN_EVENTS, Tick]));
    try {
      await c.bus.ready();
      const rand = prng(0xd07b05);
      const hostileCount = 2_000;
      let valid = 0;
      const pipeline = raw.pipeline();
      for (let i = 0; i < hostileCount; i++) {
        const [suffix, payload] = hostile(rand, i);
        pipeline.publish(suffix === HEARTBEAT ? heartbeat : `${namespace}:${suffix}`, payload);
        if (i % 4 === 0) {
          const n = valid++;
          const event = Tick.create('it.tick', { n, run: 'fuzz', payload: 'ok' });
          pipeline.publish(`${namespace}:it.tick`, codec.encode(event, { producerId: 'fuzzer', sequence: n + 1 }));
        }
      }
      await pipeline.exec();
      await waitUntil(() => c.stats().decodeErrors >= hostileCount && c.delivered >= valid, 30_000, 'all messages handled');
      await c.bus.drain();
      const s = c.stats();
      expect(s.decodeErrors).toBe(hostileCount);
      expect(dead).toHaveLength(hostileCount);
      expect(dead.every((d) => d.error.code === 'DECODE_FAILED' && (d.channel.startsWith(`${namespace}:`) || d.channel === heartbeat) && d.raw.length > 0)).toBe(true);
      expect(new Set(dead.map((d) => d.error.reason)).size).toBeGreaterThanOrEqual(5);
      expect(errors.length).toBe(hostileCount);
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      // The valid events arrived, in order, none lost or dropped: published = delivered + dropped.
      expect(c.delivered).toBe(valid);
      expect([...c.seen]).toEqual(Array.from({ length: valid }, (_, n) => n));
      expect(c.delivered + c.dropped()).toBe(valid);
      expect(c.transport.status).toBe('up');
    } finally {
      raw.disconnect();
      await c.bus.close();
    }
  });
});
