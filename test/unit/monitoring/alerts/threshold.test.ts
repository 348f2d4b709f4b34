import { describe, expect, it } from 'vitest';
import { sample, T0, virtualEngine } from './alert-fixture.js';

describe('threshold rules (virtual clock)', () => {
  it('count over a sliding window: pending at the step end the count passes, firing after `for`, resolved when it falls', () => {
    const { engine, log, feed } = virtualEngine();
    engine.threshold('metric.sample', { name: 'busy', window: '10s', every: '5s', above: 3, for: '10s' });
    // 4 events in [0, 5): the window ending at 5 s counts 4 > 3.
    feed(sample(1, 0), sample(2, 0), sample(3, 0), sample(4, 0));
    // Steady 1 event/s keeps ≥ 4 per 10 s until 20 s, then silence.
    for (let s = 5; s < 20; s++) feed(sample(s, 0));
    engine.advanceTo(T0 + 60_000);
    expect(log()).toEqual(['busy pending@5 =4', 'busy firing@15 =10', 'busy resolved@30 =0']);
    expect(engine.rules()[0]).toMatchObject({ name: 'busy', kind: 'threshold', seen: 19, pending: 0, firing: 0, fired: 1, groups: 0 });
  });

  it('a pending alert whose condition clears before `for` resolves without firing', () => {
    const { engine, changes, log, feed } = virtualEngine();
    engine.threshold('metric.sample', { name: 'spike', window: '5s', windowType: 'tumbling', above: 2, for: '30s' });
    feed(sample(1, 0), sample(2, 0), sample(3, 0), sample(7, 0));
    engine.advanceTo(T0 + 40_000);
    expect(log()).toEqual(['spike pending@5 =3', 'spike resolved@10 =1']);
    expect(changes[1]!.firedAt).toBeUndefined();
  });

  it('p95 per group, one alert per group, labels named by the last path segment', () => {
    const { engine, log, feed } = virtualEngine();
    engine.threshold('metric.sample', { name: 'slow', value: 'data.value', aggregate: 'p95', window: '10s', windowType: 'tumbling', groupBy: ['data.host'], above: 100 });
    for (let i = 0; i < 20; i++) feed(sample(i * 0.4, i === 19 ? 900 : 10, 'a'), sample(i * 0.4, 10, 'b'));
    feed(sample(12, 10, 'a'), sample(12, 10, 'b'));
    engine.advanceTo(T0 + 30_000);
    // Host a: 20 values, p95 is the value of rank ⌊0.95·19⌋ = 18, which is 10 (the 900 is rank 19): no alert.
    expect(log()).toEqual([]);
    feed(sample(31, 500, 'a'), sample(32, 500, 'a'), sample(33, 10, 'b'));
    engine.advanceTo(T0 + 60_000);
    expect(log()).toEqual(['slow firing@40 {"host":"a"} =500', 'slow resolved@50 {"host":"a"}']);
  });

  it('hysteresis: a value oscillating around the threshold fires once and resolves once', () => {
    const { engine, log, feed } = virtualEngine();
    engine.threshold('metric.sample', { name: 'hot', value: 'data.value', aggregate: 'max', window: '1s', windowType: 'tumbling', above: 80, resolveBelow: 60 });
    // 79, 81, 79, 81, … then 50: without hysteresis this flaps at every window.
    const values = [79, 81, 79, 81, 75, 82, 70, 81, 65, 50, 81];
    values.forEach((v, i) => feed(sample(i + 0.5, v)));
    engine.advanceTo(T0 + 20_000);
    expect(log()).toEqual(['hot firing@2 =81', 'hot resolved@10 =50', 'hot firing@11 =81', 'hot resolved@12']);
  });

  it('the same rule without resolveBelow flaps with the value (the hysteresis default is the firing threshold)', () => {
    const { engine, log, feed } = virtualEngine();
    engine.threshold('metric.sample', { name: 'hot', value: 'data.value', aggregate: 'max', window: '1s', windowType: 'tumbling', above: 80 });
    [79, 81, 79, 81].forEach((v, i) => feed(sample(i + 0.5, v)));
    engine.advanceTo(T0 + 5_000);
    expect(log()).toEqual(['hot firing@2 =81', 'hot resolved@3 =79', 'hot firing@4 =81', 'hot resolved@5']);
  });

  it('without resolveBelow an alert resolves once its firing condition no longer holds: `above: 0` resolves at 0, and a value equal to the threshold resolves', () => {
    const { engine, log, feed } = virtualEngine();
    engine.threshold('metric.sample', { name: 'any', window: '1s', windowType: 'tumbling', above: 0 });
    engine.threshold('metric.sample', { name: 'edge', value: 'data.value', aggregate: 'max', window: '1s', windowType: 'tumbling', above: 80 });
    feed(sample(0.5, 81), sample(1.5, 80), sample(3.5, 10));
    engine.advanceTo(T0 + 10_000);
    // Counts per 1 s window: 1, 1, 0, 1, 0. Before, `above: 0` never resolved (it waited for a count below 0).
    expect(log()).toEqual(['any firing@1 =1', 'edge firing@1 =81', 'edge resolved@2 =80', 'any resolved@3 =0', 'any firing@4 =1', 'any resolved@5 =0']);
  });

  it('keepFiringFor holds a firing alert through a short dip, without announcing it again', () => {
    const { engine, log, feed } = virtualEngine();
    engine.threshold('metric.sample', { name: 'hot', value: 'data.value', aggregate: 'max', window: '1s', windowType: 'tumbling', above: 80, keepFiringFor: '3s' });
    [90, 50, 90, 50, 50, 50, 50].forEach((v, i) => feed(sample(i + 0.5, v)));
    engine.advanceTo(T0 + 20_000);
    expect(log()).toEqual(['hot firing@1 =90', 'hot resolved@7 =50']);
  });

  it('below with resolveAbove; rate in events per second', () => {
    const { engine, log, feed } = virtualEngine();
    engine.threshold('metric.sample', { name: 'quiet', aggregate: 'rate', window: '2s', windowType: 'tumbling', below: 2, resolveAbove: 3 });
    for (let i = 0; i < 10; i++) feed(sample(i * 0.25, 0)); // 4/s in [0, 2), 1/s in [2, 4)
    feed(sample(4.5, 0), sample(5, 0), sample(5.5, 0)); // 1.5/s: not above resolveAbove, still firing
    for (let i = 0; i < 10; i++) feed(sample(6 + i * 0.2, 0)); // 5/s
    engine.advanceTo(T0 + 8_000);
    expect(log()).toEqual(['quiet firing@4 =1', 'quiet resolved@8 =5']);
  });

  it('session windows: judged when a session ends', () => {
    const { engine, log, feed } = virtualEngine();
    engine.threshold('metric.sample', { name: 'burst', window: '2s', windowType: 'session', groupBy: ['data.host'], above: 3 });
    feed(sample(0, 0), sample(1, 0), sample(2.5, 0), sample(4, 0)); // one session of 4 events, ends at 6 s
    feed(sample(10, 0)); // next session: 1 event, ends at 12 s
    engine.advanceTo(T0 + 20_000);
    expect(log()).toEqual(['burst firing@6 {"host":"a"} =4', 'burst resolved@12 {"host":"a"} =1']);
  });

  it('where filters events; groups beyond maxGroups are evicted and counted', () => {
    const { engine, feed } = virtualEngine();
    engine.threshold('metric.sample', { name: 'big', window: '10s', groupBy: ['data.host'], where: (e) => e.data.value > 5, above: 100, maxGroups: 3 });
    for (let i = 0; i < 10; i++) feed(sample(i * 0.1, 10, `h${i}`), sample(i * 0.1, 1, `h${i}`));
    expect(engine.rules()[0]).toMatchObject({ seen: 10, groups: 3, evicted: 7 });
  });

  it('a count rule at its cap evicts an idle group before one used since the last sweep, for counting and for summing rules alike', () => {
    const { engine, log, feed } = virtualEngine();
    engine.threshold('metric.sample', { name: 'count', window: '2s', every: '1s', groupBy: ['data.host'], above: 0, maxGroups: 2 });
    engine.threshold('metric.sample', { name: 'sum', value: 'data.value', aggregate: 'sum', window: '2s', every: '1s', groupBy: ['data.host'], above: 0, maxGroups: 2 });
    // a and b fill the cap, a is used again, then c comes: b (idle) goes, a gets a second chance.
    feed(sample(0.1, 1, 'a'), sample(0.2, 1, 'b'), sample(0.3, 1, 'a'), sample(0.4, 1, 'c'));
    engine.advanceTo(T0 + 1_000);
    expect(log()).toEqual([
      'count firing@1 {"host":"a"} =2',
      'count firing@1 {"host":"c"} =1',
      'sum firing@1 {"host":"a"} =2',
      'sum firing@1 {"host":"c"} =1',
    ]);
    expect(engine.rules().map((r) => [r.name, r.groups, r.evicted])).toEqual([['count', 2, 1], ['sum', 2, 1]]);
  });

  it('rules with the same groupBy keep their own groups: caps, evictions, windows and alerts of one never touch another', () => {
    const { engine, log, feed } = virtualEngine();
    engine.threshold('metric.sample', { name: 'small', window: '2s', every: '1s', groupBy: ['data.host'], above: 2, maxGroups: 1 });
    engine.threshold('metric.sample', { name: 'wide', window: '4s', every: '1s', groupBy: ['data.host'], above: 2 });
    engine.threshold('metric.sample', { name: 'big', window: '4s', every: '1s', groupBy: ['data.host'], where: (e) => e.data.value > 5, above: 1 });
    engine.threshold('metric.sample', { name: 'max', value: 'data.value', aggregate: 'max', window: '2s', windowType: 'tumbling', groupBy: ['data.host'], above: 50 });
    feed(sample(0.1, 1, 'a'), sample(0.2, 9, 'a'), sample(0.3, 9, 'a'), sample(0.4, 1, 'b'), sample(0.5, 99, 'b'), sample(1.5, 1, 'a'));
    engine.advanceTo(T0 + 3_000);
    // `small` keeps one group: b evicted a, then a (at 1.5 s) evicted b; `wide` holds both; `max` only b's firing alert.
    expect(engine.rules().map((r) => [r.name, r.groups, r.evicted])).toEqual([['small', 1, 2], ['wide', 2, 0], ['big', 2, 0], ['max', 1, 0]]);
    feed(sample(9, 1, 'c'));
    engine.advanceTo(T0 + 20_000);
    expect(log()).toEqual([
      'wide firing@1 {"host":"a"} =3',
      'big firing@1 {"host":"a"} =2',
      'max firing@2 {"host":"b"} =99',
      'max resolved@4 {"host":"b"}',
      'wide resolved@5 {"host":"a"} =1',
      'big resolved@5 {"host":"a"} =0',
    ]);
    // Every window emptied: each rule dropped its groups, whatever the others held.
    expect(engine.rules().map((r) => r.groups)).toEqual([0, 0, 0, 0]);
    // A key every rule had let go of comes back as new groups.
    feed(sample(21, 1, 'a'), sample(21.1, 1, 'a'), sample(21.2, 1, 'a'));
    expect(engine.rules().map((r) => r.groups)).toEqual([1, 1, 0, 1]);
    engine.advanceTo(T0 + 22_000);
    expect(log().slice(6)).toEqual(['small firing@22 {"host":"a"} =3', 'wide firing@22 {"host":"a"} =3']);
  });
});
