/** Unit tests of the gap tracker (lost and duplicate events per producer); no server needed. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { InvalidOptionError } from '../../../src/internal.js';
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
    expect(t.stats()).toEqual({ producers: 1, streams: 2, lost: 2, duplicates: 2, evicted: 0 });
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

describe('GapTracker memory cap (maxTrackedStreams)', () => {
  it('keeps at most maxTrackedStreams (producer, type) pairs, forgets the one seen least recently, and counts it', () => {
    const t = new GapTracker({ maxTrackedStreams: 3 });
    t.observe('p1', 'a', 1);
    t.observe('p2', 'x', 1);
    t.observe('p1', 'b', 1);
    t.observe('p1', 'a', 2); // p1/a is now the most recent; p2/x the least
    t.observe('p3', 'a', 1); // a fourth pair: p2/x goes
    expect(t.stats()).toMatchObject({ producers: 2, streams: 3, evicted: 1 });
    expect(t.observe('p1', 'a', 4)).toEqual({ kind: 'gap', lost: 1 });
    expect(t.observe('p1', 'b', 2)).toEqual({ kind: 'next' });
    expect(t.observe('p2', 'x', 9)).toEqual({ kind: 'baseline' }); // forgotten: a new baseline, not a gap of 7
    // p3/a was now the least recently seen, and p3 had nothing else.
    expect(t.stats()).toMatchObject({ producers: 2, streams: 3, evicted: 2, lost: 1 });
    expect(t.observe('p3', 'a', 5)).toEqual({ kind: 'baseline' });
  });

  it('stays bounded under forged heartbeats listing many types under new producer ids, and keeps the live producer', () => {
    const cap = 1_000;
    const t = new GapTracker({ maxTrackedStreams: cap });
    let seq = 0;
    t.observe('live', 'it.tick', ++seq);
    for (let forged = 0; forged < 200; forged++) {
      for (let k = 0; k < 100; k++) t.heartbeat(`forged-${forged}`, `it.f${k}`, 5);
      // The live producer keeps sending, so it is never the least recently seen.
      expect(t.observe('live', 'it.tick', ++seq)).toEqual({ kind: 'next' });
      expect(t.stats().streams).toBeLessThanOrEqual(cap);
    }
    expect(t.observe('live', 'it.tick', seq + 3)).toEqual({ kind: 'gap', lost: 2 });
    expect(t.stats()).toMatchObject({ streams: cap, evicted: 200 * 100 + 1 - cap });
  });

  it('bounds one producer with more types than the cap too', () => {
    const t = new GapTracker({ maxTrackedStreams: 10 });
    for (let k = 0; k < 10_000; k++) t.heartbeat('one', `t.k${k}`, 1);
    expect(t.stats()).toMatchObject({ producers: 1, streams: 10, evicted: 9_990 });
    expect(t.heartbeat('one', 't.k9999', 3)).toBe(2); // the most recent ones are kept
  });

  it('counts the streams of a producer evicted by maxProducers', () => {
    const t = new GapTracker({ maxProducers: 1 });
    t.observe('p1', 'a', 1);
    t.observe('p1', 'b', 1);
    t.observe('p2', 'a', 1);
    expect(t.stats()).toMatchObject({ producers: 1, streams: 1, evicted: 2 });
  });

  it('forgets without counting evictions, and frees the room', () => {
    const t = new GapTracker({ maxTrackedStreams: 2 });
    t.observe('p1', 'a', 1);
    t.observe('p1', 'b', 1);
    t.forget((type) => type === 'a');
    t.observe('p2', 'c', 1);
    expect(t.stats()).toMatchObject({ producers: 2, streams: 2, evicted: 0 });
    expect(t.observe('p1', 'b', 2)).toEqual({ kind: 'next' });
  });

  it('refuses a cap that is not a positive integer', () => {
    for (const bad of [0, -1, 1.5, Number.NaN]) expect(() => new GapTracker({ maxTrackedStreams: bad })).toThrow(InvalidOptionError);
  });
});

/**
 * A plain model of the tracker: every pair in an array ordered from least to most recently seen,
 * producers likewise. Slow (linear) but obviously right, so the linked lists are held to it.
 */
