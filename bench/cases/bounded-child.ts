/**
 * Child process of `memory.bounded`: publishes `BOUNDED_EVENTS` events to a subscription whose
 * handler never settles (maxInFlight 1, drop-oldest queue of `BOUNDED_CAPACITY`), and prints RSS
 * growth and drop counts as one JSON line. Its own process, so earlier cases' heaps don't count.
 */
import { createBus } from 'dotbus';
import { buildOrders } from '../events.js';
import { BenchOrder } from '../events.js';
import { collectGarbage, turn } from '../harness.js';

const total = Number(process.env['BOUNDED_EVENTS'] ?? 1_000_000);
const capacity = Number(process.env['BOUNDED_CAPACITY'] ?? 10_000);
/** Publishes per turn of the event loop: receipts settle and garbage is collectable between slices. */
const SLICE = 10_000;

async function main(): Promise<void> {
  const bus = createBus({ events: [BenchOrder], onError: () => {} });
  // A pool of distinct events, reused: what is measured is what the transport keeps, not the events.
  const events = buildOrders(1024);
  let started = 0;
  const stalled = new Promise<void>(() => {});
  bus.subscribe('bench.order.placed', () => {
    started++;
    return stalled;
  }, { maxInFlight: 1, queue: { capacity, policy: 'drop-oldest' } });

  collectGarbage();
  await turn();
  collectGarbage();
  const before = process.memoryUsage().rss;
  let peak = before;
  const start = performance.now();
  for (let i = 0; i < total; ) {
    const end = Math.min(total, i + SLICE);
    for (; i < end; i++) void bus.publish(events[i & 1023]!);
    await turn();
    const rss = process.memoryUsage().rss;
    if (rss > peak) peak = rss;
  }
  const seconds = (performance.now() - start) / 1000;
  collectGarbage();
  const after = process.memoryUsage().rss;
  const stats = bus.stats();
  const result = {
    events: total,
    capacity,
    seconds,
    peakGrowthMB: (peak - before) / 2 ** 20,
    settledGrowthMB: (after - before) / 2 ** 20,
    droppedOldest: stats.dropped['drop-oldest'],
    expectedDrops: total - capacity - started,
    inFlight: stats.inFlight,
    queued: stats.queued,
    handlerCalls: started,
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
  process.exit(0);
}

main().catch((e: unknown) => {
  process.stderr.write(`${String(e instanceof Error ? e.stack : e)}\n`);
  process.exit(1);
});
