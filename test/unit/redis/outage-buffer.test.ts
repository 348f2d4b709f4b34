/** Unit tests of the outage buffer that holds events while Redis is unreachable; no server needed. */
import { describe, expect, it } from 'vitest';
import { OutageBuffer, type OutageDropReason } from '../../../src/redis/outage-buffer.js';

describe('OutageBuffer', () => {
  const make = (options: ConstructorParameters<typeof OutageBuffer<number>>[0], clock = { now: 0 }) => {
    const drops: [OutageDropReason, number][] = [];
    const buffer = new OutageBuffer<number>(options, (r, item) => void drops.push([r, item]), () => clock.now);
    return { buffer, drops, clock };
  };

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
