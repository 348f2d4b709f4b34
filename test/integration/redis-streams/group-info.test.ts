import { Registry } from 'prom-client';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createBus, type EventBus, type EventOfDefinition } from '../../../src/index.js';
import { registerStreamMetrics } from '../../../src/prometheus/index.js';
import { isBroadcastGroup } from '../../../src/redis/streams/group-info.js';
import { redisStreams, type RedisStreamsOptions, type RedisStreamsTransport } from '../../../src/redis/index.js';
import { Job } from '../../fixtures/redis-streams/jobs.js';
import { startRedis, type RedisServer } from '../../helpers/redis/server-process.js';
import { waitFor } from '../../helpers/wait.js';

type JobEvent = EventOfDefinition<typeof Job>;
let server: RedisServer;
const open: EventBus<JobEvent>[] = [];
let nsCounter = 0;
beforeAll(async () => {
  server = await startRedis();
});
afterEach(async () => {
  await Promise.all(open.splice(0).map((b) => b.close()));
});
afterAll(async () => {
  await server.dispose();
});

const ns = (): string => `groups-${process.pid}-${++nsCounter}`;
function member(namespace: string, extra: RedisStreamsOptions = {}): { bus: EventBus<JobEvent>; transport: RedisStreamsTransport } {
  const transport = redisStreams({ connection: { url: server.url }, namespace, blockMs: 100, ...extra });
  const bus = createBus({ events: [Job], transport, onError: () => {} }) as unknown as EventBus<JobEvent>;
  open.push(bus);
  return { bus, transport };
}

describe('RedisStreamsTransport.groupInfo', () => {
  it('reports members, pending entries, lag and the age of the oldest pending entry of every group', async () => {
    const namespace = ns();
    const worker = member(namespace, { group: 'billing', maxInFlight: 2 });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    worker.bus.subscribe('job.run', () => gate);
    await worker.bus.ready();
    const producer = member(namespace);
    await producer.bus.ready();
    // (Redis counts a member once its first read arrived.)
    const [first, ...rest] = await producer.transport.groupInfo();
    expect(first).toMatchObject({ namespace, group: 'billing', broadcast: false, pending: 0, lag: 0 });
    expect(rest).toEqual([]);

    // An own (broadcast) group of a reader that keeps up.
    const watcher = member(namespace);
    watcher.bus.subscribe('job.*', () => {});
    await watcher.bus.ready();
    await producer.bus.publishBatch(Array.from({ length: 10 }, (_, n) => Job.create('job.run', { n })));

    // The worker holds 2 entries (its in-flight limit) and leaves 8 undelivered; the watcher keeps up.
    const groups = () => producer.transport.groupInfo();
    const billing = async () => (await groups()).find((g) => g.group === 'billing');
    await waitFor('2 entries pending in billing, none in the own group', 20_000, async () => {
      const now = await groups();
      return now.some((g) => g.group === 'billing' && g.pending === 2) && now.some((g) => g.broadcast && g.lag === 0 && g.pending === 0);
    }, async () => JSON.stringify(await groups()));
    const held = (await billing())!;
    expect(held).toMatchObject({ consumers: 1, pending: 2, lag: 8 });
    expect(held.oldestPendingMs).toBeGreaterThanOrEqual(0);
    expect((await groups()).filter((g) => g.broadcast)).toEqual([
      { namespace, group: watcher.transport.settings.group, broadcast: true, consumers: 1, pending: 0, lag: 0 },
    ]);

    // The same figures as Prometheus gauges, read at scrape time.
    const registry = new Registry();
    registerStreamMetrics(producer.transport, { registry });
    const text = await registry.metrics();
    expect(text).toContain(`dotbus_stream_group_pending{namespace="${namespace}",group="billing"} 2`);
    expect(text).toContain(`dotbus_stream_group_lag{namespace="${namespace}",group="billing"} 8`);
    expect(text).toContain(`dotbus_stream_groups{namespace="${namespace}",group="broadcast-*"} 1`);
    expect(text).toContain('dotbus_stream_group_read_errors_total 0');

    release();
    await waitFor('billing to catch up', 20_000, async () => (await billing())?.lag === 0 && (await billing())?.pending === 0, async () => JSON.stringify(await billing()));
    expect((await billing())?.oldestPendingMs).toBeUndefined();
  });

  it('reports no groups before the stream exists, and rejects once closed', async () => {
    const { bus, transport } = member(ns());
    await bus.ready();
    expect(await transport.groupInfo()).toEqual([]);
    await bus.close();
    await expect(transport.groupInfo()).rejects.toMatchObject({ code: 'TRANSPORT_CLOSED' });
  });

  it('recognises the names transports give their own groups, and only those', async () => {
    const own = redisStreams({ connection: { url: server.url }, namespace: 'x' });
    const named = redisStreams({ connection: { url: server.url }, namespace: 'x', group: 'billing' });
    expect(isBroadcastGroup(own.settings.group)).toBe(true);
    expect(isBroadcastGroup(named.settings.group)).toBe(false);
    expect(isBroadcastGroup('broadcast-mine')).toBe(false);
    await Promise.all([own.close(), named.close()]);
  });
});
