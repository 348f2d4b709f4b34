import {
  AlertEvent,
  MetricsWindowEvent,
  PerformanceEvent,
  SystemErrorEvent,
  SystemHealthEvent,
  Type,
  ValidationEvent,
  defineEvent,
  type BuiltInEvent,
  type EventOfDefinition,
} from '../../src/index.js';

/** Types the pattern table needs beyond the built-in ones, plus two for the suite itself. */
export const PROBE_TYPES = ['validation', 'system.error.disk.full', 'error.occurred', 'system.error', 'started', 'conf.order', 'conf.blob'] as const;

/** A test-only family: a number and a text. */
export const Probe = defineEvent({
  name: 'Probe',
  type: PROBE_TYPES,
  version: '1.0.0',
  schema: Type.Object({ n: Type.Integer(), text: Type.String() }),
});

/** Every event a conformance bus knows. */
export type ConformanceEvent = EventOfDefinition<typeof Probe> | BuiltInEvent;

const usage = { cpuUserMs: 1.5, cpuSystemMs: 0.25, rssBytes: 50_000_000, heapUsedBytes: 20_000_000, heapDeltaBytes: -1024 };

/** One valid event of every built-in type, with non-trivial data. */
export function builtInSamples(): BuiltInEvent[] {
  const trace = { traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01', tracestate: 'dotbus=1' };
  const perf = PerformanceEvent.types.map((t, i) =>
    PerformanceEvent.create(
      t,
      {
        contextId: `ctx-${i}`,
        fieldPath: ['user', 'addresses', i, 'zip'],
        operation: 'validate',
        durationMs: 12.345678 + i,
        resourceUsage: { ...usage, eventLoopDelayMs: 0.5 },
        phase: 'schema',
        status: i % 2 === 0 ? 'completed' : 'started',
      },
      { source: '/conformance', trace },
    ),
  );
  const validation = ValidationEvent.types.map((t, i) =>
    ValidationEvent.create(t, {
      contextId: `run-${i}`,
      subject: 'order',
      phase: 'rules',
      status: 'failed',
      durationMs: 3,
      recordCount: 10,
      errors: [{ fieldPath: ['items', 0, 'sku'], rule: 'sku.format', message: 'SKU must look like AB-123 — got «x»', severity: 'error' }],
    }),
  );
  const health = SystemHealthEvent.types.map((t) =>
    SystemHealthEvent.create(t, { component: 'redis/subscriber', status: 'degraded', detail: 'slow', attempt: 2 }),
  );
  const errors = SystemErrorEvent.types.map((t) =>
    SystemErrorEvent.create(t, { component: 'test', code: 'X', message: 'ünïcødé ✓', count: 3, producerId: 'p-1' }),
  );
  const alerts = AlertEvent.types.map((t) =>
    AlertEvent.create(t, {
      rule: 'slow-ops', kind: 'anomaly', state: t === 'alert.pending' ? 'pending' : t === 'alert.firing' ? 'firing' : 'resolved', severity: 'critical',
      labels: { operation: 'parse', shard: 3, retried: false }, fingerprint: '0123456789abcdef', value: t === 'alert.pending' ? null : 500.25,
      at: '2024-05-01T12:00:10.000Z', activeSince: '2024-05-01T12:00:00.000Z', message: '500 is 40σ off', annotations: { summary: 'ünïcødé ✓' },
    }),
  );
  const window = MetricsWindowEvent.create(
    {
      aggregation: 'operations',
      pattern: 'performance.operation.complete',
      field: 'data.durationMs',
      group: { 'data.operation': 'validate', 'data.phase': 'schema' },
      start: '2024-05-01T12:00:00.000Z',
      end: '2024-05-01T12:00:10.000Z',
      windowMs: 10_000,
      slideMs: 5_000,
      count: 3,
      rate: 0.3,
      sum: 37.5,
      min: 0.25,
      max: 30,
      mean: 12.5,
      quantiles: { p50: 7.25, p95: 29.9, p99: 29.9 },
      relativeAccuracy: 0.01,
      lateEvents: 1,
      futureEvents: 0,
      evictedGroups: 0,
    },
    { timestamp: new Date('2024-05-01T12:00:10.000Z') },
  );
  return [...perf, ...validation, ...health, ...errors, ...alerts, window];
}
