/**
 * `aggregate.throughput`: events through a `WindowAggregator` (10 groups, p50/p95/p99) against the
 * same events through a handler that only counts them, both on an InMemory bus.
 *
 * @remarks Events are `performance.operation.complete` built beforehand, 10 per ms of event time
 * (a busy service: 10,000 events/s), over 10 operations, with durations spread over three orders
 * of magnitude. Windows are 1 s tumbling: each group closes a window every 1,000 of its events and
 * publishes it on the same bus, and that cost is part of the figure. (A live aggregator closes
 * `groups / slide` windows per second whatever its event rate, so the denser the events, the less
 * windows weigh; one window per 100 events of a group costs about a fifth of the throughput.)
 * Event time can't run backwards, so each pass of the pool gets a fresh aggregator, closed (its
 * last windows published) at the end of the pass.
 */
import { performance } from 'node:perf_hooks';
import { createBus, PerformanceEvent } from 'dotbus';
import { WindowAggregator } from 'dotbus/monitoring';
import { compareThroughput, minRatio, type BenchConfig, type CaseResult } from '../harness.js';

/** Events per pass of the pool: 6.5 s of event time. */
const POOL = 65_536;
/** Events per publish-then-drain chunk, below the default queue capacity (10,000). */
const CHUNK = 8192;
const GROUPS = 10;
const EVENTS_PER_MS = 10;

function buildPool(): PerformanceEvent[] {
  const usage = { cpuUserMs: 0.1, cpuSystemMs: 0, rssBytes: 1, heapUsedBytes: 1, heapDeltaBytes: 0 };
  const start = Math.floor((Date.now() - 3_600_000) / 1_000) * 1_000; // an hour ago: never "from the future"
  const events: PerformanceEvent[] = [];
  for (let i = 0; i < POOL; i++) {
    const data = {
      contextId: 'bench',
      fieldPath: [],
      operation: `op-${i % GROUPS}`,
      durationMs: 0.05 * 1.0009 ** ((i * 7919) % 8192), // 0.05 ms … 80 ms, shuffled
      resourceUsage: usage,
      phase: 'bench',
      status: 'completed' as const,
    };
    events.push(PerformanceEvent.create('performance.operation.complete', data, { source: '/bench', timestamp: new Date(start + Math.floor(i / EVENTS_PER_MS)) }));
  }
  return events;
}

/** The baseline: a plain handler that counts. */
function countingBaseline(events: readonly PerformanceEvent[]): (n: number) => Promise<number> {
  const bus = createBus({ source: '/bench' });
  let calls = 0;
  bus.subscribe('performance.operation.complete', (e) => {
    if (e.data.durationMs >= 0) calls++;
  });
  return async (n) => {
    calls = 0;
    const begin = performance.now();
    for (let i = 0; i < n; ) {
      const end = Math.min(n, i + CHUNK);
      for (; i < end; i++) void bus.publish(events[i % POOL]!);
      await bus.drain();
    }
    const seconds = (performance.now() - begin) / 1000;
    if (calls !== n) throw new Error(`counting handler: ${calls} calls, expected ${n}`);
    return seconds;
  };
}

/** The subject: a windowed aggregator, grouped by operation, over the duration. */
function aggregatorSubject(events: readonly PerformanceEvent[]): { run: (n: number) => Promise<number>; eventsPerWindow: () => number } {
  const bus = createBus({ source: '/bench' });
  let windows = 0;
  let merged = 0;
  return {
    eventsPerWindow: () => merged / windows,
    run: async (n) => {
      const before = merged;
      const begin = performance.now();
      for (let i = 0; i < n; ) {
        const aggregator = new WindowAggregator(bus, 'performance.operation.complete', {
          name: 'bench', publisher: bus, value: 'data.durationMs', groupBy: ['data.operation'], windowMs: 1_000, idleFlushMs: 0,
        });
        const passEnd = Math.min(n, i + POOL - (i % POOL));
        while (i < passEnd) {
          const end = Math.min(passEnd, i + CHUNK);
          for (; i < end; i++) void bus.publish(events[i % POOL]!);
          await bus.drain();
        }
        await aggregator.close();
        const stats = aggregator.stats();
        merged += stats.merged;
        windows += stats.windows;
      }
      await bus.drain();
      const seconds = (performance.now() - begin) / 1000;
      if (merged - before !== n) throw new Error(`aggregator: ${merged - before} events merged, expected ${n}`);
      return seconds;
    },
  };
}

/** `aggregate.throughput`: aggregator (10 groups × 3 quantiles) vs a counting handler, ≥ 0.3. */
export async function aggregateThroughput(cfg: BenchConfig): Promise<CaseResult> {
  const events = buildPool();
  const subject = aggregatorSubject(events);
  const baseline = countingBaseline(events);
  if (!cfg.quick) {
    // Its first few hundred thousand events run 5–10× slower (the JIT is still at work): warm both
    // sides before the harness calibrates, or the calibration measures the compiler.
    await baseline(4 * POOL);
    await subject.run(4 * POOL);
  }
  const c = await compareThroughput(cfg, baseline, subject.run, CHUNK);
  return minRatio('aggregate.throughput', 'events/s', c, 'counting handler', 0.3, { groups: GROUPS, quantiles: 3, eventsPerWindow: Math.round(subject.eventsPerWindow()) });
}
