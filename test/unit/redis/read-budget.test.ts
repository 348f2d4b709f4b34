import { describe, expect, it } from 'vitest';
import type { RawEntry } from '../../../src/redis/streams/entries.js';
import { ReadBudget } from '../../../src/redis/streams/read-budget.js';

/** `count` entries of `size` bytes each, as one read returns them. */
const read = (count: number, size: number): RawEntry[] => Array.from({ length: count }, (_, i) => ({ id: `1-${i}`, fields: [], size }));

describe('ReadBudget', () => {
  it('starts slow: one entry, then twice what the previous read returned, up to readCount and the free slots', () => {
    const budget = new ReadBudget(1_000_000, 16);
    const asked: number[] = [];
    for (let i = 0; i < 6; i++) {
      const n = budget.count(1_000);
      asked.push(n);
      budget.observe(read(n, 10));
    }
    expect(asked).toEqual([1, 2, 4, 8, 16, 16]);
    expect(budget.count(3)).toBe(3);
    expect(budget.count(0)).toBe(0);
    expect(budget.count(-1)).toBe(0);
  });

  it('divides the budget left by the largest entry of recent reads', () => {
    const budget = new ReadBudget(10_000, 100);
    for (const n of [1, 2, 4, 8]) budget.observe(read(n, 1_000));
    expect(budget.count(1_000)).toBe(10);
    budget.hold(5_000);
    expect(budget.count(1_000)).toBe(5);
    budget.hold(1);
    expect(budget.count(1_000)).toBe(4);
  });

  it('starts its estimate at the budget over readCount, rounded down', () => {
    const budget = new ReadBudget(1_000, 3);
    for (const n of [1, 2, 4]) budget.observe(read(n, 1));
    budget.hold(2);
    // (1000 - 2) / 333 = 2.99…: two entries fit, not three.
    expect(budget.count(1_000)).toBe(2);
  });

  it('halves the estimate with every read of smaller entries, down to the budget over readCount', () => {
    const budget = new ReadBudget(16_000, 16);
    budget.observe(read(8, 8_000));
    const counts: number[] = [];
    for (let i = 0; i < 5; i++) {
      counts.push(budget.count(1_000));
      budget.observe(read(8, 10));
    }
    // Estimates 8000, then 4000, 2000, 1000 (= 16000 / 16, the floor), 1000.
    expect(counts).toEqual([2, 4, 8, 16, 16]);
  });

  it('learns nothing from an empty read', () => {
    const budget = new ReadBudget(10_000, 100);
    budget.observe(read(4, 1_000));
    budget.observe([]);
    expect(budget.count(1_000)).toBe(8);
  });

  it('still reads one entry bigger than the whole budget while nothing is held', () => {
    const budget = new ReadBudget(10_000, 100);
    budget.observe(read(1, 50_000));
    expect(budget.count(1_000)).toBe(1);
  });

  it('is full when the held bytes reach the budget, reads nothing then, and never holds less than nothing', () => {
    const budget = new ReadBudget(10_000, 100);
    budget.hold(9_999);
    expect(budget.full).toBe(false);
    expect(budget.count(10)).toBe(1);
    budget.hold(1);
    expect(budget.held).toBe(10_000);
    expect(budget.full).toBe(true);
    expect(budget.count(10)).toBe(0);
    budget.release(1);
    expect(budget.full).toBe(false);
    budget.release(1_000_000);
    expect(budget.held).toBe(0);
    budget.hold(10_000);
    expect(budget.full).toBe(true);
  });

  it('is never full while it holds nothing, whatever the budget', () => {
    const budget = new ReadBudget(0, 1);
    expect(budget.full).toBe(false);
    expect(budget.count(5)).toBe(1);
  });
});
