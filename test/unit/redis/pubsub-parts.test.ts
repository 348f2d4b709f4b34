/**
 * Unit tests of the Redis building blocks that need no server: backoff, outage buffer, gap
 * tracker, heartbeats, channel names. (They belong in test/unit/redis/ once that folder is ours.)
 */
import { describe, expect, it } from 'vitest';
import {
  ChannelNames,
  GapTracker,
  OutageBuffer,
  decodeHeartbeat,
  encodeHeartbeat,
  fullJitterDelay,
  type OutageDropReason,
} from '../../../src/redis/index.js';

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

describe('heartbeats', () => {
  it('round-trips and rejects hostile ones', () => {
    const hb = decodeHeartbeat(encodeHeartbeat('p-1', new Map([['a.b', 3]])));
    expect(hb).toEqual({ producerId: 'p-1', sequences: new Map([['a.b', 3]]) });
    for (const bad of ['nope', '[]', '{"v":2}', '{"v":1,"producerid":"","seqs":{}}', '{"v":1,"producerid":"p","seqs":{"a b":1}}',
      '{"v":1,"producerid":"p","seqs":{"a":-1}}', '{"v":1,"producerid":"p","seqs":{"__proto__":1}}']) {
      expect(decodeHeartbeat(bad)).toMatchObject({ code: 'DECODE_FAILED' });
    }
  });
});

describe('ChannelNames', () => {
  it('maps patterns to globs and escapes the namespace', () => {
    const n = new ChannelNames('app[1]*');
    expect(n.channelOf('a.b')).toBe('app[1]*:a.b');
    expect(n.globOf('a.*')).toBe('app\\[1\\]\\*:a.*');
    expect(n.globOf('a.+')).toBe(n.globOf('a.*'));
    expect(n.globOf('*.error.*')).toBe('app\\[1\\]\\*:*.error.*');
    expect(n.heartbeat).toBe('app[1]*:__dotbus.heartbeat');
    expect(() => n.globOf('valid*')).toThrow(/partial/);
    expect(() => new ChannelNames('has space')).toThrow(/namespace/);
  });
});

describe('ChannelNames namespaces', () => {
  it('refuses a namespace with `:`, which would overlap another namespace', () => {
    expect(() => new ChannelNames('a:b')).toThrow(/without spaces or `:`/);
    expect(new ChannelNames('iso*[1]?').channelOf('a.b')).toBe('iso*[1]?:a.b');
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
