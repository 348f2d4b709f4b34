/** Unit tests of the outage buffer that holds events while Redis is unreachable; no server needed. */
import { describe, expect, it } from 'vitest';
import { OutageBuffer, type OutageDropReason } from '../../../src/redis/outage-buffer.js';

/** A buffer on a clock the test moves, recording its drops (or passing them to `hook`). */
const make = (options: ConstructorParameters<typeof OutageBuffer<number>>[0], clock = { now: 0 }, hook?: (r: OutageDropReason, item: number) => void) => {
  const drops: [OutageDropReason, number][] = [];
  const buffer = new OutageBuffer<number>(options, hook ?? ((r, item) => void drops.push([r, item])), () => clock.now);
  return { buffer, drops, clock };
};

describe('OutageBuffer', () => {
  it('keeps order and counts what it hands out', () => {
    const { buffer } = make({ maxEvents: 10 });
    for (let i = 0; i < 5; i++) expect(buffer.push(i)).toBe(true);
    const out: number[] = [];
    for (let x = buffer.take(); x !== undefined; x = buffer.take()) out.push(x);
    expect(out).toEqual([0, 1, 2, 3, 4]);
    expect(buffer.stats()).toEqual({ size: 0, buffered: 5, flushed: 5, dropped: { 'drop-oldest': 0, 'drop-newest': 0, expired: 0 } });
  });

  it('drop-oldest evicts the head, drop-newest refuses the newcomer; both are counted', () => {
    const oldest = make({ maxEvents: 3, policy: 'drop-oldest' });
    for (let i = 0; i < 5; i++) oldest.buffer.push(i);
    expect(oldest.buffer.clear()).toEqual([2, 3, 4]);
    expect(oldest.drops).toEqual([['drop-oldest', 0], ['drop-oldest', 1]]);
    const newest = make({ maxEvents: 3, policy: 'drop-newest' });
    const accepted = [0, 1, 2, 3, 4].map((i) => newest.buffer.push(i));
    expect(accepted).toEqual([true, true, true, false, false]);
    expect(newest.buffer.stats().dropped['drop-newest']).toBe(2);
    expect(newest.drops.map(([, i]) => i)).toEqual([3, 4]);
  });

  it('expires items older than maxAgeMs and counts them', () => {
    const { buffer, drops, clock } = make({ maxAgeMs: 1_000 });
    buffer.push(1);
    clock.now = 600;
    buffer.push(2);
    clock.now = 1_200;
    expect(buffer.take()).toBe(2);
    expect(drops).toEqual([['expired', 1]]);
    clock.now = 5_000;
    buffer.push(3);
    clock.now = 7_000;
    expect(buffer.expire()).toBe(1);
    expect(buffer.stats()).toMatchObject({ size: 0, buffered: 3, flushed: 1, dropped: { expired: 2 } });
  });

  it('holds at most maxEvents through a long outage (accounting: buffered = flushed + dropped + size)', () => {
    const { buffer } = make({ maxEvents: 1_000 });
    for (let i = 0; i < 50_000; i++) buffer.push(i);
    for (let i = 0; i < 10; i++) buffer.take();
    const s = buffer.stats();
    expect(s.size).toBe(990);
    expect(s.buffered).toBe(s.flushed + s.dropped['drop-oldest'] + s.size);
  });

  it('validates its options', () => {
    expect(() => new OutageBuffer({ maxEvents: -1 })).toThrow(/maxEvents/);
    expect(() => new OutageBuffer({ maxAgeMs: 0 })).toThrow(/maxAgeMs/);
    const zero = make({ maxEvents: 0 });
    expect(zero.buffer.push(1)).toBe(false);
    expect(zero.drops).toEqual([['drop-newest', 1]]);
  });
});

