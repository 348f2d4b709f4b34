import { afterEach, describe, expect, it, vi } from 'vitest';
import { createBus, EventRecorder, PerformanceEvent, type MetricsWindowEvent } from '../../../../src/index.js';
import { WindowAggregator, type WindowAggregatorOptions } from '../../../../src/monitoring/index.js';

/** A round start in event time: windows are aligned on multiples of the slide since the epoch. */
const BASE = Date.UTC(2024, 0, 1);
const usage = { cpuUserMs: 0, cpuSystemMs: 0, rssBytes: 1, heapUsedBytes: 1, heapDeltaBytes: 0 };

/** A `performance.operation.complete` of `operation` taking `durationMs`, at `at` ms after BASE. */
function op(operation: string, durationMs: number, at: number, phase = 'parse') {
  const data = { contextId: 'c', fieldPath: [], operation, durationMs, resourceUsage: usage, phase, status: 'completed' } as const;
  return PerformanceEvent.create('performance.operation.complete', data, { timestamp: new Date(BASE + at) });
}

type Options = Partial<WindowAggregatorOptions<PerformanceEvent>>;

function setup(options: Options = {}) {
  const bus = createBus({ source: '/test' });
  const clock = { now: BASE };
  const aggregator = new WindowAggregator(bus, 'performance.operation.complete', {
    name: 'ops',
    publisher: bus,
    value: 'data.durationMs',
    groupBy: ['data.operation'],
    windowMs: 10_000,
    allowedLatenessMs: 0,
    idleFlushMs: 0,
    now: () => clock.now,
    ...options,
  });
  const windows = new EventRecorder(bus, 'metrics.window.closed');
  /** Publishes the events in order (the wall clock follows their time) and lets every handler run. */
  const send = async (...events: PerformanceEvent[]) => {
    for (const e of events) {
      clock.now = Math.max(clock.now, e.timestamp.getTime());
      await bus.publish(e);
    }
    await settle();
  };
  const settle = async () => {
    await bus.drain();
    await bus.drain(); // window events published by the aggregator's handler
  };
  /** The published windows as `group label @ start..end (s after BASE): count`. */
  const summary = () => windows.events.map((w) => `${Object.values(w.data.group).join(',')} @${(Date.parse(w.data.start) - BASE) / 1000}..${(Date.parse(w.data.end) - BASE) / 1000}: ${w.data.count}`);
  return { bus, clock, aggregator, windows, send, settle, summary };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('WindowAggregator', () => {
  it('tumbling windows per group: count, rate, sum, min, max, mean, quantiles, published as typed events', async () => {
    const { aggregator, windows, send, summary } = setup();
    await send(op('parse', 1, 1_000), op('parse', 3, 2_000), op('load', 10, 3_000), op('parse', 8, 9_999));
    expect(windows.events).toHaveLength(0); // nothing closed yet: the watermark is at 9.999 s
    await send(op('parse', 5, 10_000)); // watermark 10 s: [0, 10) closes
    expect(summary()).toEqual(['parse @0..10: 3', 'load @0..10: 1']);
    const parse: MetricsWindowEvent = windows.events[0]!;
    expect(parse.eventType).toBe('metrics.window.closed');
    expect(parse.source).toBe('/dotbus/aggregation');
    expect(parse.timestamp.getTime()).toBe(BASE + 10_000); // the window's end, in event time
    expect(parse.data).toMatchObject({
      aggregation: 'ops',
      pattern: 'performance.operation.complete',
      field: 'data.durationMs',
      group: { 'data.operation': 'parse' },
      start: '2024-01-01T00:00:00.000Z',
      end: '2024-01-01T00:00:10.000Z',
      windowMs: 10_000,
      slideMs: 10_000,
      count: 3,
      rate: 0.3,
      sum: 12,
      min: 1,
      max: 8,
      mean: 4,
      relativeAccuracy: 0.01,
      lateEvents: 0,
      futureEvents: 0,
      evictedGroups: 0,
    });
    expect(Object.keys(parse.data.quantiles ?? {})).toEqual(['p50', 'p95', 'p99']);
    expect(parse.data.quantiles?.['p50']).toBeCloseTo(3, 1); // rank ⌊0.5·2⌋ = 1 of [1, 3, 8]
    expect(parse.data.quantiles?.['p99']).toBeCloseTo(3, 1); // rank ⌊0.99·2⌋ = 1
    expect(aggregator.stats()).toMatchObject({ events: 5, merged: 5, late: 0, windows: 2, groups: 1 });
    await aggregator.close();
  });

  it('sliding windows: each event counts in windowMs / slideMs windows', async () => {
    const { aggregator, windows, send, settle, summary } = setup({ slideMs: 5_000, groupBy: [] });
    await send(op('a', 1, 1_000), op('b', 7, 7_000), op('c', 12, 12_000));
    await send(op('d', 100, 30_000));
    expect(summary()).toEqual([' @-5..5: 1', ' @0..10: 2', ' @5..15: 2', ' @10..20: 1']);
    expect(windows.events.map((w) => [w.data.min, w.data.max, w.data.sum])).toEqual([[1, 1, 1], [1, 7, 8], [7, 12, 19], [12, 12, 12]]);
    await aggregator.close(); // publishes what is still open
    await settle();
    expect(summary().slice(4)).toEqual([' @25..35: 1', ' @30..40: 1']);
  });

  it('allowed lateness: late-but-allowed events are merged; later ones are counted, never merged', async () => {
    const { aggregator, windows, send } = setup({ allowedLatenessMs: 2_000 });
    await send(op('x', 1, 5_000), op('x', 2, 11_000), op('x', 3, 9_500)); // 9.5 s is 1.5 s behind: allowed
    expect(windows.events).toHaveLength(0);
    await send(op('x', 4, 12_500)); // watermark 10.5 s: [0, 10) closes with the late-but-allowed event
    expect(windows.events[0]!.data).toMatchObject({ count: 2, sum: 4, lateEvents: 0 });
    await send(op('x', 50, 9_999), op('x', 60, 10_400)); // both older than the watermark (10.5 s)
    expect(aggregator.stats()).toMatchObject({ late: 2, merged: 4 });
    await send(op('x', 5, 25_000));
    expect(windows.events[1]!.data).toMatchObject({ count: 2, sum: 6, max: 4, lateEvents: 2 }); // 60 was not merged
  });

  it('groups by several fields, as strings; a missing field is left out of the group', async () => {
    const { aggregator, windows, send, settle } = setup({ groupBy: ['data.operation', 'data.phase', 'data.error'] });
    await send(op('parse', 1, 1_000, 'load'), op('parse', 2, 2_000, 'check'), op('parse', 3, 3_000, 'load'));
    await aggregator.close();
    await settle();
    // no event has data.error: it is absent from every group
    expect(windows.events.map((w) => [w.data.group, w.data.count])).toEqual([
      [{ 'data.operation': 'parse', 'data.phase': 'load' }, 2],
      [{ 'data.operation': 'parse', 'data.phase': 'check' }, 1],
    ]);
  });

  it('caps live groups: the least recently updated is evicted (second chance) and counted', async () => {
    const { aggregator, windows, send, settle } = setup({ maxGroups: 2 });
    await send(op('a', 1, 1_000), op('b', 1, 2_000), op('a', 1, 2_500), op('c', 1, 3_000)); // a was used again: b goes
    expect(aggregator.stats()).toMatchObject({ groups: 2, evictedGroups: 1 });
    await send(op('d', 1, 4_000)); // now a and c are both unused since the sweep: a, the older, goes
    await aggregator.close();
    await settle();
    expect(windows.events.map((w) => [w.data.group['data.operation'], w.data.count, w.data.evictedGroups])).toEqual([
      ['c', 1, 2],
      ['d', 1, 2],
    ]);
  });

  it('idle flush: a quiet stream still closes its windows as the wall clock moves on', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const { aggregator, clock, windows, send, settle } = setup({ idleFlushMs: 1_000, allowedLatenessMs: 500 });
    await send(op('a', 1, 3_000));
    // The first tick sees the event arrive (wall clock 4 s); from then on event time follows the clock.
    for (let s = 0; s < 8; s++) {
      clock.now += 1_000;
      vi.advanceTimersByTime(1_000);
    }
    await settle();
    expect(windows.events).toHaveLength(0); // wall clock at 11 s: the watermark followed it to 3 + 7 − 0.5 = 9.5 s
    clock.now += 1_000;
    vi.advanceTimersByTime(1_000);
    await settle();
    expect(windows.events.map((w) => w.data.count)).toEqual([1]); // 12 s: the watermark passed 10 s
    expect(aggregator.stats()).toMatchObject({ groups: 0, watermark: BASE + 10_500 });
    await send(op('a', 2, 12_000)); // the stream resumes: on time, not late
    expect(aggregator.stats()).toMatchObject({ late: 0, merged: 2 });
    await aggregator.close();
  });

  it('refuses events too far ahead of the clock, so they cannot close everyone else’s windows', async () => {
    const { aggregator, bus, clock, windows, settle } = setup({ maxFutureMs: 60_000 });
    clock.now = BASE + 1_000;
    await bus.publish(op('a', 1, 1_000));
    await bus.publish(op('a', 1, 3_600_000)); // an hour ahead
    await bus.publish(op('a', 2, 2_000));
    await settle();
    expect(aggregator.stats()).toMatchObject({ future: 1, merged: 2, late: 0 });
    expect(windows.events).toHaveLength(0);
    await aggregator.close();
    await settle();
    expect(windows.events[0]!.data).toMatchObject({ count: 2, futureEvents: 1 });
  });

  it('counts only when no value is given; skips events without a finite value', async () => {
    const counted = setup({ value: undefined });
    await counted.send(op('a', 1, 1_000), op('a', 2, 2_000));
    await counted.aggregator.close();
    await counted.settle();
    const data = counted.windows.events[0]!.data;
    expect(data).toMatchObject({ count: 2, rate: 0.2 });
    expect(['sum', 'min', 'max', 'mean', 'quantiles', 'relativeAccuracy', 'field'].filter((k) => k in data)).toEqual([]);

    const computed = setup({ value: (e) => (e.data.operation === 'skip' ? undefined : e.data.durationMs * 1_000) });
    await computed.send(op('a', 1, 1_000), op('skip', 2, 2_000));
    await computed.aggregator.close();
    await computed.settle();
    expect(computed.windows.events[0]!.data).toMatchObject({ count: 1, sum: 1_000 });
    expect(computed.aggregator.stats().skipped).toBe(1);
  });

  it('quantiles of a published window are within the documented relative error', async () => {
    const { aggregator, windows, send, settle } = setup({ quantiles: [0.5, 0.9, 0.95, 0.99, 0.999], relativeAccuracy: 0.02, groupBy: [] });
    const values: number[] = [];
    const events: PerformanceEvent[] = [];
    for (let i = 0; i < 5_000; i++) {
      const v = 0.1 * 1.0009 ** i; // 0.1 ms … 9 ms, shuffled in time within the window
      values.push(v);
      events.push(op('a', v, (i * 7919) % 10_000));
    }
    events.sort((a, b) => a.timestamp.getTime() - b.timestamp.getTime());
    await send(...events);
    await aggregator.close();
    await settle();
    const w = windows.events[0]!.data;
    expect(w.count).toBe(5_000);
    values.sort((a, b) => a - b);
    for (const [key, q] of [['p50', 0.5], ['p90', 0.9], ['p95', 0.95], ['p99', 0.99], ['p99.9', 0.999]] as const) {
      const exact = values[Math.floor(q * (values.length - 1))]!;
      expect(Math.abs(w.quantiles![key]! - exact) / exact).toBeLessThanOrEqual(0.02);
    }
  });

  it('close() stops reading and is idempotent; windows of a disabled publisher are not built', async () => {
    const { aggregator, bus, windows, send, settle } = setup();
    await send(op('a', 1, 1_000));
    await Promise.all([aggregator.close(), aggregator.close()]);
    await bus.publish(op('a', 1, 50_000));
    await settle();
    expect(windows.events).toHaveLength(1);
    expect(aggregator.stats().events).toBe(1);

    const quiet = createBus({ enabled: false });
    const off = new WindowAggregator(quiet, 'performance.*', { name: 'off', publisher: quiet, windowMs: 1_000, idleFlushMs: 0 });
    await off.close();
    expect(off.stats().windows).toBe(0);
  });

  it('a window that makes no valid event (its sum overflowed) is counted and reported, never thrown', async () => {
    const errors: string[] = [];
    const { aggregator, windows, send, settle } = setup({ groupBy: [], onError: (e) => errors.push(e.code) });
    await send(op('a', 1e308, 1_000), op('a', 1e308, 2_000), op('a', 1, 12_000));
    await aggregator.close();
    await settle();
    expect(aggregator.stats()).toMatchObject({ windows: 2, failed: 1 });
    expect(errors).toEqual(['INVALID_EVENT']);
    expect(windows.events.map((w) => w.data.sum)).toEqual([1]);
  });

  it('refuses options it cannot honour, naming them', () => {
    const bus = createBus();
    const make = (o: Options) => () =>
      new WindowAggregator(bus, 'performance.*', { name: 'x', publisher: bus, windowMs: 10_000, idleFlushMs: 0, ...o });
    expect(make({ windowMs: 0 })).toThrow(/`windowMs`/);
    expect(make({ slideMs: 3_000 })).toThrow(/whole multiple of slideMs/);
    expect(make({ slideMs: 1, allowedLatenessMs: 0 })).toThrow(/at most 1000: raise slideMs/);
    expect(make({ quantiles: [1.5] })).toThrow(/`quantiles`/);
    expect(make({ relativeAccuracy: 0 })).toThrow(/`relativeAccuracy`/);
    expect(make({ maxGroups: 0 })).toThrow(/`maxGroups`/);
    expect(make({ idleFlushMs: Infinity })).toThrow(/`idleFlushMs`/);
    const loose = (o: Partial<WindowAggregatorOptions>) => () =>
      new WindowAggregator(bus.transport, 'performance.*', { name: 'x', publisher: bus, windowMs: 10_000, idleFlushMs: 0, ...o });
    expect(loose({ groupBy: ['data..operation'] })).toThrow(/`groupBy`/);
    expect(loose({ value: 'data.__proto__' })).toThrow(/`value`/);
    expect(make({ name: '' })).toThrow(/`name`/);
  });
});
