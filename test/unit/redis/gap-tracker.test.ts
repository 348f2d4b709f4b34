/** Unit tests of the gap tracker (lost and duplicate events per producer); no server needed. */
import { describe, expect, it } from 'vitest';
import { GapTracker } from '../../../src/redis/pubsub/gap-tracker.js';

describe('GapTracker', () => {
  it('sets a baseline, then counts gaps and duplicates per producer and type', () => {
    const t = new GapTracker();
    expect(t.observe('p', 'a.b', 5)).toEqual({ kind: 'baseline' });
    expect(t.observe('p', 'a.b', 6)).toEqual({ kind: 'next' });
    expect(t.observe('p', 'a.b', 9)).toEqual({ kind: 'gap', lost: 2 });
    expect(t.observe('p', 'a.b', 9)).toEqual({ kind: 'duplicate' });
    expect(t.observe('p', 'a.b', 7)).toEqual({ kind: 'duplicate' });
    // Another type of the same producer has its own sequence.
    expect(t.observe('p', 'a.c', 1)).toEqual({ kind: 'baseline' });
    expect(t.observe('p', 'a.c', 2)).toEqual({ kind: 'next' });
    expect(t.stats()).toEqual({ producers: 1, lost: 2, duplicates: 2 });
  });

  it('treats a new producer id (a restart) as a new baseline', () => {
    const t = new GapTracker();
    t.observe('p1', 'a.b', 100);
    expect(t.observe('p2', 'a.b', 1)).toEqual({ kind: 'baseline' });
    expect(t.stats().lost).toBe(0);
  });

  it('counts a gap at the tail from heartbeats, once', () => {
    const t = new GapTracker();
    expect(t.heartbeat('p', 'a.b', 10)).toBe(0); // first contact: baseline
    expect(t.observe('p', 'a.b', 11)).toEqual({ kind: 'next' });
    expect(t.heartbeat('p', 'a.b', 15)).toBe(4);
    expect(t.heartbeat('p', 'a.b', 15)).toBe(0);
    expect(t.heartbeat('p', 'a.b', 12)).toBe(0);
    expect(t.observe('p', 'a.b', 14)).toEqual({ kind: 'duplicate' });
    expect(t.observe('p', 'a.b', 16)).toEqual({ kind: 'next' });
    expect(t.stats().lost).toBe(4);
  });

  it('forgets baselines on request and stays bounded', () => {
    const t = new GapTracker({ maxProducers: 2 });
    t.observe('p1', 'a.b', 1);
    t.observe('p1', 'x.y', 1);
    t.forget((type) => type === 'a.b');
    expect(t.observe('p1', 'a.b', 50)).toEqual({ kind: 'baseline' });
    expect(t.observe('p1', 'x.y', 2)).toEqual({ kind: 'next' });
    t.observe('p2', 'a.b', 1);
    t.observe('p3', 'a.b', 1);
    expect(t.stats().producers).toBe(2);
  });
});

describe('GapTracker eviction', () => {
  it('evicts the producer seen least recently, not the first one seen', () => {
    const t = new GapTracker({ maxProducers: 2 });
    t.observe('long-lived', 'a', 1);
    t.observe('cli-1', 'a', 1);
    t.observe('long-lived', 'a', 2);
    t.observe('cli-2', 'a', 1); // evicts cli-1, not long-lived
    expect(t.observe('long-lived', 'a', 4)).toEqual({ kind: 'gap', lost: 1 });
  });
});