describe('OutageBuffer edges', () => {
  it('keeps an item exactly maxAgeMs old and expires it one ms later', () => {
    const { buffer, drops, clock } = make({ maxAgeMs: 1_000 });
    buffer.push(1);
    clock.now = 1_000;
    expect(buffer.expire()).toBe(0);
    expect(buffer.size).toBe(1);
    clock.now = 1_001;
    expect(buffer.take()).toBeUndefined();
    expect(drops).toEqual([['expired', 1]]);
    expect(buffer.stats()).toMatchObject({ flushed: 0, dropped: { expired: 1 } });
  });

  it('keeps order across its compaction, with takes and pushes interleaved', () => {
    const { buffer } = make({ maxEvents: 10_000 });
    const out: number[] = [];
    let next = 0;
    for (let round = 0; round < 6; round++) {
      for (let i = 0; i < 1_500; i++) buffer.push(next++);
      for (let i = 0; i < 1_200; i++) out.push(buffer.take()!);
    }
    for (let x = buffer.take(); x !== undefined; x = buffer.take()) out.push(x);
    expect(out).toEqual(Array.from({ length: next }, (_, i) => i));
    expect(buffer.stats()).toMatchObject({ size: 0, buffered: next, flushed: next });
  });

  it('drops the oldest across a compaction too, and clear() hands back the rest uncounted', () => {
    const { buffer, drops } = make({ maxEvents: 2_000 });
    for (let i = 0; i < 5_000; i++) buffer.push(i);
    expect(drops).toHaveLength(3_000);
    expect(drops.at(-1)).toEqual(['drop-oldest', 2_999]);
    const rest = buffer.clear();
    expect(rest).toEqual(Array.from({ length: 2_000 }, (_, i) => 3_000 + i));
    expect(buffer.size).toBe(0);
    expect(buffer.stats()).toMatchObject({ size: 0, buffered: 5_000, flushed: 0, dropped: { 'drop-oldest': 3_000 } });
    expect(buffer.push(7)).toBe(true);
    expect(buffer.take()).toBe(7);
  });

  it('survives a drop hook that throws: the drop is still counted and the buffer intact', () => {
    const { buffer } = make({ maxEvents: 1 }, { now: 0 }, () => {
      throw new Error('hook');
    });
    buffer.push(1);
    expect(buffer.push(2)).toBe(true);
    expect(buffer.stats()).toMatchObject({ size: 1, dropped: { 'drop-oldest': 1 } });
    expect(buffer.take()).toBe(2);
  });

  it('hands out a snapshot of its counters, not the live ones', () => {
    const { buffer } = make({ maxEvents: 1, policy: 'drop-newest' });
    buffer.push(1);
    const before = buffer.stats();
    buffer.push(2);
    expect(before.dropped['drop-newest']).toBe(0);
    expect(buffer.stats().dropped['drop-newest']).toBe(1);
    expect(Object.isFrozen(before.dropped)).toBe(true);
  });

  it.each([
    [{ maxEvents: 1.5 }, "option `buffer.maxEvents`: must be an integer ≥ 0 (0 drops everything while disconnected)"],
    [{ maxEvents: -1 }, "option `buffer.maxEvents`: must be an integer ≥ 0 (0 drops everything while disconnected)"],
    [{ maxAgeMs: -5 }, 'option `buffer.maxAgeMs`: must be a positive number of ms'],
    [{ maxAgeMs: Number.NaN }, 'option `buffer.maxAgeMs`: must be a positive number of ms'],
    [{ policy: 'drop-random' as never }, "option `buffer.policy`: must be 'drop-oldest' or 'drop-newest'"],
  ])('refuses %o and says why', (options, message) => {
    expect(() => new OutageBuffer(options)).toThrow(expect.objectContaining({ code: 'INVALID_OPTION', message }));
  });

  it('defaults to 10,000 events, 60 s and drop-oldest', () => {
    const { buffer, drops, clock } = make({});
    for (let i = 0; i < 10_001; i++) buffer.push(i);
    expect(drops).toEqual([['drop-oldest', 0]]);
    clock.now = 60_001;
    expect(buffer.expire()).toBe(10_000);
  });
});
