import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBus, type DotbusError, type EventBus, type EventOfDefinition } from '../../../src/index.js';
import { redisStreams, type RedisStreamsTransport, type UndecodableEntry } from '../../../src/redis/index.js';
import { Job } from '../../fixtures/redis-streams/jobs.js';
import { startRedis, type RedisServer } from '../../helpers/redis/server-process.js';
import { waitFor } from '../../helpers/wait.js';

type JobEvent = EventOfDefinition<typeof Job>;
let server: RedisServer;
let raw: Redis;
beforeAll(async () => {
  server = await startRedis();
  raw = new Redis(server.url);
});
afterAll(async () => {
  raw.disconnect();
  await server.dispose();
});

const NOTHING_PENDING = [0, null, null, null];

/** A member of group `svc` of `namespace` that records what it handles and every reported error. */
function member(namespace: string, extra: Parameters<typeof redisStreams>[0] = {}): { bus: EventBus<JobEvent>; streams: RedisStreamsTransport; handled: number[]; errors: DotbusError[] } {
  const handled: number[] = [];
  const errors: DotbusError[] = [];
  const streams = redisStreams({ connection: { url: server.url }, namespace, group: 'svc', claimIdleMs: 300, blockMs: 200, ...extra });
  const bus = createBus({ events: [Job], transport: streams, onError: (e) => void errors.push(e) }) as unknown as EventBus<JobEvent>;
  bus.subscribe('job.*', (e) => void handled.push(e.data.n));
  return { bus, streams, handled, errors };
}

/** The dead-letter entries of `namespace`, fields as Buffers, in order. */
async function deadLetters(namespace: string): Promise<Buffer[][]> {
  const entries = await raw.xrangeBuffer(`{${namespace}}:dead-letter`, '-', '+');
  return entries.map(([, fields]) => fields);
}

/** `fields` as a map of text names to Buffer values (a repeated name keeps its last value). */
function byName(fields: readonly Buffer[]): Map<string, Buffer> {
  const out = new Map<string, Buffer>();
  for (let i = 0; i + 1 < fields.length; i += 2) out.set(fields[i]!.toString('latin1'), fields[i + 1]!);
  return out;
}

