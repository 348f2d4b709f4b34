/**
 * Redis cases: throughput and latency of Pub/Sub, throughput of Streams, each against raw ioredis
 * in the same run. Each case starts its own `redis-server` on a free loopback port (never 6379)
 * and stops it; producers and consumers are separate processes (bench/redis/worker.ts).
 */
import { sendCommands } from '../../test/helpers/redis/resp-client.js';
import { startRedis, type RedisServer } from '../../test/helpers/redis/server-process.js';
import { median, type BenchConfig, type CaseResult } from '../harness.js';
import { RAW_STREAM_KEY } from '../redis/protocol.js';
import { runPair, startPair, type Pair } from '../redis/workers.js';

const RAW_NS = 'rawbench';
const BUS_NS = 'busbench';
/** Steady rate of the latency case, events/s. */
const LATENCY_RATE = 5_000;

/** A server that never disconnects slow Pub/Sub clients: throughput is then what the consumer keeps up with. */
function startServer(): Promise<RedisServer> {
  return startRedis({ pubsubBufferLimit: '0 0 0' });
}

async function withPairs<T>(kind: 'pubsub' | 'streams', body: (raw: Pair, bus: Pair, server: RedisServer) => Promise<T>): Promise<T> {
  const server = await startServer();
  const pairs: Pair[] = [];
  try {
    const raw = await startPair('raw', kind, server.url, RAW_NS);
    pairs.push(raw);
    const bus = await startPair('bus', kind, server.url, BUS_NS);
    pairs.push(bus);
    return await body(raw, bus, server);
  } finally {
    for (const p of pairs) await Promise.all([p.producer.stop(), p.consumer.stop()]);
    await server.dispose();
  }
}

/** Alternating throughput rounds (raw, dotbus, raw, …); `after` runs after each round (e.g. trimming). */
async function throughput(cfg: BenchConfig, raw: Pair, bus: Pair, n: number, after: () => Promise<void>): Promise<{ raw: number; bus: number; dropped: number }> {
  const r: number[] = [];
  const b: number[] = [];
  let dropped = 0;
  // Warm-up: JIT, connections, Redis allocations.
  await runPair(raw, Math.min(n, 10_000), 0, false);
  await runPair(bus, Math.min(n, 10_000), 0, false);
  await after();
  for (let i = 0; i < cfg.rounds; i++) {
    r.push(n / (await runPair(raw, n, 0, false)).seconds);
    const run = await runPair(bus, n, 0, false);
    dropped = Math.max(dropped, run.dropped);
    b.push(n / run.seconds);
    await after();
  }
  return { raw: median(r), bus: median(b), dropped };
}

/** `redis.pubsub.throughput`: producer process → consumer process, decoded and dispatched, ≥ 0.8 of raw. */
export async function redisPubSubThroughput(cfg: BenchConfig): Promise<CaseResult> {
  const n = cfg.quick ? 5_000 : 200_000;
  const t = await withPairs('pubsub', (raw, bus) => throughput(cfg, raw, bus, n, async () => {}));
  const ratio = t.bus / t.raw;
  return {
    name: 'redis.pubsub.throughput', unit: 'events/s', value: t.bus, opsPerSec: t.bus, baseline: t.raw, baselineName: 'ioredis PUBLISH→PSUBSCRIBE',
    ratio, target: '≥ 0.8', pass: ratio >= 0.8, details: { eventsPerRound: n, consumerDrops: t.dropped },
  };
}

/** `redis.pubsub.latency`: p50/p99 publish→handler at 5,000 events/s; p99 ≤ 1.5× raw. */
export async function redisPubSubLatency(cfg: BenchConfig): Promise<CaseResult> {
  const n = Math.round(LATENCY_RATE * (cfg.quick ? 0.4 : 2));
  const result = await withPairs('pubsub', async (raw, bus) => {
    await runPair(raw, LATENCY_RATE / 2, LATENCY_RATE, true);
    await runPair(bus, LATENCY_RATE / 2, LATENCY_RATE, true);
    const r = { p50: [] as number[], p99: [] as number[] };
    const b = { p50: [] as number[], p99: [] as number[] };
    for (let i = 0; i < cfg.rounds; i++) {
      const rr = await runPair(raw, n, LATENCY_RATE, true);
      r.p50.push(rr.p50Us);
      r.p99.push(rr.p99Us);
      const br = await runPair(bus, n, LATENCY_RATE, true);
      b.p50.push(br.p50Us);
      b.p99.push(br.p99Us);
    }
    return { raw: { p50: median(r.p50), p99: median(r.p99) }, bus: { p50: median(b.p50), p99: median(b.p99) } };
  });
  const ratio = result.bus.p99 / result.raw.p99;
  return {
    name: 'redis.pubsub.latency', unit: 'µs p99', value: result.bus.p99, baseline: result.raw.p99, baselineName: 'ioredis, same rate',
    ratio, target: '≤ 1.5', pass: ratio <= 1.5,
    details: { rate: LATENCY_RATE, eventsPerRound: n, p50Us: result.bus.p50, baselineP50Us: result.raw.p50 },
  };
}

/** `redis.streams.throughput`: durable events/s with acks, one consumer group, ≥ 0.7 of raw XADD/XREADGROUP/XACK. */
export async function redisStreamsThroughput(cfg: BenchConfig): Promise<CaseResult> {
  const n = cfg.quick ? 5_000 : 100_000;
  const t = await withPairs('streams', (raw, bus, server) =>
    // Both streams are unbounded during a round (nothing read is ever trimmed away); emptied between rounds.
    throughput(cfg, raw, bus, n, async () => {
      await sendCommands(server.port, [['XTRIM', RAW_STREAM_KEY, 'MAXLEN', '0'], ['XTRIM', `{${BUS_NS}}:events`, 'MAXLEN', '0']]);
    }),
  );
  const ratio = t.bus / t.raw;
  return {
    name: 'redis.streams.throughput', unit: 'events/s', value: t.bus, opsPerSec: t.bus, baseline: t.raw, baselineName: 'ioredis XADD→XREADGROUP/XACK',
    ratio, target: '≥ 0.7', pass: ratio >= 0.7, details: { eventsPerRound: n, consumerDrops: t.dropped },
  };
}
