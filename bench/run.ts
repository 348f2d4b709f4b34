/**
 * `npm run bench`: runs every case, prints a table, writes bench/results.json.
 *
 * Flags: `--quick` (one short round per case: proves the suite works, says nothing about speed),
 * `--only=<prefix>[,<prefix>…]` (cases whose name starts with a prefix), `--out=<file>` (instead of bench/results.json).
 * Run with `node --expose-gc --import tsx bench/run.ts` after `npm run build`: cases import the built
 * package by its own name (`dotbus`, `dotbus/redis`, `dotbus/monitoring`), as users do.
 */
import { writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { aggregateThroughput } from './cases/aggregate.js';
import { alertsThroughput } from './cases/alerts.js';
import { auditIngestPostgres, auditIngestSqlite, auditQueryPattern } from './cases/audit.js';
import { memoryBounded } from './cases/bounded.js';
import { gapTrackerEvict } from './cases/gap-tracker.js';
import { codecDecode, codecEncode, coordinatorNoop, noopPublish } from './cases/core.js';
import { memoryAsyncPeer, memoryExact, memoryFanout, memoryNodeEvents, memoryWildcard } from './cases/memory.js';
import { otelOff, otelOn } from './cases/otel.js';
import { codecSign, codecVerify } from './cases/signing.js';
import { redisPublishDown } from './cases/redis-down.js';
import {
  redisPubSubBatched, redisPubSubHandwritten, redisPubSubLatency, redisPubSubLatencyBatched, redisPubSubThroughput, redisStreamsHandwritten, redisStreamsThroughput,
} from './cases/redis.js';
import { serveFanout } from './cases/serve.js';
import { configFrom, formatTable, machine, type BenchConfig, type CaseResult } from './harness.js';

/** Every case, in report order. */
export const CASES: readonly { readonly name: string; readonly run: (cfg: BenchConfig) => Promise<CaseResult> }[] = [
  { name: 'noop.publish', run: noopPublish },
  { name: 'memory.exact', run: memoryExact },
  { name: 'memory.node-events', run: memoryNodeEvents },
  { name: 'memory.async-peer', run: memoryAsyncPeer },
  { name: 'memory.wildcard-1000', run: memoryWildcard },
  { name: 'memory.fanout-scaling', run: memoryFanout },
  { name: 'codec.encode', run: codecEncode },
  { name: 'codec.decode', run: codecDecode },
  { name: 'codec.sign', run: codecSign },
  { name: 'codec.verify', run: codecVerify },
  { name: 'coordinator.noop', run: coordinatorNoop },
  { name: 'otel.off', run: otelOff },
  { name: 'otel.on', run: otelOn },
  { name: 'aggregate.throughput', run: aggregateThroughput },
  { name: 'alerts.throughput', run: alertsThroughput },
  { name: 'redis.pubsub.throughput', run: redisPubSubThroughput },
  { name: 'redis.pubsub.handwritten', run: redisPubSubHandwritten },
  { name: 'redis.pubsub.batched', run: redisPubSubBatched },
  { name: 'redis.pubsub.latency', run: redisPubSubLatency },
  { name: 'redis.pubsub.latency.batched', run: redisPubSubLatencyBatched },
  { name: 'redis.streams.throughput', run: redisStreamsThroughput },
  { name: 'redis.streams.handwritten', run: redisStreamsHandwritten },
  { name: 'redis.publish.down', run: redisPublishDown },
  { name: 'redis.gap-tracker.evict', run: gapTrackerEvict },
  { name: 'memory.bounded', run: memoryBounded },
  { name: 'audit.ingest.sqlite', run: auditIngestSqlite },
  { name: 'audit.ingest.postgres', run: auditIngestPostgres },
  { name: 'audit.query.pattern', run: auditQueryPattern },
  { name: 'serve.fanout', run: serveFanout },
];

async function main(): Promise<void> {
  const cfg = configFrom(process.argv.slice(2));
  const only = process.argv.find((a) => a.startsWith('--only='))?.slice('--only='.length).split(',');
  const selected = CASES.filter((c) => only === undefined || only.some((p) => c.name.startsWith(p)));
  const results: CaseResult[] = [];
  const failures: string[] = [];
  for (const c of selected) {
    process.stderr.write(`running ${c.name}…\n`);
    try {
      results.push(await c.run(cfg));
    } catch (e) {
      // One broken case must not hide the others; it is reported and fails the run.
      failures.push(`${c.name}: ${e instanceof Error ? (e.stack ?? e.message) : String(e)}`);
    }
  }
  const report = { generatedAt: new Date().toISOString(), quick: cfg.quick, rounds: cfg.rounds, machine: machine(), results };
  const out = process.argv.find((a) => a.startsWith('--out='))?.slice('--out='.length);
  const file = out ?? fileURLToPath(new URL('./results.json', import.meta.url));
  writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
  const m = report.machine;
  process.stdout.write(`\n${formatTable(results)}\n\nmachine: ${m.cpu}, ${m.cores} cores, Node ${m.node}, ${m.platform}; ${cfg.quick ? 'quick (1 short round)' : `median of ${cfg.rounds} rounds`}\n`);
  process.stdout.write(`wrote ${file}\n`);
  if (failures.length > 0) {
    process.stderr.write(`\nfailed cases:\n${failures.join('\n')}\n`);
    process.exitCode = 1;
  }
  // Worker processes and sockets are gone by now; exit even if a library left a timer behind.
  process.exit();
}

void main();
