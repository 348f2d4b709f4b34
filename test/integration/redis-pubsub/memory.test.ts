/**
 * A consumer's memory under floods of forged control traffic and forged producer ids, measured in
 * a child process with a 256 MB heap (what a small container gives Node), while valid events keep
 * arriving between the forged messages.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { BUILT_IN_EVENTS, EventRegistry, JsonCodec } from '../../../src/index.js';
import { ChannelNames } from '../../../src/redis/pubsub/channels.js';
import { MAX_HEARTBEAT_TYPES } from '../../../src/redis/pubsub/heartbeat.js';
import { startRedis, type RedisServer } from '../../helpers/redis/server-process.js';
import { Tick } from '../../fixtures/redis-pubsub/events.js';
import { MemoryConsumer, type MemoryReport } from './memory-probe.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.dispose();
});

const MB = 1024 * 1024;
/** The child's V8 old space, in MB. */
const HEAP_LIMIT_MB = 256;
/**
 * The stated bound: heap in use after a full GC, the default `maxTrackedStreams` (100,000) full of
 * forged streams. Measured: about 10 MB before the floods, 23 MB after both. Without the cap the
 * heartbeats alone kept 0.74 MB each (232 MB after 300; the child died of heap exhaustion before 400).
 */
const HEAP_BOUND = 64 * MB;
/** The stated bound on the highest RSS sampled during both floods (measured: about 200 MB, of which 105 MB before them). */
const RSS_BOUND = 320 * MB;
/**
 * Forged heartbeats, each listing {@link MAX_HEARTBEAT_TYPES} types of its own under a new producer
 * id: 1.5 million forged streams, 15 times the cap (without it: about 120 MB kept).
 */
const FORGED_HEARTBEATS = 150;
/** Forged events, each with a 1 MiB producer id of its own (without the length limit each one was kept: 160 MB after 150). */
const FORGED_IDS = 150;

const mb = (bytes: number): string => `${(bytes / MB).toFixed(1)} MB`;
const figures = (r: MemoryReport): string =>
  `heapUsed ${mb(r.memory.heapUsed)}, rss ${mb(r.memory.rss)} (peak heap ${mb(r.peak.heapUsed)}, peak rss ${mb(r.peak.rss)}), tracked ${r.trackedStreams}, evicted ${r.evictedStreams}`;

describe('Redis Pub/Sub consumer memory under forged traffic', () => {
  it(`stays under ${mb(HEAP_BOUND)} of heap (and ${mb(RSS_BOUND)} RSS) with a ${HEAP_LIMIT_MB} MB heap, delivering every valid event`, async () => {
    const namespace = `memory-${process.pid}`;
    const names = new ChannelNames(namespace);
    const consumer = new MemoryConsumer({ url: server.url, namespace }, HEAP_LIMIT_MB);
    const raw = new Redis(server.url);
    const codec = new JsonCodec(new EventRegistry([...BUILT_IN_EVENTS, Tick]));
    let valid = 0;
    const validEvent = (): string => {
      const n = valid++;
      return codec.encode(Tick.create('it.tick', { n, run: 'memory', payload: 'ok' }), { producerId: 'valid', sequence: n + 1 });
    };
    try {
      await consumer.ready();
      const before = await consumer.report(true);
      console.log(`memory before the floods: ${figures(before)}`);

      // 1. Forged heartbeats: 10,000 types each, under a new producer id each.
      let heartbeats = 0;
      for (let batch = 0; heartbeats < FORGED_HEARTBEATS; batch++) {
        const pipeline = raw.pipeline();
        for (let i = 0; i < 20 && heartbeats < FORGED_HEARTBEATS; i++, heartbeats++) {
          const seqs: string[] = [];
          for (let k = 0; k < MAX_HEARTBEAT_TYPES; k++) seqs.push(`"it.h${heartbeats}t${k}":${1 + (k % 7)}`);
          pipeline.publish(names.heartbeat, `{"v":1,"producerid":"forged-${heartbeats}","seqs":{${seqs.join(',')}}}`);
          pipeline.publish(names.channelOf('it.tick'), validEvent());
        }
        await pipeline.exec();
        // Paced, so that Redis's output buffer for a slow subscriber never overflows.
        await consumer.until((r) => r.heartbeats >= heartbeats && r.delivered >= valid, 60_000, `heartbeat batch ${batch}`);
      }
      const afterHeartbeats = await consumer.report(true);
      console.log(`memory after ${FORGED_HEARTBEATS} forged heartbeats × ${MAX_HEARTBEAT_TYPES} types: ${figures(afterHeartbeats)}`);

      // 2. Forged events, each with a producer id of 1 MiB.
      let forged = 0;
      while (forged < FORGED_IDS) {
        const pipeline = raw.pipeline();
        for (let i = 0; i < 8 && forged < FORGED_IDS; i++, forged++) {
          const id = `${forged}-`.padEnd(MB, 'p');
          const event = Tick.create('it.tick', { n: 1_000_000 + forged, run: 'forged', payload: '' });
          // Written by hand: the codec refuses to encode what consumers would refuse.
          const message = JSON.stringify({ ...(JSON.parse(codec.encode(event)) as object), producerid: id, producerseq: '1' });
          pipeline.publish(names.channelOf('it.tick'), message);
          pipeline.publish(names.channelOf('it.tick'), validEvent());
        }
        await pipeline.exec();
        await consumer.until((r) => r.decodeErrors + r.delivered >= forged + valid, 60_000, `forged-id batch ${forged}`);
      }
      const after = await consumer.report(true);
      console.log(`memory after ${FORGED_IDS} events with 1 MiB producer ids: ${figures(after)}`);

      expect(consumer.exited).toBeUndefined();
      // Every valid event arrived, in order; every forged id was refused with its reason.
      expect(after.delivered).toBe(valid);
      expect(after.inOrder).toBe(true);
      expect(after.next).toBe(valid);
      expect(after.heartbeats).toBe(FORGED_HEARTBEATS);
      expect(after.decodeErrors).toBe(FORGED_IDS);
      expect(after.reasons).toEqual({ 'not-a-cloudevent': FORGED_IDS });
      expect(after.lost + after.dropped).toBe(0);
      // The tracker is at its cap, having forgotten the rest.
      expect(after.trackedStreams).toBeLessThanOrEqual(100_000);
      expect(after.trackedStreams + after.evictedStreams).toBeGreaterThanOrEqual(FORGED_HEARTBEATS * MAX_HEARTBEAT_TYPES);
      // Memory: bounded, and no longer growing with what was forged.
      expect(afterHeartbeats.memory.heapUsed).toBeLessThan(HEAP_BOUND);
      expect(after.memory.heapUsed).toBeLessThan(HEAP_BOUND);
      expect(after.memory.heapUsed - afterHeartbeats.memory.heapUsed).toBeLessThan(8 * MB);
      expect(after.peak.rss).toBeLessThan(RSS_BOUND);
    } finally {
      raw.disconnect();
      await consumer.stop();
    }
  }, 180_000);
});
