/**
 * The benchmark suite still works: `bench/run.ts --quick` runs every case and each produces a
 * finite figure. Nothing about speed is asserted here.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

const root = fileURLToPath(new URL('../../', import.meta.url));

interface Results {
  readonly quick: boolean;
  readonly machine: { readonly cpu: string; readonly cores: number; readonly node: string };
  readonly results: readonly { readonly name: string; readonly value: number; readonly target: string; readonly baseline: number | null }[];
}

const EXPECTED_CASES = [
  'noop.publish', 'memory.exact', 'memory.node-events', 'memory.async-peer', 'memory.wildcard-1000',
  'memory.fanout-scaling', 'codec.encode', 'codec.decode', 'codec.sign', 'codec.verify', 'coordinator.noop', 'otel.off', 'otel.on', 'aggregate.throughput', 'alerts.throughput', 'redis.pubsub.throughput',
  'redis.pubsub.handwritten', 'redis.pubsub.batched', 'redis.pubsub.latency', 'redis.pubsub.latency.batched', 'redis.streams.throughput', 'redis.streams.handwritten', 'redis.publish.down', 'redis.gap-tracker.evict', 'memory.bounded',
  'audit.ingest.sqlite', 'audit.ingest.postgres', 'audit.query.pattern', 'serve.fanout',
];

describe('bench --quick', () => {
  it('runs every case and writes a finite figure for each', async () => {
    // Its own output file: a quick run must not overwrite the figures of the last real run.
    const out = join(tmpdir(), `dotbus-bench-quick-${process.pid}.json`);
    const { code, stderr } = await new Promise<{ code: number | null; stderr: string }>((resolve) => {
      const child = execFile(
        process.execPath,
        ['--expose-gc', '--import', 'tsx', 'bench/run.ts', '--quick', `--out=${out}`],
        // Generous: a quick run takes about a minute, but CI machines are busy and this asserts no speed.
        { cwd: root, timeout: 600_000, maxBuffer: 16 * 2 ** 20 },
        (error, _stdout, err) => resolve({ code: error === null ? 0 : (child.exitCode ?? 1), stderr: err }),
      );
    });
    expect(code, stderr).toBe(0);
    const report = JSON.parse(readFileSync(out, 'utf8')) as Results;
    expect(report.quick).toBe(true);
    expect(report.machine.cores).toBeGreaterThan(0);
    expect(report.results.map((r) => r.name)).toEqual(EXPECTED_CASES);
    for (const r of report.results) {
      expect(Number.isFinite(r.value), r.name).toBe(true);
      expect(r.target, r.name).not.toBe('');
      if (r.baseline !== null) expect(Number.isFinite(r.baseline), r.name).toBe(true);
    }
  }, 610_000);
});
