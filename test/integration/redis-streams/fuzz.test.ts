import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBus, EventRegistry, JsonCodec, type DotbusError, type EventBus, type EventOfDefinition } from '../../../src/index.js';
import { redisStreams } from '../../../src/redis/index.js';
import { Job } from '../../fixtures/redis-streams/jobs.js';
import { prng } from '../../helpers/prng.js';
import { startRedis, type RedisServer } from '../../helpers/redis/server-process.js';
import { waitFor } from '../../helpers/wait.js';

type JobEvent = EventOfDefinition<typeof Job>;
let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.dispose();
});

const MAX_BYTES = 64 * 1024;
const HOSTILE = 300;
const REASONS = new Set(['missing-message', 'missing-type', 'invalid-type', 'not-utf8', 'oversize', 'duplicate-field', 'decode-failed', 'type-mismatch', 'id-mismatch']);

type Fields = (string | Buffer)[];

/**
 * One hostile entry: its fields as XADD takes them. Every one must be dead-lettered: its type is
 * one the consumer subscribes to (`job.*`) or no event type at all, so none is acknowledged as
 * unrouted, and none is an event the consumer could handle.
 */
function hostile(rand: () => number, i: number): Fields {
  const pick = <T,>(xs: readonly T[]): T => xs[Math.floor(rand() * xs.length)]!;
  // Never UTF-8: a leading 0xff can't start a UTF-8 sequence.
  const bytes = (n: number): Buffer => Buffer.from([0xff, ...Array.from({ length: n }, () => Math.floor(rand() * 256))]);
  const junk = (n: number): string => Array.from({ length: n }, () => String.fromCharCode(32 + Math.floor(rand() * 95))).join('');
  const id = `hostile-${i}`;
  const envelope = (type: string, data: unknown, extra: Record<string, unknown> = {}): string =>
    JSON.stringify({ specversion: '1.0', id, source: '/fuzz', type, time: new Date().toISOString(), schemaversion: '1.0.0', ...extra, data });
  const good = envelope('job.run', { n: 1_000_000 + i });
  const kinds: (() => Fields)[] = [
    // Deep nesting, in the data and as the whole message.
    () => ['t', 'job.run', 'i', id, 'm', `{"specversion":"1.0","id":"${id}","source":"/f","type":"job.run","time":"2024-01-01T00:00:00Z","data":${'['.repeat(5_000 + Math.floor(rand() * 50_000))}`],
    () => ['t', 'job.run', 'm', '{"a":'.repeat(2_000 + Math.floor(rand() * 3_000)) + '1' + '}'.repeat(3_000)],
    // Huge and odd fields.
    () => ['t', 'job.run', 'i', id, 'm', envelope('job.run', { n: 1, pad: 'x'.repeat(MAX_BYTES + Math.floor(rand() * 200_000)) })],
    () => ['t', 'job.run', 'i', id, 'm', good, 'huge', 'y'.repeat(70_000 + Math.floor(rand() * 100_000))],
    () => ['t', 'job.run', ...Array.from({ length: 1 + Math.floor(rand() * 400) }, (_, k) => [`f${k}`, junk(Math.floor(rand() * 20))]).flat()],
    () => ['t', 'job.run', 'i', id, 'm', good, 'm', good],
    () => ['t', 'job.run', 't', 'job.poison', 'm', good],
    // Wrong or missing field names.
    () => ['type', 'job.run', 'id', id, 'message', good],
    () => ['T', 'job.run', 'M', good],
    () => ['t', 'job.run', 'i', id],
    () => ['m', good],
    () => ['i', id, 'x', junk(10)],
    // Binary.
    () => ['t', 'job.run', 'i', id, 'm', bytes(1 + Math.floor(rand() * 300))],
    () => ['t', bytes(1 + Math.floor(rand() * 20)), 'm', good],
    () => ['t', 'job.run', 'i', bytes(8), 'm', good],
    () => ['t', 'job.run', 'm', Buffer.concat([Buffer.from(good.slice(0, -1)), Buffer.from([0xc3, 0x28]), Buffer.from('}')])],
    () => [bytes(3), bytes(5), 'm', bytes(50)],
    // Control characters.
    () => ['t', `job.run${pick(['\u0000', '\n', '\u001b[31m', '\u007f', '\u2028'])}`, 'm', good],
    () => ['t', 'job.run', 'm', `{"specversion":"1.0",\u0000"id":"${id}"}`],
    () => ['t', 'job.run', 'i', id, 'm', envelope('job.run', { n: 1 }).replace('"source":"/fuzz"', '"source":"/fu\\u0000zz"')],
    // Wrong types in the type field.
    () => ['t', pick(['', '.', 'job..run', 'job.*', '#', 'job run', '*.run', 'x'.repeat(300), '{"t":1}']), 'i', id, 'm', good],
    () => ['t', 'job.poison', 'i', id, 'm', good],
    () => ['t', 'job.run', 'i', id, 'm', envelope('audit.note', { n: 5 })],
    () => ['t', 'job.unknown', 'i', id, 'm', envelope('job.unknown', { n: 5 })],
    () => ['t', 'job.run', 'i', 'another-id', 'm', good],
    // A valid envelope with wrong data, or a broken one.
    () => ['t', 'job.run', 'i', id, 'm', envelope('job.run', pick([{ n: 'one' }, { n: 1.5 }, {}, null, [1], 'n']))],
    () => ['t', 'job.run', 'i', id, 'm', envelope('job.run', { n: 1 }, pick([{ specversion: '0.3' }, { time: 'yesterday' }, { schemaversion: '9.0.0' }, { datacontenttype: 'text/plain' }, { producerseq: '-1', producerid: 'p' }]))],
    () => ['t', 'job.run', 'm', pick(['', 'null', '[]', '42', '"text"', junk(1 + Math.floor(rand() * 200)), good.slice(0, Math.floor(rand() * good.length))])],
    () => ['t', 'job.run', 'm', `{"specversion":"1.0","__proto__":{"polluted":true},"id":"${id}","source":"/f","type":"job.run","time":"2024-01-01T00:00:00Z","data":{"n":1}}`],
  ];
  return pick(kinds)();
}

