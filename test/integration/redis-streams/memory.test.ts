import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Job } from '../../fixtures/redis-streams/jobs.js';
import { JsonCodec, EventRegistry } from '../../../src/index.js';
import { startRedis, type RedisServer } from '../../helpers/redis/server-process.js';
import { waitFor } from '../../helpers/wait.js';
import { ChildConsumer, mb } from './child-consumer.js';

let server: RedisServer;
let client: Redis;
beforeAll(async () => {
  server = await startRedis();
  client = new Redis(server.url);
});
afterAll(async () => {
  client.disconnect();
  await server.dispose();
});

/** One command; no reply timeout (writing and copying hundreds of MB takes a while on a busy machine). */
const redis = (name: string, ...args: (string | Buffer)[]): Promise<unknown> => client.call(name, ...args);

const BIG = 20;
const BIG_BYTES = 20 * 1024 * 1024;
const VALID_PER_BIG = 5;
/**
 * The consumer's resident set may not grow past this. A Node process with tsx, ioredis and dotbus
 * loaded sits near 110 MB. The consumer takes a 20 MB entry alone (the read budget is 16 MiB), and
 * one costs about three times its size on the way (the reply's socket chunks, the reply, the
 * dead-letter command), held until V8 collects them: a few entries' worth, never all twenty
 * (420 MB), which is what the consumer used to read at once (1.8 GB resident, or a crash at 256 MB
 * of heap).
 */
const RSS_BOUND = 384 * 1024 * 1024;
/** Every dead-letter entry's fields, with `m` replaced by `m-bytes` (its length): the 20 MB stay in Redis. */
const SUMMARIES = `
local out, from = {}, '-'
while true do
  local page = redis.call('XRANGE', KEYS[1], from, '+', 'COUNT', 1)
  if #page == 0 then return out end
  local id, f = page[1][1], page[1][2]
  local summary = {}
  for j = 1, #f, 2 do
    summary[#summary + 1] = f[j] == 'm' and 'm-bytes' or f[j]
    summary[#summary + 1] = f[j] == 'm' and tostring(#f[j + 1]) or f[j + 1]
  end
  out[#out + 1] = summary
  from = '(' .. id
end`;

describe('Redis Streams: entries far over maxMessageBytes', () => {
  it(`keeps the consumer's memory bounded: ${BIG} entries of 20 MB among valid events`, async () => {
    const namespace = `memory-${process.pid}`;
    const key = `{${namespace}}:events`;
    const codec = new JsonCodec(new EventRegistry([Job]));
    // Everything is in the stream before the consumer starts: its first reads find the big entries.
    let valid = 0;
    for (let b = 0; b < BIG; b++) {
      for (let k = 0; k < VALID_PER_BIG; k++) {
        const e = Job.create('job.run', { n: valid++ });
        await redis('XADD', key, '*', 't', e.eventType, 'i', e.eventId, 'm', codec.encode(e));
      }
      // A well-formed event whose data carries 20 MB: only its size is wrong.
      const e = Job.create('job.run', { n: -1 - b });
      const message = codec.encode(e).replace('"data":{', `"data":{"pad":"${'x'.repeat(BIG_BYTES)}",`);
      await redis('XADD', key, '*', 't', e.eventType, 'i', e.eventId, 'm', Buffer.from(message));
    }
    const consumer = new ChildConsumer('test/fixtures/redis-streams/memory-consumer.ts', { URL: server.url, NS: namespace }, ['--max-old-space-size=256']);
    const progress = async (): Promise<string> => `${consumer.progress()}; dead letters ${JSON.stringify(await redis('XLEN', `{${namespace}}:dead-letter`))}; pending ${JSON.stringify(await redis('XPENDING', key, 'svc'))}`;
    const died = (): string | undefined => (consumer.exit === undefined ? undefined : `the consumer exited (${consumer.exit})`);
    try {
      await waitFor('the consumer ready', 30_000, () => consumer.ready, progress, died);
      await waitFor('every valid event handled and every big one dead-lettered', 120_000,
        async () => consumer.handled.size === valid && (await redis('XLEN', `{${namespace}}:dead-letter`)) === BIG, progress, died, 100);
      await waitFor('nothing pending', 10_000, async () => JSON.stringify(await redis('XPENDING', key, 'svc')) === JSON.stringify([0, null, null, null]), progress, died);
      const dead = (await redis('EVAL', SUMMARIES, '1', `{${namespace}}:dead-letter`)) as string[][];
      expect(dead).toHaveLength(BIG);
      for (const flat of dead) {
        const fields = Object.fromEntries(flat.flatMap((v, i) => (i % 2 === 0 ? [[v, flat[i + 1]!]] : [])));
        expect(fields).toMatchObject({ reason: 'oversize', t: 'job.run' });
        expect(Number(fields['m-bytes'])).toBeGreaterThan(BIG_BYTES);
      }
      expect([...consumer.handled.values()].every((times) => times === 1)).toBe(true);
      expect(died()).toBeUndefined();
      console.log(`memory test: peak RSS ${mb(consumer.peakRss)} (bound ${mb(RSS_BOUND)}) for ${BIG} entries of ${mb(BIG_BYTES)} and ${valid} valid events`);
      expect(consumer.peakRss).toBeGreaterThan(0);
      expect(consumer.peakRss).toBeLessThan(RSS_BOUND);
    } finally {
      await consumer.stop();
    }
  }, 240_000);
});
