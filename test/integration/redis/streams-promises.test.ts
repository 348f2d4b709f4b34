/**
 * Promises of the Streams transport that had no test: outage overflow counting, age retention,
 * dead-letter trimming, unrouted counting, where a new group starts, and a slow but live member
 * keeping its entries.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBus, type BusEvent } from '../../../src/index.js';
import { redisStreams, type RedisStreamsOptions, type RedisStreamsStats } from '../../../src/redis/index.js';
import { Probe } from '../../conformance/samples.js';
import { sendCommands } from '../../helpers/redis/resp-client.js';
import { startRedis, type RedisServer } from '../../helpers/redis/server-process.js';
import { sleep, waitUntil } from '../../helpers/wait.js';

let server: RedisServer;
let nextNs = 0;
beforeAll(async () => {
  server = await startRedis();
});
afterAll(async () => {
  await server?.dispose();
});

const ns = (): string => `sp-${process.pid}-${++nextNs}`;
const open: { close(): Promise<void> }[] = [];
function bus(options: RedisStreamsOptions) {
  const b = createBus({ events: [Probe], transport: redisStreams({ connection: { url: server.url }, blockMs: 100, ...options }), onError: () => {} });
  open.push(b);
  return b;
}
const stats = (b: { stats(): unknown }): RedisStreamsStats => b.stats() as RedisStreamsStats;
async function redis(...command: (string | number)[]): Promise<unknown> {
  const [reply] = await sendCommands(server.port, [command]);
  return reply;
}

afterAll(async () => {
  await Promise.all(open.map((b) => b.close().catch(() => undefined)));
});

describe('Redis Streams promises', () => {
  it('counts what the outage buffer drops: published = sent + buffered + dropped', async () => {
    const b = bus({ namespace: ns(), connection: { url: `redis://127.0.0.1:1` }, buffer: { maxEvents: 5, policy: 'drop-oldest' }, closeTimeoutMs: 100 });
    const receipts = [];
    for (let n = 0; n < 12; n++) receipts.push((await b.emit('conf.order', { n, text: 'down' })).status);
    expect(receipts.every((s) => s === 'buffered')).toBe(true);
    expect(stats(b).buffered).toBe(5);
    expect(stats(b).dropped['drop-oldest']).toBe(7);
  });

  it('retention.maxAgeMs trims entries older than the age', async () => {
    const namespace = ns();
    const b = bus({ namespace, retention: { maxAgeMs: 60_000 } });
    await b.ready();
    // 300 entries from an hour ago are past the age limit; a fresh one is not. Trimming is
    // approximate (`MINID ~`: whole macro nodes of about 100 entries), so most old ones go.
    const hourAgo = Date.now() - 3_600_000;
    await sendCommands(server.port, Array.from({ length: 300 }, (_, i) => ['XADD', `{${namespace}}:events`, `${hourAgo}-${i + 1}`, 't', 'conf.order', 'm', '{}']));
    await b.emit('conf.order', { n: 1, text: 'fresh' });
    let left = Number.POSITIVE_INFINITY;
    for (let i = 0; i < 50 && left > 200; i++) {
      await sleep(100);
      left = Number(await redis('XLEN', `{${namespace}}:events`));
    }
    expect(left).toBeLessThanOrEqual(200);
    const [newest] = (await redis('XREVRANGE', `{${namespace}}:events`, '+', '-', 'COUNT', 1)) as [string, string[]][];
    expect(Number(newest![0].split('-')[0])).toBeGreaterThan(hourAgo + 60_000); // the fresh one stays
  });

  it('keeps the dead-letter stream within deadLetterMaxLen', async () => {
    const namespace = ns();
    const b = bus({ namespace, retention: { deadLetterMaxLen: 3 }, retry: { maxAttempts: 1 } });
    b.subscribe('conf.order', () => {
      throw new Error('poison');
    });
    await b.ready();
    for (let n = 0; n < 10; n++) await b.emit('conf.order', { n, text: 'poison' });
    await waitUntil(() => stats(b).deadLettered >= 10, 20_000, 'ten dead letters');
    // MAXLEN ~ trims in whole macro nodes, so "about 3": far fewer than the 10 written.
    expect(Number(await redis('XLEN', `{${namespace}}:dead-letter`))).toBeLessThan(10);
  });

  it('counts entries nobody here subscribes to as unrouted, and acknowledges them', async () => {
    const namespace = ns();
    const b = bus({ namespace, group: 'svc' });
    b.subscribe('conf.blob', () => {});
    await b.ready();
    for (let n = 0; n < 4; n++) await b.emit('conf.order', { n, text: 'nobody' });
    await waitUntil(() => stats(b).unrouted >= 4, 20_000, 'four unrouted');
    // Counted when read; the acknowledgement follows: poll until Redis has it (bounded).
    let pending = -1;
    for (let i = 0; i < 50 && pending !== 0; i++) {
      pending = Number(((await redis('XPENDING', `{${namespace}}:events`, 'svc')) as unknown[])[0]);
      if (pending !== 0) await sleep(50);
    }
    expect(pending).toBe(0);
  });

  it("a new group starts at 'now' (nothing before it) or at a time (nothing older)", async () => {
    const namespace = ns();
    const producer = bus({ namespace });
    await producer.ready();
    await producer.emit('conf.order', { n: 1, text: 'old' });
    await sleep(20);
    const cut = new Date();
    await sleep(20);
    await producer.emit('conf.order', { n: 2, text: 'after the cut' });
    const fromNow: string[] = [];
    const now = bus({ namespace, group: 'from-now', startFrom: 'now' });
    now.subscribe('conf.order', (e) => void fromNow.push(e.data.text));
    await now.ready();
    const fromTime: string[] = [];
    const timed = bus({ namespace, group: 'from-time', startFrom: cut });
    timed.subscribe('conf.order', (e) => void fromTime.push(e.data.text));
    await timed.ready();
    await producer.emit('conf.order', { n: 3, text: 'new' });
    await waitUntil(() => fromNow.includes('new') && fromTime.includes('new'), 20_000, 'the new event in both groups');
    expect(fromNow).toEqual(['new']);
    expect(fromTime).toEqual(['after the cut', 'new']);
  });

  it('a slow but live member keeps its entries: others never claim them', async () => {
    const namespace = ns();
    const seen = new Map<string, string[]>();
    const member = (name: string, delayMs: number) => {
      // A claim window wide enough that a starved event loop (CI on busy cores) still refreshes in time.
      const b = bus({ namespace, group: 'svc', consumer: name, claimIdleMs: 1_000, retry: { maxAttempts: 1 } });
      b.subscribe('conf.order', async (e: BusEvent) => {
        seen.set(name, [...(seen.get(name) ?? []), e.eventId]);
        await sleep(delayMs);
      });
      return b;
    };
    const slow = member('slow', 3_000); // three times claimIdleMs
    await slow.ready();
    const producer = bus({ namespace });
    await producer.ready();
    await producer.emit('conf.order', { n: 1, text: 'slow one' });
    await waitUntil(() => (seen.get('slow') ?? []).length === 1, 10_000, 'the slow member to start');
    const fast = member('fast', 0);
    await fast.ready();
    await waitUntil(() => stats(slow).acked >= 1, 10_000, 'the slow member to finish');
    await fast.drain();
    expect(seen.get('fast') ?? []).toEqual([]);
    expect(stats(fast).claimed).toBe(0);
  });
});
