import { DataPointType, MeterProvider, MetricReader, type DataPoint, type Histogram, type MetricData } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { createBus, PerformanceEvent, type ResourceUsage } from '../../../src/index.js';
import { DEFAULT_DURATION_BUCKETS, type StreamGroupInfo } from '../../../src/monitoring/index.js';
import { otelMetrics } from '../../../src/otel/index.js';

/** A reader the test collects from when it wants (a real SDK reader, no exporter). */
class TestReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

async function collect(reader: TestReader): Promise<Map<string, MetricData>> {
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  return new Map(resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).map((m) => [m.descriptor.name, m]));
}

/** The data point of `metric` whose attributes include `attributes`. */
function point<T>(metric: MetricData | undefined, attributes: Record<string, string>): DataPoint<T> | undefined {
  const points = (metric?.dataPoints ?? []) as DataPoint<T>[];
  return points.find((p) => Object.entries(attributes).every(([k, v]) => p.attributes[k] === v));
}

function setup() {
  const reader = new TestReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  return { reader, meterProvider };
}

const usage: ResourceUsage = { cpuUserMs: 1, cpuSystemMs: 0, rssBytes: 64_000_000, heapUsedBytes: 20_000_000, heapDeltaBytes: 0, eventLoopDelayMs: 4 };
const operation = (durationMs: number, operationName = 'validate-record') =>
  PerformanceEvent.create('performance.operation.complete', {
    contextId: 'batch-3', fieldPath: [], operation: operationName, durationMs, resourceUsage: usage, phase: 'fields', status: 'completed',
  }, { source: '/importer', trace: { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' } });

describe('otelMetrics', () => {
  it('records durations in seconds with the default buckets, validation counts and the latest resource usage', async () => {
    const { reader, meterProvider } = setup();
    const bus = createBus();
    otelMetrics(bus, { meterProvider });
    for (const ms of [2, 20]) await bus.publish(operation(ms));
    await bus.emit('validation.failed', {
      contextId: 'r-1', subject: 'order', status: 'failed', errors: [{ fieldPath: ['email'], rule: 'email.format', message: 'bad', severity: 'error' }],
    });
    await bus.drain();
    const m = await collect(reader);

    const durations = m.get('dotbus.operation.duration')!;
    expect(durations.descriptor.unit).toBe('s');
    expect(durations.dataPointType).toBe(DataPointType.HISTOGRAM);
    const h = point<Histogram>(durations, { 'dotbus.operation.name': 'validate-record', 'dotbus.phase.name': 'fields', 'dotbus.work.status': 'completed' })!;
    expect(h.value.count).toBe(2);
    expect(h.value.sum).toBeCloseTo(0.022, 9);
    expect(h.value.buckets.boundaries).toEqual([...DEFAULT_DURATION_BUCKETS]);
    expect(Object.keys(h.attributes)).not.toContain('dotbus.context.id');

    expect(point<number>(m.get('dotbus.validations'), { 'dotbus.validation.subject': 'order', 'dotbus.validation.status': 'failed' })?.value).toBe(1);
    expect(point<number>(m.get('dotbus.validation.errors'), { 'dotbus.validation.rule': 'email.format', 'dotbus.validation.severity': 'error' })?.value).toBe(1);
    expect(point<number>(m.get('dotbus.resource.rss'), { 'dotbus.event.source': '/importer' })?.value).toBe(64_000_000);
    expect(m.get('dotbus.resource.heap_used')?.descriptor.unit).toBe('By');
    expect(point<number>(m.get('dotbus.resource.event_loop.delay'), { 'dotbus.event.source': '/importer' })?.value).toBe(0.004);
    await meterProvider.shutdown();
  });

  it("counts the bus's messages by the messaging conventions", async () => {
    const { reader, meterProvider } = setup();
    const bus = createBus({ onError: () => {} });
    otelMetrics(bus, { meterProvider });
    bus.subscribe('performance.*', () => {});
    for (const ms of [1, 2, 3]) await bus.publish(operation(ms));
    await bus.emit('validation.completed', { contextId: '', subject: 's', status: 'passed', errors: [] }); // empty contextId: refused
    await bus.drain();
    const m = await collect(reader);
    const sent = m.get('messaging.client.sent.messages');
    expect(sent?.descriptor.unit).toBe('{message}');
    expect(point<number>(sent, { 'messaging.system': 'dotbus', 'messaging.operation.name': 'send' })?.value).toBe(3);
    expect(point<number>(sent, { 'error.type': '_OTHER' })?.value).toBe(1);
    // The handler above, and otelMetrics' own subscription to performance.*.
    expect(point<number>(m.get('messaging.client.consumed.messages'), { 'messaging.operation.name': 'process' })?.value).toBe(6);
    await meterProvider.shutdown();
  });

  it('caps attribute values (counted), observes stream groups, and stops observing when stopped', async () => {
    const { reader, meterProvider } = setup();
    const bus = createBus();
    const groups: StreamGroupInfo[] = [
      { namespace: 'shop', group: 'billing', broadcast: false, consumers: 2, pending: 4, lag: 9, oldestPendingMs: 3_000 },
      { namespace: 'shop', group: 'broadcast-x', broadcast: true, consumers: 1, pending: 0 },
    ];
    let asked = 0;
    const streams = { groupInfo: async () => (asked++, groups) };
    const stop = otelMetrics(bus, { meterProvider, labels: { maxValuesPerLabel: 1 }, streams });
    for (const name of ['a', 'b', 'c']) await bus.publish(operation(1, name));
    await bus.drain();
    const m = await collect(reader);
    expect(point<Histogram>(m.get('dotbus.operation.duration'), { 'dotbus.operation.name': 'other' })?.value.count).toBe(2);
    expect(point<number>(m.get('dotbus.label_values.folded'), { 'dotbus.label.name': 'operation' })?.value).toBe(2);
    const billing = { 'dotbus.namespace': 'shop', 'messaging.consumer.group.name': 'billing' };
    expect(point<number>(m.get('dotbus.stream.group.lag'), billing)?.value).toBe(9);
    expect(point<number>(m.get('dotbus.stream.group.pending'), billing)?.value).toBe(4);
    expect(point<number>(m.get('dotbus.stream.group.oldest_pending.age'), billing)?.value).toBe(3);
    expect(point<number>(m.get('dotbus.stream.group.consumers'), { 'messaging.consumer.group.name': 'broadcast-*' })?.value).toBe(1);

    stop();
    await bus.publish(operation(1, 'a'));
    await bus.drain();
    const after = await collect(reader);
    expect(point<Histogram>(after.get('dotbus.operation.duration'), { 'dotbus.operation.name': 'a' })?.value.count).toBe(1);
    // Redis is asked at each collection, and no more once stopped.
    expect(asked).toBe(1);
    expect(() => otelMetrics(bus, { meterProvider, durationBuckets: [1, 0.5] })).toThrow(/durationBuckets.*increasing/);
    await meterProvider.shutdown();
  });
});