describe('Redis Streams against hostile entries', () => {
  it(`survives ${HOSTILE} hostile entries: each is dead-lettered with a reason, every valid event arrives once, nothing stays pending`, async () => {
    const namespace = `fuzz-streams-${process.pid}`;
    const key = `{${namespace}}:events`;
    const errors: DotbusError[] = [];
    const handled = new Map<number, number>();
    const streams = redisStreams({ connection: { url: server.url }, namespace, group: 'svc', maxMessageBytes: MAX_BYTES, claimIdleMs: 500, blockMs: 200 });
    const bus = createBus({ events: [Job], transport: streams, onError: (e) => void errors.push(e) }) as unknown as EventBus<JobEvent>;
    bus.subscribe('job.*', (e) => void handled.set(e.data.n, (handled.get(e.data.n) ?? 0) + 1));
    const raw = new Redis(server.url);
    const codec = new JsonCodec(new EventRegistry([Job]));
    try {
      await bus.ready();
      const rand = prng(0x5eed5);
      let valid = 0;
      const pipeline = raw.pipeline();
      for (let i = 0; i < HOSTILE; i++) {
        pipeline.xadd(key, '*', ...hostile(rand, i));
        if (i % 3 === 0) {
          const e = Job.create('job.run', { n: valid++ });
          pipeline.xadd(key, '*', 't', e.eventType, 'i', e.eventId, 'm', codec.encode(e));
        }
      }
      const added = (await pipeline.exec()) ?? [];
      expect(added.every(([error]) => error === null)).toBe(true);
      const progress = async (): Promise<string> =>
        `${JSON.stringify(streams.stats())}; handled ${handled.size}/${valid}; pending ${JSON.stringify(await raw.call('XPENDING', key, 'svc'))}; last errors ${JSON.stringify(errors.slice(-3).map((e) => e.message.slice(0, 200)))}`;
      await waitFor('every entry settled', 60_000, () => streams.stats().deadLettered + handled.size >= HOSTILE + valid, progress, undefined, 50);
      await bus.drain();
      await waitFor('nothing pending', 10_000, async () => JSON.stringify(await raw.call('XPENDING', key, 'svc')) === JSON.stringify([0, null, null, null]), progress);

      // Alive and well.
      expect(streams.status).toBe('up');
      expect(({} as Record<string, unknown>)['polluted']).toBeUndefined();
      // Every hostile entry is in the dead-letter stream, with a reason; nothing else is.
      expect(await raw.xlen(`{${namespace}}:dead-letter`)).toBe(HOSTILE);
      const reasons = new Map<string, number>();
      let cursor = '-';
      for (;;) {
        const page = await raw.xrangeBuffer(`{${namespace}}:dead-letter`, cursor, '+', 'COUNT', 50);
        for (const [, fields] of page) {
          const at = fields.findIndex((f, k) => k % 2 === 0 && f.toString() === 'reason');
          const reason = at < 0 ? '(none)' : fields[at + 1]!.toString();
          reasons.set(reason, (reasons.get(reason) ?? 0) + 1);
        }
        if (page.length < 50) break;
        cursor = `(${page.at(-1)![0].toString()}`;
      }
      expect([...reasons.keys()].filter((r) => !REASONS.has(r))).toEqual([]);
      expect([...reasons.values()].reduce((a, b) => a + b, 0)).toBe(HOSTILE);
      expect(reasons.size).toBeGreaterThanOrEqual(7);
      console.log(`streams fuzz: ${HOSTILE} hostile entries dead-lettered by reason ${JSON.stringify(Object.fromEntries(reasons))}; ${valid} valid events`);
      // Each one reported; every valid event handled exactly once; nothing acknowledged unhandled.
      expect(errors.filter((e) => e.code === 'DECODE_FAILED')).toHaveLength(HOSTILE);
      expect(handled.size).toBe(valid);
      expect([...handled.keys()].sort((a, b) => a - b)).toEqual(Array.from({ length: valid }, (_, n) => n));
      expect([...handled.values()].every((times) => times === 1)).toBe(true);
      expect(streams.stats()).toMatchObject({ deadLettered: HOSTILE, decodeErrors: HOSTILE, acked: valid, deadLetterBlocked: 0, dropped: { expired: 0 } });
    } finally {
      raw.disconnect();
      await bus.close();
    }
  }, 120_000);
});
