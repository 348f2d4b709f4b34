/**
 * `alerts.throughput`: events through an `AlertEngine` with 100 threshold rules, each grouped
 * over 1,000 groups, against the same events through 100 plain subscriptions that only count
 * them, both on an InMemory bus; with the heap the engine holds.
 *
 * @remarks Events are `performance.operation.complete` built beforehand, 10 per ms of event time,
 * over 1,000 operations (the groups). Each rule counts its group's events over a 10 s sliding
 * window judged every second (`above` set so that no alert fires: the figure is the evaluation,
 * not the publishing of alerts), with the default lateness of 1 s: events wait in the
 * event-time buffer as they would live. Event time can't run backwards, so the subject
 * keeps one engine (as a live service does) and moves event time on pool after pool. The memory
 * figure is the memory the engine holds with all 100 × 1,000 groups live (pools excluded): its heap
 * and the typed arrays' buffers, which live outside the heap.
 */
import { performance } from 'node:perf_hooks';
import { createBus, PerformanceEvent } from 'dotbus';
import { AlertEngine } from 'dotbus/monitoring';
import { compareThroughput, minRatio, type BenchConfig, type CaseResult } from '../harness.js';

/** Events per pool: 6.5 s of event time. */
const POOL = 65_536;
/** Events per publish-then-drain chunk, below the default queue capacity (10,000). */
const CHUNK = 8192;
const RULES = 100;
const GROUPS = 1_000;
const EVENTS_PER_MS = 10;
/** Event time one pool spans, in ms. */
const POOL_SPAN_MS = POOL / EVENTS_PER_MS + 1;
const START = Math.floor((Date.now() - 3_600_000) / 1_000) * 1_000;

/** The `pass`-th pool: the same events as every other, `pass` pool spans later in event time. */
function buildPool(pass: number): PerformanceEvent[] {
  const usage = { cpuUserMs: 0.1, cpuSystemMs: 0, rssBytes: 1, heapUsedBytes: 1, heapDeltaBytes: 0 };
  const start = START + pass * POOL_SPAN_MS;
  const events: PerformanceEvent[] = [];
  for (let i = 0; i < POOL; i++) {
    const data = { contextId: 'bench', fieldPath: [], operation: `op-${(i * 7919) % GROUPS}`, durationMs: 1, resourceUsage: usage, phase: 'bench', status: 'completed' as const };
    events.push(PerformanceEvent.create('performance.operation.complete', data, { source: '/bench', timestamp: new Date(start + Math.floor(i / EVENTS_PER_MS)) }));
  }
  return events;
}

/** Publishes `events[from, to)` in chunks, each drained; returns the seconds spent. */
async function publishTimed(bus: ReturnType<typeof createBus>, events: readonly PerformanceEvent[], from: number, to: number): Promise<number> {
  const begin = performance.now();
  for (let i = from; i < to; ) {
    const end = Math.min(to, i + CHUNK);
    for (; i < end; i++) void bus.publish(events[i]!);
    await bus.drain();
  }
  return (performance.now() - begin) / 1000;
}

/** The baseline: 100 handlers that count. */
function countingBaseline(events: readonly PerformanceEvent[]): (n: number) => Promise<number> {
  const bus = createBus({ source: '/bench' });
  let calls = 0;
  for (let r = 0; r < RULES; r++) {
    bus.subscribe('performance.operation.complete', (e) => {
      if (e.data.durationMs >= 0) calls++;
    });
  }
  let cursor = 0;
  return async (n) => {
    calls = 0;
    let seconds = 0;
    for (let done = 0; done < n; ) {
      const take = Math.min(n - done, POOL - cursor);
      seconds += await publishTimed(bus, events, cursor, cursor + take);
      cursor = (cursor + take) % POOL;
      done += take;
    }
    if (calls !== n * RULES) throw new Error(`counting handlers: ${calls} calls, expected ${n * RULES}`);
    return seconds;
  };
}