describe('Redis Streams: malformed entries', () => {
  it('dead-letters each one with a precise reason and its original fields byte for byte, and reports it', async () => {
    const namespace = `malformed-${process.pid}`;
    const key = `{${namespace}}:events`;
    const m = member(namespace);
    try {
      await m.bus.ready();
      const valid = Job.create('job.run', { n: 1 });
      const envelope = Buffer.from(JSON.stringify({ specversion: '1.0', id: 'e-1', source: '/x', type: 'job.run', time: new Date().toISOString(), data: { n: 2 } }));
      const binary = Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0xc3, 0x28, 0x80, 0x0a]);
      const cases: { reason: string; fields: (string | Buffer)[] }[] = [
        { reason: 'missing-message', fields: ['t', 'job.run', 'i', 'no-message'] },
        { reason: 'missing-type', fields: ['m', envelope] },
        { reason: 'not-utf8', fields: ['t', 'job.run', 'm', binary] },
        { reason: 'missing-message', fields: ['type', 'job.run', 'message', envelope, Buffer.from([0x80, 0x81]), binary] },
      ];
      const ids: string[] = [];
      for (const c of cases) ids.push((await raw.xadd(key, '*', ...c.fields))!);
      const producer = createBus({ events: [Job], transport: redisStreams({ connection: { url: server.url }, namespace }) });
      await producer.publish(valid);
      await producer.close();
      const progress = (): string => `${JSON.stringify(m.streams.stats())}; errors ${JSON.stringify(m.errors.map((e) => e.message))}`;
      await waitFor('every malformed entry dead-lettered and the valid one handled', 10_000, () => m.streams.stats().deadLettered === cases.length && m.handled.length === 1, progress);
      await m.bus.drain();

      const dead = await deadLetters(namespace);
      expect(dead).toHaveLength(cases.length);
      for (const [i, c] of cases.entries()) {
        const fields = byName(dead[i]!);
        expect(fields.get('reason')?.toString(), `case ${i}`).toBe(c.reason);
        expect(fields.get('id')?.toString(), `case ${i}`).toBe(ids[i]);
        expect(fields.get('error')?.toString().length, `case ${i}`).toBeGreaterThan(0);
        // The original fields follow, in order: dotbus's own names as they are, others prefixed with
        // `field:`; values base64 when any of them is not UTF-8 (marked `enc: base64`).
        const encoded = fields.get('enc')?.toString() === 'base64';
        const start = dead[i]!.findIndex((f, k) => k % 2 === 0 && /^(t|i|m|field:.*)$/s.test(f.toString('latin1')));
        const originals = dead[i]!.slice(start);
        expect(originals.length, `case ${i}`).toBe(c.fields.length);
        for (let k = 0; k < c.fields.length; k += 2) {
          const name = Buffer.from(c.fields[k]!);
          const value = Buffer.from(c.fields[k + 1]!);
          const storedName = originals[k]!.toString('latin1');
          const expectedName = ['t', 'i', 'm'].includes(name.toString('latin1')) ? name.toString('latin1') : `field:${encoded ? name.toString('base64') : name.toString('latin1')}`;
          expect(storedName, `case ${i} field ${k / 2}`).toBe(expectedName);
          const storedValue = encoded ? Buffer.from(originals[k + 1]!.toString(), 'base64') : originals[k + 1]!;
          expect(storedValue.equals(value), `case ${i} field ${storedName}`).toBe(true);
        }
      }
      expect(byName(dead[2]!).get('enc')?.toString()).toBe('base64');
      expect(byName(dead[0]!).get('enc')).toBeUndefined();

      // Every one reported, none acknowledged unhandled or taken for an entry trimmed by retention, none left pending.
      const reported = m.errors.filter((e) => e.code === 'DECODE_FAILED');
      expect(reported).toHaveLength(cases.length);
      for (const c of cases) expect(reported.some((e) => e.message.includes(c.reason))).toBe(true);
      expect(m.streams.stats()).toMatchObject({ deadLettered: cases.length, decodeErrors: cases.length, acked: 1, dropped: { expired: 0 } });
      expect(m.handled).toEqual([1]);
      expect(await raw.call('XPENDING', key, 'svc')).toEqual(NOTHING_PENDING);
    } finally {
      await m.bus.close();
    }
  });

  it('still counts a pending entry trimmed by retention as expired, without dead-lettering it', async () => {
    const namespace = `trimmed-${process.pid}`;
    const key = `{${namespace}}:events`;
    // The first member takes the entry and hangs in its handler; close() leaves it pending.
    const first = redisStreams({ connection: { url: server.url }, namespace, group: 'svc', claimIdleMs: 300, blockMs: 200, closeTimeoutMs: 100 });
    const firstBus = createBus({ events: [Job], transport: first, onError: () => {} });
    let took = false;
    firstBus.subscribe('job.*', () => {
      took = true;
      return new Promise<void>(() => {});
    });
    await firstBus.ready();
    const producer = createBus({ events: [Job], transport: redisStreams({ connection: { url: server.url }, namespace }) });
    await producer.emit('job.run', { n: 1 });
    await producer.close();
    await waitFor('the first member took the entry', 5_000, () => took, () => JSON.stringify(first.stats()));
    await firstBus.close();
    // Retention trims it while it is pending; the next member claims the id and finds no entry.
    await raw.xtrim(key, 'MAXLEN', 0);
    const m = member(namespace);
    try {
      await m.bus.ready();
      await waitFor('the trimmed entry counted', 10_000, () => m.streams.stats().dropped.expired === 1, () => JSON.stringify(m.streams.stats()));
      await m.bus.drain();
      expect(m.streams.stats()).toMatchObject({ deadLettered: 0, decodeErrors: 0 });
      expect(await raw.exists(`{${namespace}}:dead-letter`)).toBe(0);
      expect(await raw.call('XPENDING', key, 'svc')).toEqual(NOTHING_PENDING);
    } finally {
      await m.bus.close();
    }
  });

  it('hands them to onUndecodable with their bytes instead, and acknowledges each only once it resolved', async () => {
    const namespace = `undecodable-${process.pid}`;
    const key = `{${namespace}}:events`;
    const binary = Buffer.from([0xff, 0xfe, 0x00, 0x80]);
    const handed: UndecodableEntry[] = [];
    let refuse = true;
    const m = member(namespace, {
      onUndecodable: (entry) => {
        handed.push(entry);
        // The first hand-over fails: the entry must stay pending and come back.
        if (refuse) return Promise.reject(new Error('store down'));
        return Promise.resolve();
      },
    });
    try {
      await m.bus.ready();
      const badId = String(await raw.xadd(key, '*', 't', 'job.run', 'm', binary));
      await waitFor('the first hand-over', 10_000, () => handed.length === 1, () => JSON.stringify(m.streams.stats()));
      expect(((await raw.call('XPENDING', key, 'svc')) as unknown[])[0]).toBe(1);
      expect(m.errors.map((e) => e.code)).toContain('HANDLER_FAILED');
      refuse = false;
      await waitFor('handed over again after claimIdleMs', 10_000, () => handed.length === 2, () => JSON.stringify(m.streams.stats()));
      await waitFor('acknowledged', 10_000, async () => ((await raw.call('XPENDING', key, 'svc')) as unknown[])[0] === 0, () => JSON.stringify(m.streams.stats()));
      const badJson = String(await raw.xadd(key, '*', 't', 'job.run', 'm', '{"specversion":'));
      await waitFor('the second entry', 10_000, () => handed.length === 3, () => JSON.stringify(m.streams.stats()));
      expect(handed.map((h) => [h.id, h.reason, h.stream])).toEqual([[badId, 'not-utf8', key], [badId, 'not-utf8', key], [badJson, 'decode-failed', key]]);
      expect(handed[0]!.message!.equals(binary)).toBe(true);
      expect(handed[2]!.message!.toString()).toBe('{"specversion":');
      expect(handed[0]!.time).toBe(Number(badId.split('-')[0]));
      await waitFor('acknowledged', 10_000, async () => ((await raw.call('XPENDING', key, 'svc')) as unknown[])[0] === 0, () => JSON.stringify(m.streams.stats()));
      expect(await raw.exists(`{${namespace}}:dead-letter`)).toBe(0);
      expect(m.streams.stats()).toMatchObject({ deadLettered: 0, decodeErrors: 3 });
    } finally {
      await m.bus.close();
    }
  });
});
