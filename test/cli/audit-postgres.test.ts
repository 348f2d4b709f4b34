import { Redis } from 'ioredis';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createBus, type AnyBusEvent } from '../../src/index.js';
import { redisStreams } from '../../src/redis/index.js';
import { OrderProbe } from '../conformance/audit-samples.js';
import { postgresAvailability, startPostgres, type PostgresServer } from '../helpers/postgres/postgres-server.js';
import { waitFor } from '../helpers/wait.js';
import { redisForCliSuite, runCli, watchCli } from './run-cli.js';

const { skip } = postgresAvailability();
const redis = redisForCliSuite();
let pg: PostgresServer | undefined;
beforeAll(async () => {
  if (skip === undefined) pg = await startPostgres();
}, 120_000);
afterAll(async () => {
  await pg?.stop();
});

/** Recorded event times, 100 ms apart: a replay at 10x spreads them over a tenth of the span. */
const STEP_MS = 100;
const START = Date.UTC(2026, 0, 1, 12);

describe.skipIf(skip !== undefined)('dotbus audit on PostgreSQL, end to end', () => {
  it('records a namespace from Redis, queries, verifies, shows stats and replays it at 10x into another namespace', async () => {
    const db = await pg!.createDatabase('cli_log');
    const ns = `shop-${process.pid}`;
    const target = `${ns}-replay`;
    const recorder = watchCli(['audit', 'record', '--redis', redis.url, '--namespace', ns, '--durable', '--db', db]);
    await waitFor('the recorder subscribed', 30_000, () => recorder.stderr().includes('dotbus: recording'), () => recorder.stderr());
    const orders = Array.from({ length: 20 }, (_, i) => OrderProbe.create(OrderProbe.types[i % 3]!, { n: i, contextId: `ctx-${i % 2}` }, { timestamp: new Date(START + i * STEP_MS), source: '/shop' }) as AnyBusEvent);
    const producer = createBus({ events: [OrderProbe], transport: redisStreams({ connection: { url: redis.url }, namespace: ns }) });
    await producer.ready();
    expect((await producer.publishBatch(orders as never[])).filter((r) => r.status !== 'accepted')).toEqual([]);
    await producer.close();
    // A type nobody here has a definition for, from another producer: recorded and replayed as it is.
    const foreign = { specversion: '1.0', id: 'billing-1', source: '/billing', type: 'billing.charged', time: new Date(START + orders.length * STEP_MS).toISOString(), data: { amount: 3 } };
    const raw = new Redis(redis.url);
    await raw.xadd(`{${ns}}:events`, '*', 't', foreign.type, 'i', foreign.id, 'm', JSON.stringify(foreign));
    const mine = orders.length + 1;
    const count = (where = "type LIKE 'order.%' OR type = 'billing.charged'"): number => Number(pg!.psql(`SELECT count(*) FROM audit_records WHERE ${where}`, db).trim());
    await waitFor('everything recorded', 60_000, () => count() === mine, () => `${count()} recorded; ${recorder.stderr()}`, undefined, 100);
    recorder.child.kill('SIGINT');
    expect(await recorder.exited).toBe(0);
    // The recorder's own bus reports its health into the namespace too (system.* events): all are counted.
    const total = count('true');
    expect(recorder.stderr()).toContain(`dotbus: recorded ${total} record(s)`);

    const all = await runCli(['audit', 'query', '--db', db, '--format', 'json', '--limit', '1000']);
    expect(all.code).toBe(0);
    const lines = all.stdout.trim().split('\n').map((l) => JSON.parse(l) as { id: string; type: string });
    expect(lines).toHaveLength(total);
    const ours = lines.filter((l) => !l.type.startsWith('system.'));
    expect(ours.map((l) => l.id)).toEqual([...orders.map((e) => e.eventId), foreign.id]);
    expect(ours.at(-1)).toMatchObject(foreign);
    const picked = await runCli(['audit', 'query', 'order.placed', '--db', db, '--format', 'json', '--from', new Date(START + 5 * STEP_MS).toISOString(), '--to', String(START + 15 * STEP_MS), '--context', 'ctx-0']);
    const expected = orders.filter((e, i) => e.eventType === 'order.placed' && i >= 5 && i <= 15 && i % 2 === 0).map((e) => e.eventId);
    expect(expected.length).toBeGreaterThan(0);
    expect(picked.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { id: string }).id)).toEqual(expected);

    const verify = await runCli(['audit', 'verify', '--db', db]);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(new RegExp(`^verified ${total} record\\(s\\)`));
    const stats = await runCli(['audit', 'stats', '--db', db]);
    expect(stats.code).toBe(0);
    expect(stats.stdout).toMatch(new RegExp(`records\\s+${total} .*${total} event\\(s\\), 0 raw, 0 gap\\(s\\)`));
    expect(stats.stdout).toMatch(new RegExp(`order\\s+${orders.length}\\n`));
    expect(stats.stdout).toMatch(/billing\s+1\n/);

    // Our events' time range (the recorder's health events are stamped now, far later).
    const range = ['--from', String(START), '--to', String(START + orders.length * STEP_MS)];
    const replay = await runCli(['audit', 'replay', '--db', db, '--redis', redis.url, '--namespace', target, '--durable', '--speed', '10x', ...range], 60_000);
    expect(replay.code).toBe(0);
    expect(replay.stderr).toContain(`replayed ${mine} event(s)`);
    expect(replay.stderr).toContain(`at 10x: recorded span ${((mine - 1) * STEP_MS / 1000).toFixed(3)} s`);
    expect(replay.stderr).not.toContain('warning');
    // In order, each marked as the replay of its recorded event, under a new id; the foreign one as recorded.
    const replayed = (await raw.xrange(`{${target}}:events`, '-', '+')).map(([, f]) => JSON.parse(f[f.indexOf('m') + 1]!) as Record<string, unknown>);
    raw.disconnect();
    const replays = replayed.filter((m) => m['replayof'] !== undefined);
    expect(replays.map((m) => m['replayof'])).toEqual(ours.map((l) => l.id));
    expect(replays.every((m, i) => m['id'] !== ours[i]!.id)).toBe(true);
    const { id: _id, replayof: _mark, ...rest } = replays.at(-1)!;
    const { id: _recorded, ...recorded } = foreign;
    expect(rest).toMatchObject(recorded);
  }, 180_000);
});
