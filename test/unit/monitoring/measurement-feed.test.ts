import { describe, expect, it } from 'vitest';
import { createBus, PerformanceEvent, ValidationEvent, type ResourceUsage } from '../../../src/index.js';
import {
  feedMeasurements,
  LabelLimiter,
  streamGroupSeries,
  type MeasurementSink,
  type StreamGroupInfo,
} from '../../../src/monitoring/index.js';

const usage: ResourceUsage = { cpuUserMs: 1, cpuSystemMs: 0, rssBytes: 1000, heapUsedBytes: 500, heapDeltaBytes: 0 };

function perf(type: PerformanceEvent['eventType'], data: Partial<PerformanceEvent['data']> = {}, source = '/svc') {
  return PerformanceEvent.create(type, {
    contextId: 'run-1/order-17', fieldPath: [], operation: 'parse', durationMs: 250, resourceUsage: usage, phase: 'load', status: 'completed', ...data,
  }, { source });
}

/** A sink that writes down every call. */
function recordingSink() {
  const calls: [string, unknown, unknown?][] = [];
  const sink: MeasurementSink = {
    operation: (l, s) => void calls.push(['operation', { ...l }, s]),
    phase: (l, s) => void calls.push(['phase', { ...l }, s]),
    validation: (l) => void calls.push(['validation', { ...l }]),
    validationError: (l) => void calls.push(['validationError', { ...l }]),
    resources: (source, u) => void calls.push(['resources', source, u.rssBytes]),
  };
  return { calls, sink };
}

describe('LabelLimiter', () => {
  it('keeps the first values of each label, folds later and too-long ones into other, and counts them', () => {
    const labels = new LabelLimiter({ maxValuesPerLabel: 2, maxValueLength: 5 });
    expect(['a', 'b', 'a', 'c', 'b', 'd'].map((v) => labels.value('op', v))).toEqual(['a', 'b', 'a', 'other', 'b', 'other']);
    // Labels are capped separately, and length is checked before admission.
    expect(labels.value('rule', 'toolong')).toBe('other');
    expect(labels.value('rule', 'short')).toBe('short');
    expect([...labels.folded()]).toEqual([['op', 2], ['rule', 1]]);
  });

  it('refuses caps that are not whole numbers ≥ 1', () => {
    expect(() => new LabelLimiter({ maxValuesPerLabel: 0 })).toThrow(/maxValuesPerLabel.*whole number/);
    expect(() => new LabelLimiter({ maxValueLength: 1.5 })).toThrow(/maxValueLength/);
  });
});

describe('feedMeasurements', () => {
  it('turns performance and validation events into bounded measurements in seconds, never ids', async () => {
    const bus = createBus();
    const { calls, sink } = recordingSink();
    const stop = feedMeasurements(bus, sink);
    await bus.publish(perf('performance.operation.complete'));
    await bus.publish(perf('performance.phase.complete', { durationMs: 1500, status: 'failed' }));
    await bus.publish(perf('performance.phase.start', { durationMs: 0, status: 'started' }));
    await bus.publish(ValidationEvent.create('validation.failed', {
      contextId: 'run-1/order-17', subject: 'order', status: 'failed', errors: [
        { fieldPath: ['email'], rule: 'email.format', message: 'bad', severity: 'error' },
        { fieldPath: ['total'], rule: 'review.high-value', message: 'big', severity: 'warning' },
      ],
    }));
    // Not a run's end: not counted (its errors come again with the end).
    await bus.publish(ValidationEvent.create('validation.error.occurred', { contextId: 'c', subject: 'order', status: 'running', errors: [] }));
    await bus.drain();
    expect(calls).toEqual([
      ['resources', '/svc', 1000],
      ['operation', { operation: 'parse', phase: 'load', status: 'completed' }, 0.25],
      ['resources', '/svc', 1000],
      ['phase', { phase: 'load', status: 'failed' }, 1.5],
      ['resources', '/svc', 1000],
      ['validation', { subject: 'order', status: 'failed' }],
      ['validationError', { rule: 'email.format', severity: 'error' }],
      ['validationError', { rule: 'review.high-value', severity: 'warning' }],
    ]);
    expect(JSON.stringify(calls)).not.toContain('run-1');
    stop();
    await bus.publish(perf('performance.operation.complete'));
    await bus.drain();
    expect(calls).toHaveLength(8);
  });

  it('folds operations past the cap of a shared limiter into other', async () => {
    const bus = createBus();
    const { calls, sink } = recordingSink();
    const labels = new LabelLimiter({ maxValuesPerLabel: 3 });
    feedMeasurements(bus, sink, { labels });
    for (let i = 0; i < 10; i++) await bus.publish(perf('performance.operation.complete', { operation: `op-${i}` }, `/svc-${i}`));
    await bus.drain();
    const operations = calls.filter((c) => c[0] === 'operation').map((c) => (c[1] as { operation: string }).operation);
    expect(operations).toEqual(['op-0', 'op-1', 'op-2', ...Array<string>(7).fill('other')]);
    expect(labels.folded().get('operation')).toBe(7);
    expect(labels.folded().get('source')).toBe(7);
  });
});

describe('streamGroupSeries', () => {
  const group = (g: Partial<StreamGroupInfo> & { group: string }): StreamGroupInfo => ({ namespace: 'shop', broadcast: false, consumers: 1, pending: 0, ...g });

  it('folds broadcast groups into one series (sums; worst lag and age), keeps named ones, counts duplicates once', () => {
    const series = streamGroupSeries([
      group({ group: 'billing', pending: 3, lag: 10, oldestPendingMs: 2_000 }),
      group({ group: 'billing', pending: 3, lag: 10, oldestPendingMs: 2_000 }),
      group({ group: 'broadcast-a', broadcast: true, consumers: 1, pending: 1, lag: 4 }),
      group({ group: 'broadcast-b', broadcast: true, consumers: 2, pending: 2, oldestPendingMs: 500 }),
      group({ group: 'shipping', namespace: 'other' }),
    ], new LabelLimiter());
    expect(series).toEqual([
      { namespace: 'shop', group: 'billing', groups: 1, consumers: 1, pending: 3, lag: 10, oldestPendingMs: 2_000 },
      { namespace: 'shop', group: 'broadcast-*', groups: 2, consumers: 3, pending: 3, lag: 4, oldestPendingMs: 500 },
      { namespace: 'other', group: 'shipping', groups: 1, consumers: 1, pending: 0 },
    ]);
  });

  it('caps the names of named groups', () => {
    const series = streamGroupSeries(['a', 'b', 'c'].map((g) => group({ group: g, pending: 1 })), new LabelLimiter({ maxValuesPerLabel: 1 }));
    expect(series.map((s) => [s.group, s.groups, s.pending])).toEqual([['a', 1, 1], ['other', 2, 2]]);
  });
});
