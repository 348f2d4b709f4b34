/**
 * The settler on a real redis-server: what it writes for the idempotency guard (and what it does
 * not write without it), that acknowledgements of one task leave as one `XACK`, that a refused
 * `XACK` is retried until it lands, and that `close` gives up and leaves the entry pending.
 */
import { Redis } from 'ioredis';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { StreamKeys } from '../../../src/redis/streams/keys.js';
import { StreamSettler } from '../../../src/redis/streams/settler.js';
import { startRedis, type RedisServer } from '../../helpers/redis/server-process.js';
import { sleep } from '../../helpers/wait.js';

const GROUP = 'grp';
let server: RedisServer;
let admin: Redis;
const clients: Redis[] = [];
let n = 0;

beforeAll(async () => {
  // A member that may read its group but not acknowledge, until the test grants it XACK.
  server = await startRedis({ aclUsers: [{ name: 'noack', password: 'pw', rules: '~* &* +@all -xack' }] });
  admin = client(server.url);
});
afterEach(() => {
  for (const c of clients.splice(1)) c.disconnect();
});
afterAll(async () => {
  admin?.disconnect();
  await server?.dispose();
});

function client(url: string): Redis {
  const c = new Redis(url, { lazyConnect: false, maxRetriesPerRequest: 1 });
  clients.push(c);
  return c;
}

/** A fresh namespace whose stream holds `count` entries, all delivered to (pending for) the group. */
async function pendingEntries(count: number): Promise<{ keys: StreamKeys; ids: string[] }> {
  const keys = new StreamKeys(`settle-${process.pid}-${++n}`);
  await admin.xgroup('CREATE', keys.events, GROUP, '$', 'MKSTREAM');
  for (let i = 0; i < count; i++) await admin.xadd(keys.events, '*', 'n', String(i));
  const read = (await admin.xreadgroup('GROUP', GROUP, 'c1', 'COUNT', count, 'STREAMS', keys.events, '>')) as [string, [string, string[]][]][];
  return { keys, ids: read[0]![1].map(([id]) => id) };
}

async function pendingCount(keys: StreamKeys): Promise<number> {
  const summary = (await admin.xpending(keys.events, GROUP)) as [number, ...unknown[]];
  return summary[0];
}

async function xackCalls(): Promise<number> {
  const stats = await admin.info('commandstats');
  return Number(/cmdstat_xack:calls=(\d+)/.exec(stats)?.[1] ?? 0);
}

describe('the idempotency guard', () => {
  it('marks each acknowledged event processed for its group, for the TTL, and answers for it', async () => {
    const { keys, ids } = await pendingEntries(2);
    const settler = new StreamSettler(client(server.url), keys, GROUP, 5_000);
    expect(settler.guarded).toBe(true);
    settler.ack(ids[0]!, 'e-1');
    settler.ack(ids[1]!, 'e-2');
    await settler.idle();
    expect(await pendingCount(keys)).toBe(0);
    expect(await admin.get(keys.processed(GROUP, 'e-1'))).toBe('1');
    const ttl = await admin.pttl(keys.processed(GROUP, 'e-2'));
    expect(ttl).toBeGreaterThan(4_000);
    expect(ttl).toBeLessThanOrEqual(5_000);
    // Another group has its own marks.
    expect(await admin.exists(keys.processed('other', 'e-1'))).toBe(0);
    expect(await settler.processed(['e-2', undefined, 'e-3', 'e-1'])).toEqual([true, false, false, true]);
    expect(await settler.processed([undefined])).toEqual([false]);
    expect(await settler.processed([])).toEqual([]);
  });

  it('marks nothing for an entry acknowledged without an event id', async () => {
    const { keys, ids } = await pendingEntries(1);
    const settler = new StreamSettler(client(server.url), keys, GROUP, 5_000);
    settler.ack(ids[0]!);
    await settler.idle();
    expect(await pendingCount(keys)).toBe(0);
    expect(await admin.keys(`${keys.hashTag}:done:*`)).toEqual([]);
  });

  it('is off without a TTL: no marks written, nothing looked up, every answer false', async () => {
    const { keys, ids } = await pendingEntries(1);
    await admin.set(keys.processed(GROUP, 'e-1'), '1');
    const watched = client(server.url);
    const settler = new StreamSettler(watched, keys, GROUP, undefined);
    expect(settler.guarded).toBe(false);
    settler.ack(ids[0]!, 'e-9');
    await settler.idle();
    expect(await pendingCount(keys)).toBe(0);
    expect(await admin.exists(keys.processed(GROUP, 'e-9'))).toBe(0);
    // The mark written by someone else is not consulted either.
    expect(await settler.processed(['e-1', undefined])).toEqual([false, false]);
  });
});

describe('acknowledgements', () => {
  it('of one task leave as one XACK; of the next task as another', async () => {
    const { keys, ids } = await pendingEntries(5);
    const settler = new StreamSettler(client(server.url), keys, GROUP, undefined);
    await settler.idle();
    const before = await xackCalls();
    for (const id of ids.slice(0, 3)) settler.ack(id);
    await settler.idle();
    expect(await xackCalls()).toBe(before + 1);
    expect(await pendingCount(keys)).toBe(2);
    for (const id of ids.slice(3)) settler.ack(id);
    await settler.idle();
    expect(await xackCalls()).toBe(before + 2);
    expect(await pendingCount(keys)).toBe(0);
  });

  it('that Redis refuses are retried until they land, and idle() waits for them', async () => {
    const { keys, ids } = await pendingEntries(2);
    const settler = new StreamSettler(client(`redis://noack:pw@${server.host}:${server.port}`), keys, GROUP, undefined);
    settler.ack(ids[0]!);
    settler.ack(ids[1]!);
    let idle = false;
    const waiting = settler.idle().then(() => (idle = true));
    await sleep(700);
    expect(idle).toBe(false);
    expect(await pendingCount(keys)).toBe(2);
    await admin.acl('SETUSER', 'noack', '+xack');
    try {
      await waiting;
      expect(await pendingCount(keys)).toBe(0);
    } finally {
      await admin.acl('SETUSER', 'noack', '-xack');
    }
  });

  it('still refused at close stay pending for the group, and idle() resolves', async () => {
    const { keys, ids } = await pendingEntries(1);
    const settler = new StreamSettler(client(`redis://noack:pw@${server.host}:${server.port}`), keys, GROUP, undefined);
    settler.ack(ids[0]!);
    await sleep(300);
    settler.close();
    await settler.idle();
    await sleep(500);
    expect(await pendingCount(keys)).toBe(1);
  });
});
