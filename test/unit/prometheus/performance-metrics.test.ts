import { Registry, type OpenMetricsContentType } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { createBus, PerformanceEvent, type ResourceUsage } from '../../../src/index.js';
import { EventDrivenPerformanceCoordinator } from '../../../src/monitoring/index.js';
import { registerPerformanceMetrics } from '../../../src/prometheus/index.js';

/** The value of the sample whose line starts with `series` (name and labels, as printed). */
function value(text: string, series: string): number | undefined {
  const line = text.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.split(' ')[1]);
}

const usage: ResourceUsage = { cpuUserMs: 1, cpuSystemMs: 0, rssBytes: 64_000_000, heapUsedBytes: 20_000_000, heapDeltaBytes: 0, eventLoopDelayMs: 12 };
const TRACE_ID = '4bf92f3577b34da6a3ce929d0e0e4736';
const SPAN_ID = '00f067aa0ba902b7';

function operation(durationMs: number, more: Partial<PerformanceEvent['data']> = {}, traceparent?: string) {
  return PerformanceEvent.create('performance.operation.complete', {
    contextId: 'batch-9', fieldPath: [], operation: 'validate-record', durationMs, resourceUsage: usage, phase: 'fields', status: 'completed', ...more,
  }, { source: '/importer', ...(traceparent === undefined ? {} : { trace: { traceparent } }) });
}

function openMetricsRegistry(): Registry<OpenMetricsContentType> {
  const registry = new Registry<OpenMetricsContentType>();
  registry.setContentType(Registry.OPENMETRICS_CONTENT_TYPE);
  return registry;
}

