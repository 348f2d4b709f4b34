import { Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createBus, defineEvent, InMemoryTransport, Type } from '../../../src/index.js';
import { registerBusMetrics } from '../../../src/prometheus/index.js';

const Job = defineEvent({ type: 'job.done', version: '1.0.0', schema: Type.Object({ n: Type.Integer({ minimum: 0 }) }) });

function value(text: string, metric: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(metric));
  return line === undefined ? undefined : Number(line.split(' ').pop());
}

describe('registerBusMetrics', () => {
  it('exports the bus counters at scrape time, by bus and drop reason', async () => {
    const registry = new Registry();
    const bus = createBus({
      events: [Job],
      transport: new InMemoryTransport({ queue: { capacity: 2, policy: 'drop-newest' }, maxInFlight: 1 }),
      onError: () => {},
    });
    const unregister = registerBusMetrics(bus, { registry, bus: 'jobs' });
    let release!: () => void;
    const gate = new Promise<void>((r) => (release = r));
    bus.subscribe('job.done', () => gate);
    bus.subscribe('job.*', () => {
      throw new Error('boom');
    });
    for (let n = 0; n < 5; n++) await bus.emit('job.done', { n });
    await bus.emit('job.done', { n: -1 });

    const during = await registry.metrics();
    // 5 job events + 5 system.error.handler + 1 system.error.publish, all through the local bus.
    expect(value(during, 'dotbus_events_published_total{bus="jobs"}')).toBe(11);
    expect(value(during, 'dotbus_publish_failed_total{bus="jobs"}')).toBe(1);
    expect(value(during, 'dotbus_handlers_in_flight{bus="jobs"}')).toBe(1);
    expect(value(during, 'dotbus_queue_depth{bus="jobs"}')).toBe(2);
    expect(value(during, 'dotbus_events_dropped_total{bus="jobs",reason="drop-newest"}')).toBe(2);

    release();
    await bus.drain();
    const after = await registry.metrics();
    expect(value(after, 'dotbus_events_delivered_total{bus="jobs"}')).toBe(8);
    expect(value(after, 'dotbus_handler_errors_total{bus="jobs"}')).toBe(5);
    expect(value(after, 'dotbus_queue_depth{bus="jobs"}')).toBe(0);
    expect(after).toContain('# TYPE dotbus_events_published_total counter');

    unregister();
    expect(await registry.metrics()).not.toContain('dotbus_');
  });
});

describe('registerBusMetrics with several buses', () => {
  it('shares one registry, one series per bus; unregistering one keeps the other', async () => {
    const registry = new Registry();
    const a = createBus({ events: [Job] });
    const b = createBus({ events: [Job] });
    const offA = registerBusMetrics(a, { registry, bus: 'a' });
    const offB = registerBusMetrics(b, { registry, bus: 'b' });
    a.subscribe('job.done', () => {});
    await a.emit('job.done', { n: 1 });
    await b.emit('job.done', { n: 2 });
    await b.emit('job.done', { n: 3 });
    await Promise.all([a.drain(), b.drain()]);
    const text = await registry.metrics();
    expect(value(text, 'dotbus_events_published_total{bus="a"}')).toBe(1);
    expect(value(text, 'dotbus_events_published_total{bus="b"}')).toBe(2);
    expect(value(text, 'dotbus_events_unrouted_total{bus="b"}')).toBe(2);
    offA();
    const left = await registry.metrics();
    expect(left).not.toContain('bus="a"');
    expect(value(left, 'dotbus_events_published_total{bus="b"}')).toBe(2);
    offB();
    expect(await registry.metrics()).not.toContain('dotbus_');
  });
});
