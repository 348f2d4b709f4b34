import { BasicTracerProvider } from '@opentelemetry/sdk-trace-base';
import { DataPointType, MeterProvider, MetricReader, type Histogram, type MetricData } from '@opentelemetry/sdk-metrics';
import { describe, expect, it } from 'vitest';
import { createBus, defineEvent, Type } from '../../../src/index.js';
import { otelTracing } from '../../../src/otel/index.js';

const Order = defineEvent({ type: 'order.placed', version: '1.0.0', schema: Type.Object({ id: Type.String() }) });

class TestReader extends MetricReader {
  protected override async onForceFlush(): Promise<void> {}
  protected override async onShutdown(): Promise<void> {}
}

class OutOfStock extends Error {}

async function histogram(reader: TestReader, name: string): Promise<MetricData> {
  const { resourceMetrics, errors } = await reader.collect();
  expect(errors).toEqual([]);
  const metric = resourceMetrics.scopeMetrics.flatMap((s) => s.metrics).find((m) => m.descriptor.name === name);
  expect(metric, name).toBeDefined();
  expect(metric!.dataPointType).toBe(DataPointType.HISTOGRAM);
  expect(metric!.descriptor.unit).toBe('s');
  return metric!;
}

describe('otelTracing: the messaging duration histograms', () => {
  it('records messaging.process.duration per handler call (error.type on failures) and messaging.client.operation.duration per send', async () => {
    const reader = new TestReader();
    const meterProvider = new MeterProvider({ readers: [reader] });
    const bus = createBus({ events: [Order], onError: () => {}, tracing: otelTracing({ tracerProvider: new BasicTracerProvider(), meterProvider }) });
    bus.subscribe('order.*', () => {});
    bus.subscribe('order.placed', (e) => {
      if (e.data.id === 'bad') throw new OutOfStock('none left');
    });
    await bus.emit('order.placed', { id: 'o-1' });
    await bus.emit('order.placed', { id: 'bad' });
    await bus.drain();

    const processed = await histogram(reader, 'messaging.process.duration');
    const points = processed.dataPoints.map((p) => ({ attributes: p.attributes, count: (p.value as Histogram).count }));
    const base = { 'messaging.system': 'dotbus', 'messaging.operation.name': 'process', 'messaging.operation.type': 'process', 'messaging.destination.name': 'order.placed' };
    expect(points).toEqual(expect.arrayContaining([
      { attributes: { ...base, 'messaging.destination.template': 'order.*' }, count: 2 },
      { attributes: { ...base, 'messaging.destination.template': 'order.placed' }, count: 1 },
      { attributes: { ...base, 'messaging.destination.template': 'order.placed', 'error.type': 'OutOfStock' }, count: 1 },
    ]));
    expect(points).toHaveLength(3);
    for (const p of processed.dataPoints) expect((p.value as Histogram).min).toBeGreaterThanOrEqual(0);

    const sent = await histogram(reader, 'messaging.client.operation.duration');
    expect(sent.dataPoints.map((p) => ({ attributes: p.attributes, count: (p.value as Histogram).count }))).toEqual([
      { attributes: { 'messaging.system': 'dotbus', 'messaging.operation.name': 'send', 'messaging.operation.type': 'send', 'messaging.destination.name': 'order.placed' }, count: 2 },
    ]);
  });
});
