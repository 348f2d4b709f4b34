import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { afterEach, describe, expect, it } from 'vitest';
import { createBus, EventRecorder, FieldPath, type DotbusError, type PerformanceEvent } from '../../../src/index.js';
import { EventDrivenPerformanceCoordinator } from '../../../src/monitoring/index.js';

/** Sleeps at least `ms` by the monotonic clock (a timer alone may fire a little early). */
async function sleepAtLeast(ms: number): Promise<void> {
  const start = performance.now();
  while (performance.now() - start < ms) await sleep(Math.max(1, Math.ceil(ms - (performance.now() - start))));
}

/** Keeps the CPU busy for at least `ms` by the monotonic clock, blocking the event loop. */
function burnCpu(ms: number): number {
  const start = performance.now();
  let x = 0;
  while (performance.now() - start < ms) x += Math.sqrt(x + 1);
  return x;
}

const open: EventDrivenPerformanceCoordinator[] = [];
afterEach(() => {
  for (const c of open.splice(0)) c.close();
});

/** A coordinator on a fresh bus; what it reports to `onError` lands in `errors`. */
function setup(enabled = true) {
  const bus = createBus({ enabled });
  const rec = new EventRecorder<PerformanceEvent>(bus, 'performance.*');
  const errors: DotbusError[] = [];
  const perf = new EventDrivenPerformanceCoordinator({ publisher: bus, contextId: 'ctx-1', onError: (e) => errors.push(e) });
  open.push(perf);
  return { bus, rec, perf, errors };
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
    const errors: DotbusError[] = [];
    const perf = new EventDrivenPerformanceCoordinator({ publisher: bus, contextId: 'c', maxOpenPhases: 3, onError: (e) => errors.push(e) });
    open.push(perf);
    for (let i = 0; i < 10; i++) perf.startPhase(`p${i}`);
    expect(perf.stats()).toMatchObject({ openPhases: 3, evictedPhases: 7 });
    expect(() => perf.startPhase('')).not.toThrow();
    expect(perf.stats().publishFailures).toBe(1);
    expect(errors.map((e) => e.code)).toEqual(['INVALID_EVENT']);
    await bus.drain();
  });

  describe('which phase endPhase ends', () => {
    it('ends a phase started with a scope when called without one, and publishes that scope', async () => {
      const { bus, rec, perf, errors } = setup();
      perf.startPhase('check', { contextId: 'order-9', fieldPath: FieldPath.parse('customer.email') });
      const durationMs = perf.endPhase('check');
      await bus.drain();
      expect(durationMs).toBeGreaterThanOrEqual(0);
      const [complete] = rec.matching('performance.phase.complete');
      expect(complete?.data).toMatchObject({ phase: 'check', status: 'completed', contextId: 'order-9', fieldPath: ['customer', 'email'] });
      expect(complete?.data.durationMs).toBe(durationMs);
      expect(perf.stats()).toMatchObject({ openPhases: 0, unmatchedEnds: 0 });
      expect(errors).toEqual([]);
    });

    it('ends nested same-name phases innermost first; a scoped end takes exactly its own phase', async () => {
      const { bus, rec, perf, errors } = setup();
      perf.startPhase('check');
      perf.startPhase('check', { fieldPath: ['customer'] });
      perf.startPhase('check', { fieldPath: ['customer', 'email'] });
      perf.startPhase('check', { fieldPath: ['items', 0] });
      perf.endPhase('check', { fieldPath: ['customer'] });
      for (let i = 0; i < 3; i++) perf.endPhase('check', { status: 'failed', error: `e${i}` });
      await bus.drain();
      expect(rec.matching('performance.phase.complete').map((e) => [e.data.fieldPath, e.data.status, e.data.error])).toEqual([
        [['customer'], 'completed', undefined],
        [['items', 0], 'failed', 'e0'],
        [['customer', 'email'], 'failed', 'e1'],
        [[], 'failed', 'e2'],
      ]);
      expect(perf.stats()).toMatchObject({ openPhases: 0, unmatchedEnds: 0 });
      expect(errors).toEqual([]);
    });

    it('reports each end that matches nothing once, saying what is open and what to pass', async () => {
      const { bus, rec, perf, errors } = setup();
      perf.startPhase('check', { fieldPath: ['customer', 'email'] });
      expect(perf.endPhase('check', { fieldPath: ['email'] })).toBeUndefined();
      expect(errors).toHaveLength(1);
      expect(errors[0]?.code).toBe('PUBLISH_FAILED');
      expect(errors[0]?.message).toContain('endPhase("check", { fieldPath: ["email"] }) matched no open phase');
      expect(errors[0]?.message).toContain('{ fieldPath: ["customer","email"] }');
      expect(errors[0]?.message).toContain('or no scope to end the most recent one');

      expect(perf.endPhase('chek')).toBeUndefined();
      expect(errors).toHaveLength(2);
      expect(errors[1]?.message).toContain('"chek" is not open');
      expect(errors[1]?.message).toContain('open phases: "check"');
      expect(perf.stats()).toMatchObject({ unmatchedEnds: 2, openPhases: 1 });

      // The phase the mismatched end missed is still open and ends normally.
      expect(perf.endPhase('check')).toBeGreaterThanOrEqual(0);
      await bus.drain();
      expect(rec.matching('performance.phase.complete')).toHaveLength(1);
      expect(errors).toHaveLength(2);
    });

    it('never throws into the caller, even when onError throws', async () => {
      const bus = createBus();
      let calls = 0;
      const perf = new EventDrivenPerformanceCoordinator({
        publisher: bus, contextId: 'c', onError: () => {
          calls++;
          throw new Error('hook broke');
        },
      });
      open.push(perf);
      expect(() => perf.endPhase('never-started', { contextId: 'x' })).not.toThrow();
      expect(() => perf.startPhase('')).not.toThrow();
      expect(calls).toBe(2);
      expect(perf.stats()).toMatchObject({ unmatchedEnds: 1, publishFailures: 1 });
      await bus.drain();
    });

    it('by default reports a mismatch as a rate-limited process warning', async () => {
      const bus = createBus();
      const perf = new EventDrivenPerformanceCoordinator({ publisher: bus, contextId: 'c' });
      open.push(perf);
      const warnings: Error[] = [];
      const onWarning = (w: Error): void => void (w.name === 'DotbusWarning' && warnings.push(w));
      process.on('warning', onWarning);
      try {
        perf.endPhase('missing');
        perf.endPhase('missing');
        await sleep(10);
      } finally {
        process.off('warning', onWarning);
      }
      expect(warnings).toHaveLength(1);
      expect(warnings[0]).toMatchObject({ code: 'PUBLISH_FAILED' });
      expect(warnings[0]?.message).toContain('endPhase("missing") matched no open phase');
      expect(perf.stats().unmatchedEnds).toBe(2);
      await bus.drain();
    });
  });

  describe('resource usage', () => {
    it('records the CPU time the measured work used, as a delta', async () => {
      const { bus, rec, perf } = setup();
      const before = process.cpuUsage();
      perf.measure('burn', 'cpu', () => burnCpu(50));
      const around = process.cpuUsage(before);
      await bus.drain();
      const usage = rec.events[0]!.data.resourceUsage;
      expect(usage.cpuUserMs).toBeGreaterThan(0);
      expect(usage.cpuSystemMs).toBeGreaterThanOrEqual(0);
      // A delta over the work, not the process's total so far: it fits in the CPU time around the call.
      expect(usage.cpuUserMs).toBeLessThanOrEqual(around.user / 1000);
      expect(usage.cpuSystemMs).toBeLessThanOrEqual(around.system / 1000);
    });

    it('reports event-loop delay over work that spans samples, above zero when the loop was blocked', async () => {
      const { bus, rec, perf } = setup();
      // The histogram starts at the first measurement and records from its second tick on; a
      // busy machine can make the first 50 ms see one tick. Started before, and idle for 20 periods.
      await perf.measure('warm-up', 'loop', () => sleepAtLeast(20));
      await perf.measure('idle', 'loop', () => sleepAtLeast(500));
      await perf.measure('blocked', 'loop', async () => {
        await sleepAtLeast(30);
        burnCpu(100);
        await sleepAtLeast(30);
      });
      await bus.drain();
      const [, idle, blocked] = rec.matching('performance.operation.complete').map((e) => e.data.resourceUsage.eventLoopDelayMs);
      expect(typeof idle).toBe('number');
      expect(Number.isFinite(idle)).toBe(true);
      expect(idle).toBeGreaterThanOrEqual(0);
      expect(Number.isFinite(blocked)).toBe(true);
      // One sample of the ~16 in the blocked work waited 100 ms or more, so their mean is above
      // 3 ms however busy the machine (a busier one only adds delay); in milliseconds, not ns. The
      // ~50 samples of the idle work before must not count: with them the mean would be below 2 ms.
      expect(blocked).toBeGreaterThan(3);
      expect(blocked).toBeLessThan(10_000);
    });
  });
});
