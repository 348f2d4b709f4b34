/** `memory.bounded`: RSS growth while 1,000,000 events go to a stalled consumer with drop-oldest. */
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import type { BenchConfig, CaseResult } from '../harness.js';

const CAPACITY = 10_000;
const TARGET_MB = 100;

interface ChildResult {
  readonly events: number;
  readonly capacity: number;
  readonly seconds: number;
  readonly peakGrowthMB: number;
  readonly settledGrowthMB: number;
  readonly droppedOldest: number;
  readonly expectedDrops: number;
  readonly inFlight: number;
  readonly queued: number;
  readonly handlerCalls: number;
}

function runChild(events: number): Promise<ChildResult> {
  const file = fileURLToPath(new URL('./bounded-child.ts', import.meta.url));
  return new Promise((resolve, reject) => {
    execFile(
      process.execPath,
      ['--expose-gc', '--import', 'tsx', file],
      { env: { ...process.env, BOUNDED_EVENTS: String(events), BOUNDED_CAPACITY: String(CAPACITY) }, timeout: 120_000 },
      (error, stdout, stderr) => {
        if (error !== null) reject(new Error(`memory.bounded child failed: ${error.message}\n${stderr}`));
        else resolve(JSON.parse(stdout.trim().split('\n').pop()!) as ChildResult);
      },
    );
  });
}

/** Growth must stay under 100 MB, and drops must be exactly events − capacity − in flight. */
export async function memoryBounded(_cfg: BenchConfig): Promise<CaseResult> {
  // Always the full million: it takes well under a second and the drop count is the point.
  const r = await runChild(1_000_000);
  const dropsExact = r.droppedOldest === r.expectedDrops && r.inFlight === 1 && r.queued === CAPACITY;
  return {
    name: 'memory.bounded', unit: 'MB RSS growth', value: r.peakGrowthMB, baseline: null, baselineName: null, ratio: null,
    target: `< ${TARGET_MB} MB, drops = 1e6 − ${CAPACITY} − 1`, pass: r.peakGrowthMB < TARGET_MB && dropsExact,
    details: {
      events: r.events, capacity: r.capacity, droppedOldest: r.droppedOldest, expectedDrops: r.expectedDrops,
      inFlight: r.inFlight, queued: r.queued, settledGrowthMB: Number(r.settledGrowthMB.toFixed(1)), seconds: Number(r.seconds.toFixed(2)),
    },
  };
}