function engineOn(bus: ReturnType<typeof createBus>): AlertEngine<PerformanceEvent> {
  const engine = new AlertEngine({ source: bus, publisher: bus, clock: 'events' });
  for (let r = 0; r < RULES; r++) {
    engine.threshold('performance.operation.complete', { name: `rule-${r}`, groupBy: ['data.operation'], window: '10s', every: '1s', above: 1_000_000, maxGroups: GROUPS });
  }
  return engine;
}

/**
 * The subject: one engine with 100 grouped threshold rules, fed for its whole life, as a live one
 * is: event time moves on pool after pool (building the next pool is not timed).
 */
function engineSubject(first: PerformanceEvent[]): { run: (n: number) => Promise<number>; engine: AlertEngine<PerformanceEvent> } {
  const bus = createBus({ source: '/bench' });
  const engine = engineOn(bus);
  let pool = first;
  let pass = 0;
  let cursor = 0;
  const seen = (): number => engine.rules().reduce((sum, r) => sum + r.seen, 0);
  return {
    engine,
    run: async (n) => {
      const before = seen();
      let seconds = 0;
      for (let done = 0; done < n; ) {
        if (cursor === POOL) {
          pool = buildPool(++pass);
          cursor = 0;
          // Building the pool (and dropping the last) is not the engine's work, nor is collecting
          // it: collected here, outside the timed part, as the baseline (one pool, reused) has none.
          (globalThis as { gc?: () => void }).gc?.();
        }
        const take = Math.min(n - done, POOL - cursor);
        seconds += await publishTimed(bus, pool, cursor, cursor + take);
        cursor += take;
        done += take;
      }
      const lag = engine.stats().buffered; // events within the lateness wait for the next run
      if (seen() - before + lag < (n - EVENTS_PER_MS * 1_000) * RULES) throw new Error(`engine: ${seen() - before} rule evaluations for ${n} events`);
      if (engine.stats().late > 0) throw new Error(`engine: ${engine.stats().late} late events`);
      return seconds;
    },
  };
}

/** Heap and array buffers in use, in bytes: counting rules keep their step counts in typed arrays, whose buffers are not in `heapUsed`. */
function memoryInUse(): number {
  const m = process.memoryUsage();
  return m.heapUsed + m.arrayBuffers;
}

/** Memory held by the engine with all its groups live, in MB (needs --expose-gc; `null` without). */
function heldMegabytes(engine: AlertEngine<PerformanceEvent>, baselineHeap: number): number | null {
  const gc = (globalThis as { gc?: () => void }).gc;
  if (gc === undefined) return null;
  gc();
  const groups = engine.rules().reduce((sum, r) => sum + r.groups, 0);
  if (groups !== RULES * GROUPS) throw new Error(`expected ${RULES * GROUPS} live groups, got ${groups}`);
  return Math.round(((memoryInUse() - baselineHeap) / 1_048_576) * 10) / 10;
}

/** `alerts.throughput`: 100 threshold rules × 1,000 groups vs 100 counting subscriptions, ≥ 0.25. */
export async function alertsThroughput(cfg: BenchConfig): Promise<CaseResult> {
  const events = buildPool(0);
  const baseline = countingBaseline(events);
  (globalThis as { gc?: () => void }).gc?.();
  const heapBefore = memoryInUse();
  const subject = engineSubject(events);
  // Warm both sides before the harness calibrates, or the calibration measures the JIT; this
  // also fills every group of every rule, as in a service that has been running a while.
  await baseline(cfg.quick ? CHUNK : POOL);
  await subject.run(cfg.quick ? CHUNK : POOL);
  const c = await compareThroughput(cfg, baseline, subject.run, CHUNK);
  const heapMB = cfg.quick ? null : heldMegabytes(subject.engine, heapBefore);
  await subject.engine.close();
  return minRatio('alerts.throughput', 'events/s', c, '100 counting subscriptions', 0.25, {
    rules: RULES, groupsPerRule: GROUPS, window: '10s every 1s', allowedLatenessMs: 1_000, ...(heapMB === null ? {} : { heapMB }),
  });
}
