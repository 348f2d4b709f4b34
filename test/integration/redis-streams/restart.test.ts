import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBus } from '../../../src/index.js';
import { redisStreams } from '../../../src/redis/index.js';
import { Job } from '../../fixtures/redis-streams/jobs.js';
import { startRedis, type RedisServer } from '../../helpers/redis/server-process.js';
import { waitUntil } from '../../helpers/wait.js';

let server: RedisServer;
beforeAll(async () => {
  server = await startRedis({ appendonly: true });
});
afterAll(async () => {
  await server.dispose();
});

describe('Redis Streams: Redis is stopped and started mid-stream (appendfsync always)', () => {
  it('loses no event whose publish was acknowledged', async () => {
    const ns = `restart-${process.pid}`;
    const opts = { connection: { url: server.url, backoff: { baseMs: 20, capMs: 200 } }, namespace: ns, blockMs: 200 };
    const consumer = createBus({ events: [Job], transport: redisStreams({ ...opts, group: 'svc', claimIdleMs: 1_000 }) });
    const got = new Set<number>();
    consumer.subscribe('job.run', (e) => void got.add(e.data.n));
    await consumer.ready();
    const producer = createBus({ events: [Job], transport: redisStreams(opts) });
    await producer.ready();

    const acked = new Set<number>();
    const status = { accepted: 0, buffered: 0, dropped: 0, failed: 0 };
    const TOTAL = 6_000;
    let restarted = false;
    for (let i = 0; i < TOTAL; i += 100) {
      const batch = Array.from({ length: 100 }, (_, k) => Job.create('job.run', { n: i + k }));
      const receipts = await producer.publishBatch(batch);
      receipts.forEach((r, k) => {
        status[r.status as keyof typeof status]++;
        if (r.status === 'accepted') acked.add(i + k);
      });
      if (i === TOTAL / 2) {
        await server.stop();
        restarted = true;
        // Published while Redis is down: buffered, sent on reconnect.
        const during = await producer.publishBatch([Job.create('job.run', { n: TOTAL }), Job.create('job.run', { n: TOTAL + 1 })]);
        for (const r of during) status[r.status as keyof typeof status]++;
        expect(during.map((r) => r.status)).toEqual(['buffered', 'buffered']);
        await server.start();
        await producer.ready();
      }
    }
    expect(restarted).toBe(true);
    // Everything published (acknowledged, buffered during the outage) arrives; the wait gives up
    // rather than hangs, and what is missing is counted, so a loss fails the assertion below.
    await waitUntil(() => got.size >= TOTAL + 2, 60_000, 'every event received').catch(() => undefined);
    const lost = [...acked].filter((n) => !got.has(n)).length;
    console.log(`restart test: ${JSON.stringify({ ...status, acknowledged: acked.size, received: got.size, lost })}`);
    expect(lost).toBe(0);
    expect(acked.size).toBeGreaterThan(TOTAL / 2);
    // Events published during the outage were buffered and flushed after the restart; none was dropped.
    expect(status.dropped + status.failed).toBe(0);
    expect(status.buffered).toBeGreaterThanOrEqual(2);
    expect(got.has(TOTAL) && got.has(TOTAL + 1)).toBe(true);
    expect(status.accepted + status.buffered).toBe(TOTAL + 2);
    await Promise.all([producer.close(), consumer.close()]);
  }, 120_000);
});
