import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBus, type DotbusError, type EventBus, type EventOfDefinition, type SystemHealthEvent } from '../../../src/index.js';
import { redisStreams } from '../../../src/redis/index.js';
import { Job } from '../../fixtures/redis-streams/jobs.js';
import { sendCommands, type RespReply } from '../../helpers/redis/resp-client.js';
import { startRedis, type RedisServer } from '../../helpers/redis/server-process.js';
import { waitFor } from '../../helpers/wait.js';

type JobEvent = EventOfDefinition<typeof Job>;
let server: RedisServer;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server.dispose();
});

const redis = async (...cmd: string[]): Promise<RespReply> => (await sendCommands(server.port, [cmd]))[0]!;
const NOTHING_PENDING = JSON.stringify([0, null, null, null]);

describe('Redis Streams: a dead-letter key of the wrong type', () => {
  it('leaves the entries pending, reports the key and its type, shows degraded, and dead-letters them once the key is fixed', async () => {
    const namespace = `dl-blocked-${process.pid}`;
    const events = `{${namespace}}:events`;
    const deadLetter = `{${namespace}}:dead-letter`;
    await redis('SET', deadLetter, 'not a stream');
    const errors: DotbusError[] = [];
    const health: string[] = [];
    const streams = redisStreams({
      connection: { url: server.url }, namespace, group: 'svc', claimIdleMs: 300, blockMs: 200,
      retry: { maxAttempts: 2, backoff: { baseMs: 5, capMs: 20 } },
    });
    const bus = createBus({ events: [Job], transport: streams, onError: (e) => void errors.push(e) }) as unknown as EventBus<JobEvent | SystemHealthEvent>;
    bus.subscribe('system.health.*', (e) => void health.push(`${e.eventType} ${e.data.component}`));
    let calls = 0;
    bus.subscribe('job.*', (e) => {
      if (e.eventType === 'job.poison') {
        calls++;
        throw new Error('cannot handle it');
      }
    });
    try {
      await bus.ready();
      // An entry without a message, and an event whose handler always fails.
      await redis('XADD', events, '*', 't', 'job.run', 'i', 'no-message');
      const producer = createBus({ events: [Job], transport: redisStreams({ connection: { url: server.url }, namespace }) });
      await producer.emit('job.poison', { n: 1 });
      await producer.close();
      const progress = async (): Promise<string> =>
        `${JSON.stringify(streams.stats())}; errors ${JSON.stringify(errors.map((e) => e.message))}; health ${JSON.stringify(health)}; pending ${JSON.stringify(await redis('XPENDING', events, 'svc'))}`;

      const blocked = (): DotbusError[] => errors.filter((e) => e.message.includes(`dead-letter stream ${deadLetter} is a string, not a stream: delete or rename it`));
      await waitFor('both dead letters refused', 10_000, () => blocked().length >= 2 && calls === 2, progress);
      // Nothing was lost: both entries are still pending for the group, none counted as dead-lettered.
      expect(((await redis('XPENDING', events, 'svc')) as RespReply[])[0]).toBe(2);
      expect(await redis('TYPE', deadLetter)).toBe('string');
      expect(streams.stats()).toMatchObject({ deadLettered: 0, deadLetterBlocked: 2 });
      expect(streams.status).toBe('degraded');
      expect(streams.stats().status).toBe('degraded');
      await waitFor('a degraded health event', 5_000, () => health.includes('system.health.degraded redis-streams/dead-letter'), progress);

      // Fixed: the member notices, goes back to up, and the entries are dead-lettered with their reasons.
      await redis('DEL', deadLetter);
      await waitFor('both entries dead-lettered', 20_000, async () => (await redis('XLEN', deadLetter)) === 2, progress);
      await bus.drain();
      await waitFor('nothing pending', 10_000, async () => JSON.stringify(await redis('XPENDING', events, 'svc')) === NOTHING_PENDING, progress);
      const dead = ((await redis('XRANGE', deadLetter, '-', '+')) as [string, string[]][]).map(([, flat]) => Object.fromEntries(flat.flatMap((v, i) => (i % 2 === 0 ? [[v, flat[i + 1]!]] : []))));
      expect(dead.map((d) => d['reason']).sort()).toEqual(['handler-failed', 'missing-message']);
      expect(calls).toBe(2); // the failing handler was not run again while the dead letter waited
      await waitFor('up again', 5_000, () => streams.status === 'up' && health.includes('system.health.up redis-streams/dead-letter'), progress);
      expect(streams.stats()).toMatchObject({ deadLettered: 2, deadLetterBlocked: 0 });
    } finally {
      await bus.close();
    }
  }, 60_000);
});
