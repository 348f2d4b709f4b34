import { describe, expect, it } from 'vitest';
import { StepCounts, StepCountTable } from '../../../../src/monitoring/alerts/step-counts.js';

/** Events per step, counted the obvious way. */
function naiveWindow(events: readonly number[], end: number, steps: number): number {
  return events.filter((s) => s >= end - steps && s < end).length;
}

describe('StepCounts', () => {
  it('counts the window before each step end as a plain count does, at epoch-sized steps, across gaps longer than the ring', () => {
    // Steps of epoch milliseconds per second: past the small-integer range.
    const base = Math.floor(Date.UTC(2024, 4, 1) / 1_000);
    let seed = 7;
    const next = (n: number): number => {
      seed = (seed * 1_103_515_245 + 12_345) % 2_147_483_648;
      return seed % n;
    };
    for (const steps of [1, 3, 10]) {
      const counts = new StepCounts(steps);
      const events: number[] = [];
      let step = base;
      for (let round = 0; round < 300; round++) {
        // Mostly the next step or the same one, now and then a gap longer than the window.
        const gap = next(10) === 0 ? steps + 1 + next(5) : next(3);
        step += gap;
        const n = next(4);
        for (let i = 0; i < n; i++) {
          counts.add(step);
          events.push(step);
        }
        const end = step + 1 + next(2);
        expect(counts.windowBefore(end), `steps ${steps}, round ${round}`).toBe(naiveWindow(events, end, steps));
        step = end - 1;
      }
    }
  });

  it('counts an event at exactly the window end outside that window', () => {
    const counts = new StepCounts(2);
    counts.add(1_700_000_000);
    counts.add(1_700_000_002);
    expect(counts.windowBefore(1_700_000_002)).toBe(1);
    expect(counts.windowBefore(1_700_000_003)).toBe(1);
  });

  it('keeps the rings of a table apart, past its first capacity, and hands out a closed ring empty', () => {
    const table = new StepCountTable(3, 2);
    const rings = Array.from({ length: 5 }, () => table.open());
    const events: number[][] = rings.map(() => []);
    for (let step = 10; step < 40; step++) {
      rings.forEach((ring, i) => {
        // Ring i counts i events every (i + 1)-th step.
        if (step % (i + 1) !== 0) return;
        for (let n = 0; n < i; n++) {
          table.add(ring, step);
          events[i]!.push(step);
        }
      });
      rings.forEach((ring, i) => expect(table.windowBefore(ring, step + 1), `ring ${i}, step ${step}`).toBe(naiveWindow(events[i]!, step + 1, 3)));
    }
    table.close(rings[2]!);
    const reused = table.open();
    expect(reused).toBe(rings[2]);
    expect(table.total(reused)).toBe(0);
    table.add(reused, 50);
    expect(table.windowBefore(reused, 51)).toBe(1);
    expect(table.windowBefore(rings[4]!, 40)).toBe(naiveWindow(events[4]!, 40, 3));
  });
});