class ModelTracker {
  pairs: { producer: string; type: string; last: number }[] = [];
  producers: string[] = [];
  lost = 0;
  duplicates = 0;
  evicted = 0;
  constructor(private readonly maxProducers: number, private readonly maxStreams: number) {}

  #touch(producer: string, type: string): { last: number } | undefined {
    const i = this.pairs.findIndex((p) => p.producer === producer && p.type === type);
    if (i < 0) return undefined;
    const [pair] = this.pairs.splice(i, 1);
    this.pairs.push(pair!);
    this.producers.splice(this.producers.indexOf(producer), 1);
    this.producers.push(producer);
    return pair;
  }

  #add(producer: string, type: string, last: number): void {
    if (!this.producers.includes(producer)) {
      if (this.producers.length >= this.maxProducers) {
        const gone = this.producers.shift()!;
        this.evicted += this.pairs.filter((p) => p.producer === gone).length;
        this.pairs = this.pairs.filter((p) => p.producer !== gone);
      }
    } else this.producers.splice(this.producers.indexOf(producer), 1);
    this.producers.push(producer);
    this.pairs.push({ producer, type, last });
    if (this.pairs.length > this.maxStreams) {
      const gone = this.pairs.shift()!;
      this.evicted++;
      if (!this.pairs.some((p) => p.producer === gone.producer)) this.producers.splice(this.producers.indexOf(gone.producer), 1);
    }
  }

  observe(producer: string, type: string, seq: number): string {
    const pair = this.#touch(producer, type);
    if (pair === undefined) return (this.#add(producer, type, seq), 'baseline');
    if (seq <= pair.last) return (this.duplicates++, 'duplicate');
    const lost = seq - pair.last - 1;
    pair.last = seq;
    this.lost += lost;
    return lost === 0 ? 'next' : `gap ${lost}`;
  }

  heartbeat(producer: string, type: string, seq: number): number {
    const pair = this.#touch(producer, type);
    if (pair === undefined) return (this.#add(producer, type, seq), 0);
    if (seq <= pair.last) return 0;
    const lost = seq - pair.last;
    pair.last = seq;
    this.lost += lost;
    return lost;
  }

  forget(type: string): void {
    this.pairs = this.pairs.filter((p) => p.type !== type);
    this.producers = this.producers.filter((id) => this.pairs.some((p) => p.producer === id));
  }
}

describe('GapTracker against a plain model', () => {
  it('agrees on every answer, count and eviction over random traffic', () => {
    const op = fc.record({
      kind: fc.constantFrom('observe', 'observe', 'observe', 'heartbeat', 'forget'),
      producer: fc.constantFrom('p1', 'p2', 'p3', 'p4', 'p5'),
      type: fc.constantFrom('a.a', 'a.b', 'a.c', 'b.a'),
      seq: fc.integer({ min: 1, max: 12 }),
    });
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 4 }), fc.integer({ min: 1, max: 8 }), fc.array(op, { maxLength: 120 }), (maxProducers, maxStreams, ops) => {
        const real = new GapTracker({ maxProducers, maxTrackedStreams: maxStreams });
        const model = new ModelTracker(maxProducers, maxStreams);
        for (const o of ops) {
          if (o.kind === 'forget') {
            real.forget((t) => t === o.type);
            model.forget(o.type);
          } else if (o.kind === 'heartbeat') {
            expect(real.heartbeat(o.producer, o.type, o.seq)).toBe(model.heartbeat(o.producer, o.type, o.seq));
          } else {
            const got = real.observe(o.producer, o.type, o.seq);
            expect(got.kind === 'gap' ? `gap ${got.lost}` : got.kind).toBe(model.observe(o.producer, o.type, o.seq));
          }
          expect(real.stats()).toEqual({ producers: model.producers.length, streams: model.pairs.length, lost: model.lost, duplicates: model.duplicates, evicted: model.evicted });
        }
      }),
      { numRuns: 300 },
    );
  });
});
