/** Unit tests of the reconnect backoff (full jitter); no server needed. */
import { describe, expect, it } from 'vitest';
import { fullJitterDelay } from '../../../src/redis/backoff.js';

describe('fullJitterDelay', () => {
  it('stays within [0, min(cap, base·2^(n-1))] and reaches both ends', () => {
    const opts = { baseMs: 100, capMs: 2_000 };
    for (let attempt = 1; attempt <= 40; attempt++) {
      const ceiling = Math.min(2_000, 100 * 2 ** (attempt - 1));
      expect(fullJitterDelay(attempt, opts, () => 0)).toBe(0);
      expect(fullJitterDelay(attempt, opts, () => 0.999999)).toBe(Math.round(0.999999 * ceiling));
      const d = fullJitterDelay(attempt, opts);
      expect(d).toBeGreaterThanOrEqual(0);
      expect(d).toBeLessThanOrEqual(ceiling);
    }
    expect(fullJitterDelay(1_000_000, opts, () => 1)).toBe(2_000); // capped, no overflow
  });

  it('rejects impossible options', () => {
    expect(() => fullJitterDelay(1, { baseMs: 0 })).toThrow(/backoff/);
    expect(() => fullJitterDelay(1, { baseMs: 500, capMs: 100 })).toThrow(/baseMs ≤ capMs/);
  });
});