describe('registerPerformanceMetrics', () => {
  it('turns the coordinator and validation events of a bus into histograms, counters and gauges', async () => {
    const registry = new Registry();
    const bus = createBus();
    registerPerformanceMetrics(bus, { registry });
    const perf = new EventDrivenPerformanceCoordinator({ publisher: bus, contextId: 'batch-1', eventLoopDelay: false });
    perf.startPhase('validate');
    for (let i = 0; i < 3; i++) perf.measure('validate-record', 'fields', () => i);
    expect(() => perf.measure('validate-record', 'fields', () => {
      throw new Error('bad row');
    })).toThrow('bad row');
    perf.endPhase('validate', { status: 'failed' });
    perf.close();
    await bus.emit('validation.completed', { contextId: 'r-1', subject: 'order', status: 'passed', errors: [] });
    await bus.emit('validation.failed', {
      contextId: 'r-2', subject: 'order', status: 'failed', errors: [
        { fieldPath: ['email'], rule: 'email.format', message: 'not an email', severity: 'error' },
        { fieldPath: ['email'], rule: 'email.format', message: 'not an email', severity: 'error' },
      ],
    });
    await bus.drain();

    const text = await registry.metrics();
    expect(value(text, 'dotbus_operation_duration_seconds_count{operation="validate-record",phase="fields",status="completed"}')).toBe(3);
    expect(value(text, 'dotbus_operation_duration_seconds_count{operation="validate-record",phase="fields",status="failed"}')).toBe(1);
    expect(value(text, 'dotbus_operation_duration_seconds_bucket{le="+Inf",operation="validate-record",phase="fields",status="completed"}')).toBe(3);
    expect(value(text, 'dotbus_phase_duration_seconds_count{phase="validate",status="failed"}')).toBe(1);
    expect(value(text, 'dotbus_validations_total{subject="order",status="passed"}')).toBe(1);
    expect(value(text, 'dotbus_validations_total{subject="order",status="failed"}')).toBe(1);
    expect(value(text, 'dotbus_validation_errors_total{rule="email.format",severity="error"}')).toBe(2);
    expect(value(text, 'dotbus_resource_rss_bytes{source="/dotbus/monitoring"}')).toBeGreaterThan(0);
    expect(text).toContain('# TYPE dotbus_operation_duration_seconds histogram');
    expect(text).not.toContain('batch-1');
  });

  it('observes in seconds into the configured buckets; the latest resource usage is a gauge in base units', async () => {
    const registry = new Registry();
    const bus = createBus();
    registerPerformanceMetrics(bus, { registry, operationBuckets: [0.001, 0.01, 0.1] });
    for (const ms of [0.5, 5, 5, 50, 500]) await bus.publish(operation(ms));
    await bus.drain();
    const text = await registry.metrics();
    const bucket = (le: string) => value(text, `dotbus_operation_duration_seconds_bucket{le="${le}",operation="validate-record",phase="fields",status="completed"}`);
    expect([bucket('0.001'), bucket('0.01'), bucket('0.1'), bucket('+Inf')]).toEqual([1, 3, 4, 5]);
    expect(value(text, 'dotbus_operation_duration_seconds_sum{operation="validate-record",phase="fields",status="completed"}')).toBeCloseTo(0.5605, 9);
    expect(value(text, 'dotbus_resource_rss_bytes{source="/importer"}')).toBe(64_000_000);
    expect(value(text, 'dotbus_resource_heap_used_bytes{source="/importer"}')).toBe(20_000_000);
    expect(value(text, 'dotbus_resource_event_loop_delay_seconds{source="/importer"}')).toBe(0.012);
  });

  it('caps the values of each label: the rest become other, counted by label', async () => {
    const registry = new Registry();
    const bus = createBus();
    registerPerformanceMetrics(bus, { registry, labels: { maxValuesPerLabel: 2 } });
    for (let i = 0; i < 5; i++) await bus.publish(operation(1, { operation: `user-${i}` }));
    await bus.drain();
    const text = await registry.metrics();
    const count = (op: string) => value(text, `dotbus_operation_duration_seconds_count{operation="${op}",phase="fields",status="completed"}`);
    expect([count('user-0'), count('user-1'), count('user-2'), count('other')]).toEqual([1, 1, undefined, 3]);
    expect(value(text, 'dotbus_label_values_folded_total{label="operation"}')).toBe(3);
  });

  it('gives duration observations the trace of their event as an exemplar on an OpenMetrics registry', async () => {
    const registry = openMetricsRegistry();
    const bus = createBus();
    registerPerformanceMetrics(bus, { registry, operationBuckets: [0.001, 0.01] });
    await bus.publish(operation(5, {}, `00-${TRACE_ID}-${SPAN_ID}-01`));
    await bus.publish(operation(0.5)); // no trace: observed without exemplar
    await bus.drain();
    const text = await registry.metrics();
    const line = text.split('\n').find((l) => l.startsWith('dotbus_operation_duration_seconds_bucket{le="0.01"'));
    expect(line).toMatch(new RegExp(`^\\S+ 2 # \\{trace_id="${TRACE_ID}",span_id="${SPAN_ID}"\\} 0\\.005 \\d`));
    expect(text.split('\n').find((l) => l.startsWith('dotbus_operation_duration_seconds_bucket{le="0.001"'))).not.toContain('#');
    expect(text.trimEnd().endsWith('# EOF')).toBe(true);
  });

  it('removes its metrics when stopped; refuses a second registration and bad buckets with what to do', async () => {
    const registry = new Registry();
    const bus = createBus();
    const stop = registerPerformanceMetrics(bus, { registry });
    expect(() => registerPerformanceMetrics(bus, { registry })).toThrow(/dotbus_operation_duration_seconds is registered on it already.*prefix/);
    const other = registerPerformanceMetrics(bus, { registry, prefix: 'shop_' });
    stop();
    other();
    expect(await registry.metrics()).toBe('\n');
    await bus.publish(operation(1));
    await bus.drain();
    expect(bus.stats().handlerErrors).toBe(0);
    expect(() => registerPerformanceMetrics(bus, { registry, phaseBuckets: [0.1, 0.01] })).toThrow(/phaseBuckets.*increasing/);
    expect(() => registerPerformanceMetrics(bus, { registry, operationBuckets: [] })).toThrow(/operationBuckets/);
  });

});
