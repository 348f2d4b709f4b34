/**
 * `serve.fanout`: 10,000 events/s through `dotbus/serve` to 5 live-tail (SSE) clients, 4 reading
 * as fast as they can and 1 slow one; the figure is the server process's RSS growth over the run.
 *
 * @remarks Events (the ~380-byte bench order) are published on an InMemory bus in 100-event
 * bursts every 10 ms. The clients are `fetch` streams in the same process (so the figure includes
 * their buffers; Chromium would not be faster than them). The slow client reads one chunk every
 * 200 ms: its bounded send buffer fills and the server skips rows for it, which is the point: its
 * memory must stay flat however far it falls behind. RSS is taken after a warm-up second and a
 * GC, and again at the end after a GC; reported with events/s delivered per fast client and the
 * rows skipped for the slow one.
 */
import { setTimeout as sleep } from 'node:timers/promises';
import { createBus } from 'dotbus';
import { serveDashboard } from 'dotbus/serve';
import { BenchOrder, buildOrders } from '../events.js';
import { collectGarbage, type BenchConfig, type CaseResult } from '../harness.js';

const RATE = 10_000;
const BURST = 100;
const FAST_CLIENTS = 4;
/** RSS growth allowed over the run, in MB. */
const TARGET_MB = 64;

interface Reader {
  rows: number;
  skipped: number;
  stop(): void;
}

/** A live-tail client: counts rows, remembers the latest skipped count; `delayMs` between reads makes it slow. */
function reader(url: string, delayMs: number): Reader {
  const abort = new AbortController();
  const r: Reader = { rows: 0, skipped: 0, stop: () => abort.abort() };
  void (async () => {
    const res = await fetch(`${url}api/live?pattern=bench.*`, { signal: abort.signal });
    const stream = res.body!.pipeThrough(new TextDecoderStream());
    for await (const text of stream) {
      r.rows += text.split('{"id":"').length - 1;
      const skipped = /"skipped":(\d+)[^]*$/.exec(text);
      if (skipped !== null) r.skipped = Number(skipped[1]);
      if (delayMs > 0) await sleep(delayMs);
    }
  })().catch(() => undefined);
  return r;
}

export async function serveFanout(cfg: BenchConfig): Promise<CaseResult> {
  const seconds = cfg.quick ? 2 : 20;
  const pool = buildOrders(RATE);
  const bus = createBus({ source: '/bench', events: [BenchOrder] });
  const dashboard = await serveDashboard({ bus, port: 0 });
  await dashboard.ready;
  const fast = Array.from({ length: FAST_CLIENTS }, () => reader(dashboard.url, 0));
  const slow = reader(dashboard.url, 200);
  let sent = 0;
  const publishFor = async (ms: number): Promise<void> => {
    const end = performance.now() + ms;
    let next = performance.now();
    while (performance.now() < end) {
      for (let i = 0; i < BURST; i++) void bus.publish(pool[sent++ % pool.length]!);
      next += (BURST / RATE) * 1000;
      const wait = next - performance.now();
      if (wait > 0) await sleep(wait);
    }
  };
  try {
    await publishFor(1_000); // warm-up: connections up, buffers at their steady size
    collectGarbage();
    const rssBefore = process.memoryUsage().rss;
    const rowsBefore = fast.reduce((s, r) => s + r.rows, 0);
    const sentBefore = sent;
    const started = performance.now();
    await publishFor(seconds * 1000);
    const elapsed = (performance.now() - started) / 1000;
    await bus.drain();
    await sleep(200);
    collectGarbage();
    const growthMb = (process.memoryUsage().rss - rssBefore) / 2 ** 20;
    const delivered = (fast.reduce((s, r) => s + r.rows, 0) - rowsBefore) / FAST_CLIENTS / elapsed;
    return {
      name: 'serve.fanout',
      unit: 'MB RSS growth',
      value: growthMb,
      baseline: null,
      baselineName: null,
      ratio: null,
      target: `≤ ${TARGET_MB}`,
      pass: growthMb <= TARGET_MB,
      details: {
        seconds: Math.round(elapsed * 10) / 10,
        publishedPerSec: Math.round((sent - sentBefore) / elapsed),
        deliveredPerSecPerFastClient: Math.round(delivered),
        fastClientsSkipped: fast.reduce((s, r) => s + r.skipped, 0),
        slowClientRows: slow.rows,
        slowClientSkipped: slow.skipped,
      },
    };
  } finally {
    for (const r of [...fast, slow]) r.stop();
    await dashboard.close();
    await bus.close();
  }
}
