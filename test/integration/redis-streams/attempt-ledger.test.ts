/**
 * The attempt ledger on a real redis-server: attempts before a claimed delivery are the group's
 * delivery counter minus this delivery plus the recorded retries; what Redis can't say counts as
 * one earlier attempt; a retry counter expires a day after its last retry and is dropped when the
 * entry settles.
 */
import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AttemptLedger } from '../../../src/redis/streams/attempts.js';
import { StreamKeys } from '../../../src/redis/streams/keys.js';
import { startRedis, type RedisServer } from '../../helpers/redis/server-process.js';

const GROUP = 'grp';
let server: RedisServer;
let redis: Redis;
let n = 0;

beforeAll(async () => {
  server = await startRedis();
  redis = new Redis(server.url);
});
afterAll(async () => {
  redis?.disconnect();
  await server?.dispose();
});

/** A namespace whose `count` entries were delivered once to member `first`. */
async function delivered(count: number, first = 'm0'): Promise<{ keys: StreamKeys; ids: string[] }> {
  const keys = new StreamKeys(`ledger-${process.pid}-${++n}`);
  await redis.xgroup('CREATE', keys.events, GROUP, '$', 'MKSTREAM');
  for (let i = 0; i < count; i++) await redis.xadd(keys.events, '*', 'n', String(i));
  const read = (await redis.xreadgroup('GROUP', GROUP, first, 'COUNT', count, 'STREAMS', keys.events, '>')) as [string, [string, string[]][]][];
  return { keys, ids: read[0]![1].map(([id]) => id) };
}

/** Claims `ids` for `member` the way a takeover does: raises each delivery counter by one. */
async function claim(keys: StreamKeys, member: string, ids: string[]): Promise<void> {
  await redis.xclaim(keys.events, GROUP, member, 0, ...ids);
}

describe('attempts before a claimed delivery', () => {
  it('are the deliveries before this one plus the retries recorded', async () => {
    const { keys, ids } = await delivered(3);
    const ledger = new AttemptLedger(redis, keys, GROUP, 'm1');
    await claim(keys, 'm1', ids); // deliveries: 2 each
    await ledger.recordRetry(ids[1]!);
    await ledger.recordRetry(ids[1]!);
    await claim(keys, 'm1', [ids[2]!]); // deliveries: 3
    await ledger.recordRetry(ids[2]!);
    const prior = await ledger.prior(ids.map((id) => ({ id })));
    expect([...prior.entries()]).toEqual([[ids[0], 1], [ids[1], 3], [ids[2], 3]]);
  });

  it('count a retry counter for a day after its last retry, and forget it when the entry settles', async () => {
    const { keys, ids } = await delivered(1);
    const ledger = new AttemptLedger(redis, keys, GROUP, 'm0');
    await ledger.recordRetry(ids[0]!);
    const key = keys.retries(GROUP, ids[0]!);
    expect(await redis.get(key)).toBe('1');
    const ttl = await redis.pttl(key);
    expect(ttl).toBeGreaterThan(86_400_000 - 60_000);
    expect(ttl).toBeLessThanOrEqual(86_400_000);
    ledger.forget(ids[0]!);
    await redis.ping(); // after the DEL on the same connection
    expect(await redis.exists(key)).toBe(0);
  });

  it('count one earlier attempt for an entry this member does not hold, and none for no entries', async () => {
    const { keys, ids } = await delivered(1);
    const ledger = new AttemptLedger(redis, keys, GROUP, 'm9');
    expect([...(await ledger.prior([{ id: ids[0]! }])).entries()]).toEqual([[ids[0], 1]]);
    expect((await ledger.prior([])).size).toBe(0);
  });

  it('read a counter that is not a number as no retries', async () => {
    const { keys, ids } = await delivered(1);
    await claim(keys, 'm1', ids);
    await claim(keys, 'm1', ids); // deliveries: 3
    await redis.set(keys.retries(GROUP, ids[0]!), 'garbage');
    expect([...(await new AttemptLedger(redis, keys, GROUP, 'm1').prior([{ id: ids[0]! }])).entries()]).toEqual([[ids[0], 2]]);
  });

  it('are one each when Redis cannot answer', async () => {
    const { keys, ids } = await delivered(2);
    await claim(keys, 'm1', ids);
    await claim(keys, 'm1', ids);
    const gone = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
    const prior = await new AttemptLedger(gone, keys, GROUP, 'm1').prior(ids.map((id) => ({ id })));
    expect([...prior.values()]).toEqual([1, 1]);
  });
});

describe('recording a retry', () => {
  it('never throws, even when the counter key holds another type or Redis is gone', async () => {
    const { keys, ids } = await delivered(1);
    const key = keys.retries(GROUP, ids[0]!);
    await redis.rpush(key, 'a list');
    await expect(new AttemptLedger(redis, keys, GROUP, 'm0').recordRetry(ids[0]!)).resolves.toBeUndefined();
    expect(await redis.type(key)).toBe('list');
    const gone = new Redis(server.url, { lazyConnect: true, maxRetriesPerRequest: 0, enableOfflineQueue: false });
    await expect(new AttemptLedger(gone, keys, GROUP, 'm0').recordRetry(ids[0]!)).resolves.toBeUndefined();
  });
});
