import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { QuantileSketch } from '../../../../src/monitoring/aggregation/quantile-sketch.js';

/** The documented rank: the `q`-quantile of n sorted values is the one at ⌊q·(n−1)⌋. */
function exact(sorted: readonly number[], q: number): number {
  return sorted[Math.floor(q * (sorted.length - 1))]!;
}

/** Within the documented bound, allowing for floating-point rounding at bucket edges. */
function withinBound(estimate: number, truth: number, alpha: number): boolean {
  return Math.abs(estimate - truth) <= alpha * Math.abs(truth) * (1 + 1e-9);
}

/**
 * Decades the default 2,048 buckets cover at accuracy `a` (γ^2047): the documented range of the
 * guarantee, e.g. 17 at 1 %, 1 at 0.1 %. Capped at 16, the span drawn below.
 */
function decades(a: number): number {
  return Math.min(16, Math.floor((2047 * Math.log((1 + a) / (1 - a))) / Math.LN10));
}

/** Lists of values of either sign (and zeros), all within `span` decades starting anywhere from 1e-7. */
function valueLists(span: number, lists: number, maxLength: number): fc.Arbitrary<number[][]> {
  return fc.integer({ min: -7, max: 9 - span }).chain((low) => {
    const magnitude = fc.tuple(fc.integer({ min: low, max: low + span - 1 }), fc.double({ min: 1, max: 10, noNaN: true, maxExcluded: true }), fc.boolean());
    const value = fc.oneof(
      { weight: 9, arbitrary: magnitude.map(([e, m, neg]) => (neg ? -1 : 1) * m * 10 ** e) },
      { weight: 1, arbitrary: fc.constant(0) },
    );
    return fc.array(fc.array(value, { maxLength }), { minLength: 1, maxLength: lists });
  });
}

const alpha = fc.constantFrom(0.001, 0.005, 0.01, 0.02, 0.05, 0.1);
const quantiles = fc.array(fc.double({ min: 0, max: 1, noNaN: true }), { minLength: 1, maxLength: 5 }).map((qs) => [0, 0.5, 0.95, 0.99, 1, ...qs]);

describe('QuantileSketch', () => {
  it('every quantile is within the relative accuracy of the exact value (property)', () => {
    fc.assert(
      fc.property(alpha.chain((a) => fc.tuple(fc.constant(a), valueLists(decades(a), 1, 2_000))), quantiles, ([a, [added]], qs) => {
        fc.pre(added !== undefined && added.length > 0);
        const sketch = new QuantileSketch(a);
        for (const v of added) sketch.add(v);
        const sorted = [...added].sort((x, y) => x - y);
        for (const q of qs) {
          const estimate = sketch.quantile(q);
          if (!withinBound(estimate, exact(sorted, q), a)) return false;
        }
        return sketch.count === added.length && sketch.min === sorted[0] && sketch.max === sorted[sorted.length - 1];
      }),
      { numRuns: 300 },
    );
  });

  it('merging sketches is the same as adding every value to one (property)', () => {
    fc.assert(
      fc.property(alpha.chain((a) => fc.tuple(fc.constant(a), valueLists(decades(a), 6, 300))), quantiles, ([a, parts], qs) => {
        const merged = new QuantileSketch(a);
        const single = new QuantileSketch(a);
        for (const part of parts) {
          const s = new QuantileSketch(a);
          for (const v of part) {
            s.add(v);
            single.add(v);
          }
          merged.merge(s);
        }
        const all = parts.flat().sort((x, y) => x - y);
        if (merged.count !== all.length) return false;
        if (all.length === 0) return Number.isNaN(merged.quantile(0.5));
        return qs.every((q) => merged.quantile(q) === single.quantile(q) && withinBound(merged.quantile(q), exact(all, q), a));
      }),
      { numRuns: 200 },
    );
  });

  it('a long-tailed latency distribution: p50, p95, p99 within 1 %', () => {
    const sketch = new QuantileSketch(0.01);
    const values: number[] = [];
    let seed = 7;
    for (let i = 0; i < 100_000; i++) {
      seed = (seed * 48271) % 2147483647;
      const u = seed / 2147483647;
      const v = 0.05 * Math.exp(6 * u ** 3); // 0.05 ms … 20 ms, most of them small
      values.push(v);
      sketch.add(v);
    }
    values.sort((x, y) => x - y);
    for (const q of [0.5, 0.95, 0.99]) expect(Math.abs(sketch.quantile(q) - exact(values, q)) / exact(values, q)).toBeLessThanOrEqual(0.01);
  });

  it('memory stays bounded past the cap; only the smallest values lose accuracy', () => {
    const sketch = new QuantileSketch(0.01, 64); // 64 buckets cover a factor of about 3.5
    const values: number[] = [];
    for (let e = -300; e <= 300; e++) values.push(10 ** (e / 10));
    for (const v of values) sketch.add(v);
    expect(sketch.allocatedBuckets).toBeLessThanOrEqual(64 + 64);
    values.sort((x, y) => x - y);
    expect(withinBound(sketch.quantile(1), exact(values, 1), 0.01)).toBe(true);
    expect(withinBound(sketch.quantile(0.999), exact(values, 0.999), 0.01)).toBe(true);
    expect(sketch.quantile(0)).toBeGreaterThanOrEqual(values[0]!); // folded, but never outside [min, max]
  });

  it('is empty-safe and reusable after clear()', () => {
    const sketch = new QuantileSketch();
    expect(sketch.quantile(0.5)).toBeNaN();
    sketch.add(3);
    expect(sketch.quantile(2)).toBeNaN();
    sketch.clear();
    expect([sketch.count, sketch.sum, sketch.min, sketch.max]).toEqual([0, 0, Infinity, -Infinity]);
    sketch.add(-5);
    expect(sketch.quantile(0.5)).toBe(-5);
  });
});
