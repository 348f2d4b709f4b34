import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createBus, EventRecorder, FieldPath, type PerformanceEvent } from '../../../src/index.js';
import { EventDrivenPerformanceCoordinator } from '../../../src/monitoring/index.js';

/** Sleeps at least `ms` by the monotonic clock (a timer alone may fire a little early). */
async function sleepAtLeast(ms: number): Promise<void> {
  const start = performance.now();
  while (performance.now() - start < ms) await sleep(Math.max(1, Math.ceil(ms - (performance.now() - start))));
}

const open: EventDrivenPerformanceCoordinator[] = [];
afterEach(() => {
  for (const c of open.splice(0)) c.close();
});

function setup(enabled = true) {
  const bus = createBus({ enabled });
  const rec = new EventRecorder<PerformanceEvent>(bus, 'performance.*');
  const perf = new EventDrivenPerformanceCoordinator({ publisher: bus, contextId: 'ctx-1' });
  open.push(perf);
  return { bus, rec, perf };
}

describe('EventDrivenPerformanceCoordinator', () => {
  it('reports a phase around a 50 ms sleep as at least 50 ms, with real resource usage', async () => {
    const { bus, rec, perf } = setup();
    perf.startPhase('load', { fieldPath: FieldPath.parse('customer.address') });
    await sleepAtLeast(50);
    const returned = perf.endPhase('load', { fieldPath: FieldPath.parse('customer.address') });
    await bus.drain();
    const [start, complete] = rec.events;
    expect(start?.eventType).toBe('performance.phase.start');
    expect(start?.data).toMatchObject({ contextId: 'ctx-1', phase: 'load', status: 'started', durationMs: 0, fieldPath: ['customer', 'address'] });
    expect(complete?.eventType).toBe('performance.phase.complete');
    expect(complete?.data).toMatchObject({ contextId: 'ctx-1', phase: 'load', status: 'completed', fieldPath: ['customer', 'address'] });
    expect(complete!.data.durationMs).toBeGreaterThanOrEqual(50);
    expect(returned).toBe(complete!.data.durationMs);
    expect(complete!.data.resourceUsage.rssBytes).toBeGreaterThan(0);
    expect(complete!.data.resourceUsage.heapUsedBytes).toBeGreaterThan(0);
    expect(perf.stats().publishFailures).toBe(0);
  });

  it('measures async work: ≥ 50 ms, value passed through, operation.complete with context and field path', async () => {
    const { bus, rec, perf } = setup();
    const value = await perf.measure('fetch', 'enrich', async () => {
      await sleepAtLeast(50);
      return 42;
    }, { contextId: 'ctx-2', fieldPath: ['items', 3, 'sku'] });
    await bus.drain();
    expect(value).toBe(42);
    const [done] = rec.matching('performance.operation.complete');
    expect(done?.data).toMatchObject({ contextId: 'ctx-2', fieldPath: ['items', 3, 'sku'], operation: 'fetch', phase: 'enrich', status: 'completed' });
    expect(done!.data.durationMs).toBeGreaterThanOrEqual(50);
  });

  it('keeps sync work sync and returns its value', async () => {
    const { bus, rec, perf } = setup();
    const result = perf.measure('sum', 'calc', () => [1, 2, 3].reduce((a, b) => a + b, 0));
    expect(result).toBe(6);
    await bus.drain();
    expect(rec.events.map((e) => e.data.status)).toEqual(['completed']);
  });

  it('records failed sync work as failed and rethrows the same error', async () => {
    const { bus, rec, perf } = setup();
    const boom = new TypeError('bad record');
    expect(() => perf.measure('parse', 'fields', () => { throw boom; }, { fieldPath: ['email'] })).toThrow(boom);
    await bus.drain();
    const [e] = rec.events;
    expect(e?.data).toMatchObject({ status: 'failed', operation: 'parse', phase: 'fields', contextId: 'ctx-1', fieldPath: ['email'] });
    expect(e?.data.error).toContain('bad record');
  });

  it('records rejected async work as failed and rejects with the same error', async () => {
    const { bus, rec, perf } = setup();
    const boom = new Error('upstream down');
    await expect(perf.measure('fetch', 'enrich', () => Promise.reject(boom))).rejects.toBe(boom);
    await bus.drain();
    expect(rec.events[0]?.data).toMatchObject({ status: 'failed', error: 'Error: upstream down' });
  });

  it('publishes metric.recorded and phase end with failed status', async () => {
    const { bus, rec, perf } = setup();
    perf.recordMetric('record.mean', 'validate', 1.5);
    perf.startPhase('p');
    perf.endPhase('p', { status: 'failed', error: 'nope' });
    expect(perf.endPhase('never-started')).toBeUndefined();
    await bus.drain();
    expect(rec.events.map((e) => e.eventType)).toEqual(['performance.metric.recorded', 'performance.phase.start', 'performance.phase.complete']);
    expect(rec.events[2]?.data).toMatchObject({ status: 'failed', error: 'nope' });
    expect(perf.stats()).toMatchObject({ published: 3, unmatchedEnds: 1, openPhases: 0 });
  });

  it('with a disabled publisher publishes nothing and still runs the work', async () => {
    const { bus, rec, perf } = setup(false);
    perf.startPhase('load');
    expect(perf.measure('op', 'load', () => 'ok')).toBe('ok');
    await expect(perf.measure('op', 'load', async () => 'async ok')).resolves.toBe('async ok');
    expect(() => perf.measure('op', 'load', () => { throw new Error('x'); })).toThrow('x');
    expect(perf.endPhase('load')).toBeUndefined();
    perf.recordMetric('m', 'load', 1);
    await bus.drain();
    expect(rec.events).toHaveLength(0);
    expect(perf.stats().published).toBe(0);
    expect(bus.stats().published).toBe(0);
  });

  it('bounds open phases and never throws for bad input', async () => {
    const bus = createBus();
    const perf = new EventDrivenPerformanceCoordinator({ publisher: bus, contextId: 'c', maxOpenPhases: 3 });
    open.push(perf);
    for (let i = 0; i < 10; i++) perf.startPhase(`p${i}`);
    expect(perf.stats()).toMatchObject({ openPhases: 3, evictedPhases: 7 });
    expect(() => perf.startPhase('')).not.toThrow();
    expect(perf.stats().publishFailures).toBe(1);
    await bus.drain();
  });
});
