/**
 * Child process of the memory tests: a Redis Pub/Sub consumer of `it.*` with default options
 * (unless the test passes some), run with a small heap. It samples its memory and answers `report`
 * over IPC with what it delivered, what it refused, and `process.memoryUsage()` after a full GC.
 */
import { createBus } from '../../../src/index.js';
import { redisPubSub, type RedisPubSubOptions } from '../../../src/redis/index.js';
import { FIXTURE_EVENTS } from '../../fixtures/redis-pubsub/events.js';
import type { MemoryConsumerConfig, MemoryConsumerMessage, MemoryParentMessage } from './memory-probe.js';

const config = JSON.parse(process.env['DOTBUS_MEMORY_CONSUMER'] ?? '{}') as MemoryConsumerConfig;
const tell = (m: MemoryConsumerMessage): void => void process.send?.(m);
const gc = (globalThis as { gc?: () => void }).gc;

const reasons: Record<string, number> = {};
const transport = redisPubSub({
  connection: { url: config.url, backoff: { baseMs: 20, capMs: 250 } },
  namespace: config.namespace,
  ...(config.options as Partial<RedisPubSubOptions>),
  onDecodeError: ({ error }) => void (reasons[error.reason] = (reasons[error.reason] ?? 0) + 1),
});
const bus = createBus({ events: FIXTURE_EVENTS, transport, source: '/memory-consumer', onError: () => {} });

let delivered = 0;
let next = 0;
let inOrder = true;
bus.subscribe('it.*', (e) => {
  delivered++;
  if (e.data.n !== next) inOrder = false;
  next = e.data.n + 1;
});

const peak = { heapUsed: 0, rss: 0 };
const sample = (): void => {
  const m = process.memoryUsage();
  peak.heapUsed = Math.max(peak.heapUsed, m.heapUsed);
  peak.rss = Math.max(peak.rss, m.rss);
};
setInterval(sample, 10).unref();

process.on('message', (m: MemoryParentMessage) => {
  if (m.kind === 'exit') {
    void bus.close().finally(() => process.exit(0));
    return;
  }
  sample();
  if (m.gc === true) gc?.();
  const s = transport.stats();
  tell({
    kind: 'report',
    delivered,
    inOrder,
    next,
    decodeErrors: s.decodeErrors,
    reasons: { ...reasons },
    heartbeats: s.heartbeats,
    trackedStreams: s.trackedStreams,
    evictedStreams: s.evictedStreams,
    lost: s.lost,
    dropped: Object.values(s.dropped).reduce((a, b) => a + b, 0),
    memory: process.memoryUsage(),
    peak: { ...peak },
  });
});

bus.ready().then(
  () => tell({ kind: 'ready' }),
  (e: unknown) => {
    tell({ kind: 'error', message: String(e) });
    process.exit(1);
  },
);
