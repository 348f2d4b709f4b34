import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBus } from '../../../src/index.js';
import { type DotbusError } from '../../../src/internal.js';
import { redisStreams, type RedisStreamsTransport, type RedisStreamsOptions } from '../../../src/redis/index.js';
import { Job } from '../../fixtures/redis-streams/jobs.js';
import { sendCommands, type RespReply } from '../../helpers/redis/resp-client.js';
import { startRedis, type RedisServer } from '../../helpers/redis/server-process.js';
import { waitFor } from '../../helpers/wait.js';

let server: RedisServer;
const open: RedisStreamsTransport[] = [];
let nsCounter = 0;
beforeAll(async () => {
  server = await startRedis();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((t) => t.close()));
});
afterAll(async () => {
  await server.dispose();
});

const redis = async (...cmd: string[]): Promise<RespReply> => (await sendCommands(server.port, [cmd]))[0]!;
async function transport(extra: RedisStreamsOptions = {}): Promise<RedisStreamsTransport> {
  const t = redisStreams({ connection: { url: server.url }, namespace: `once-${process.pid}-${++nsCounter}`, group: 'svc', blockMs: 200, ...extra });
  open.push(t);
  await t.ready();
  return t;
}
/** What a call threw synchronously, or `undefined`. */
function thrown(fn: () => unknown): DotbusError | undefined {
  try {
    fn();
  } catch (e) {
    return e as DotbusError;
  }
  return undefined;
}

describe('Redis Streams commitOnce', () => {
  it('applies an event’s writes once per group and scope', async () => {
    const t = await transport();
    const event = Job.create('job.run', { n: 1 });
    const [count, log] = [t.keys.tagged('count'), t.keys.tagged('log')];
    const commit = (): Promise<boolean> => t.commitOnce(event, (tx) => tx.incrby(count, 5).sadd(log, 'a', 'b'));
    expect(await commit()).toBe(true);
    expect(await commit()).toBe(false);
    expect(await redis('GET', count)).toBe('5');
    expect(await t.commitOnce(event, (tx) => tx.incrby(count), { scope: 'other' })).toBe(true);
    expect(await redis('GET', count)).toBe('6');
    expect(t.stats()).toMatchObject({ committed: 2, commitsSkipped: 1 });
  });

  it('refuses, at the call, keys outside the namespace hash tag, bad commands and async builders', async () => {
    const t = await transport();
    const event = Job.create('job.run', { n: 1 });
    const noTag = thrown(() => t.commitOnce(event, (tx) => tx.incrby('count')));
    expect(noTag?.code).toBe('INVALID_OPTION');
    expect(noTag?.message).toContain(`lacks the namespace hash tag ${t.keys.hashTag}`);
    expect(thrown(() => t.commitOnce(event, (tx) => tx.incrby('{other}:count')))?.code).toBe('INVALID_OPTION');
    expect(thrown(() => t.commitOnce(event, (tx) => tx.call('EVAL script', [t.keys.tagged('x')])))?.code).toBe('INVALID_OPTION');
    expect(thrown(() => t.commitOnce(event, (tx) => tx.call('FLUSHALL', [])))?.code).toBe('INVALID_OPTION');
    expect(thrown(() => t.commitOnce(event, async (tx) => tx.incrby(t.keys.tagged('x'))))?.message).toContain('synchronously');
    expect(thrown(() => t.commitOnce(event, () => {}, { scope: 'has space' }))?.code).toBe('INVALID_OPTION');
    // Nothing was committed by the refused calls: the event can still commit.
    expect(await t.commitOnce(event, (tx) => tx.incrby(t.keys.tagged('count')))).toBe(true);
  });

  it('takes a scope of 1–100 printable characters, says so otherwise, and marks with the default scope without one', async () => {
    const t = await transport();
    const event = Job.create('job.run', { n: 1 });
    const rule = 'option `commitOnce.scope`: must be 1–100 printable characters without spaces';
    for (const scope of ['', 'x'.repeat(101), 'a b', 'tab\there', 'line\n', 'bell\u0007', 'nbsp\u00a0x']) {
      expect(thrown(() => t.commitOnce(event, () => {}, { scope })), JSON.stringify(scope)).toMatchObject({ code: 'INVALID_OPTION', message: rule });
    }
    for (const scope of ['x'.repeat(100), 'y', 'ü-é.:/#']) expect(await t.commitOnce(event, () => {}, { scope }), scope).toBe(true);
    expect(await t.commitOnce(event, () => {})).toBe(true);
    // No scope is the scope named `default`, for the TTL of the mark (a day unless the guard sets one).
    expect(await t.commitOnce(event, () => {}, { scope: 'default' })).toBe(false);
    const ttl = Number(await redis('PTTL', t.keys.committed('svc', event.eventId, 'default')));
    expect(ttl).toBeGreaterThan(86_400_000 - 60_000);
    expect(ttl).toBeLessThanOrEqual(86_400_000);
    expect(thrown(() => t.commitOnce(event, async () => {}))?.message).toBe(
      'option `commitOnce`: the builder must queue its commands synchronously; compute values before calling commitOnce',
    );
  });

  it('keeps its marks for the idempotency TTL when the guard sets one', async () => {
    const t = await transport({ idempotency: { ttlMs: 5_000 } });
    const event = Job.create('job.run', { n: 1 });
    expect(await t.commitOnce(event, () => {})).toBe(true);
    const ttl = Number(await redis('PTTL', t.keys.committed('svc', event.eventId, 'default')));
    expect(ttl).toBeGreaterThan(4_000);
    expect(ttl).toBeLessThanOrEqual(5_000);
  });

  it('a command Redis rejects fails the commit and leaves no mark, so a retry commits', async () => {
    const t = await transport();
    const event = Job.create('job.run', { n: 1 });
    const [text, count] = [t.keys.tagged('text'), t.keys.tagged('count')];
    await redis('SET', text, 'not a hash');
    await expect(t.commitOnce(event, (tx) => tx.incrby(count).hincrby(text, 'f'))).rejects.toThrow(/command 2 \(HINCRBY\) failed, commit not made/);
    // Documented: Redis has no rollback, so command 1 stayed applied; the mark did not.
    expect(await redis('GET', count)).toBe('1');
    expect(await t.commitOnce(event, (tx) => tx.incrby(count))).toBe(true);
    expect(await redis('GET', count)).toBe('2');
  });

  it('a handler that commits then fails is retried, and its writes land once', async () => {
    const t = await transport({ retry: { maxAttempts: 3, backoff: { baseMs: 5, capMs: 10 } } });
    const bus = createBus({ events: [Job], transport: t, onError: () => {} });
    const count = t.keys.tagged('count');
    const applied: boolean[] = [];
    bus.subscribe('job.run', async (e) => {
      applied.push(await t.commitOnce(e, (tx) => tx.hincrby(count, e.data.n)));
      if (applied.length === 1) throw new Error('after the commit');
    });
    await bus.ready();
    await t.publish(Job.create('job.run', { n: 7 }));
    await waitFor('the retry', 10_000, () => applied.length === 2 && t.stats().acked === 1, () => JSON.stringify(applied));
    expect(applied).toEqual([true, false]);
    expect(await redis('HGET', count, '7')).toBe('1');
  });

  it('rejects after close()', async () => {
    const t = await transport();
    await t.close();
    await expect(t.commitOnce(Job.create('job.run', { n: 1 }), () => {})).rejects.toMatchObject({ code: 'TRANSPORT_CLOSED' });
  });
});
