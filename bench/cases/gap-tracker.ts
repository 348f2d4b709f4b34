/**
 * `redis.gap-tracker.evict`: adding producers to a full GapTracker (every add evicts the least
 * recently seen one) against adding them to one with room for all (none evicts). Deleting the first
 * entry of a Map leaves a hole that the next `keys().next()` walks over, so a naive LRU costs
 * O(cap) per eviction and a flood of forged producer ids would burn CPU; the target says eviction
 * costs about what growth costs. The tracker is internal, so this case loads it from the build.
 */
import { GapTracker } from '../../dist/redis/pubsub/gap-tracker.js';
import { compareThroughput, minRatio, type BenchConfig, type CaseResult } from '../harness.js';

const SIZE = 100_000;

export async function gapTrackerEvict(cfg: BenchConfig): Promise<CaseResult> {
  /** Seconds to add `n` new producers to a tracker already holding SIZE of them, capped at `cap(n)`. */
  const adding = (cap: (n: number) => number) => async (n: number): Promise<number> => {
    const t = new GapTracker({ maxProducers: cap(n), maxTrackedStreams: 10_000_000 });
    for (let i = 0; i < SIZE; i++) t.observe(`forged-${i}`, 'it.tick', 1);
    const start = performance.now();
    for (let i = SIZE; i < SIZE + n; i++) t.observe(`forged-${i}`, 'it.tick', 1);
    return (performance.now() - start) / 1000;
  };
  const c = await compareThroughput(cfg, adding((n) => SIZE + n), adding(() => SIZE), 10_000);
  return minRatio('redis.gap-tracker.evict', 'adds/s', c, 'adds without eviction', 0.3);
}
