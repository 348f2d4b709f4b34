import { describe, expect, it } from 'vitest';
import { createBus, EventRecorder, type AlertEvent } from '../../../../src/index.js';
import { AlertEngine } from '../../../../src/monitoring/index.js';
import { waitUntil } from '../../../helpers/wait.js';
import { at, Job, job, Sample, sample, T0, virtualEngine, type TestEvent } from './alert-fixture.js';

/** A count rule whose alerts show where each event went: 3 events in a 5 s tumbling window. */
function countRule(engine: ReturnType<typeof virtualEngine>['engine']) {
  engine.threshold('metric.sample', { name: 'three', window: '5s', windowType: 'tumbling', groupBy: ['data.host'], above: 2 });
}

describe('event time', () => {
  it('out-of-order events within the lateness give the same alerts as the same events in order', () => {
    const inOrder = virtualEngine({ allowedLatenessMs: 2_000 });
    const shuffled = virtualEngine({ allowedLatenessMs: 2_000 });
    countRule(inOrder.engine);
    countRule(shuffled.engine);
    const events = [sample(1, 0), sample(2, 0), sample(3, 0), sample(4.5, 0, 'b'), sample(6, 0), sample(7, 0, 'b'), sample(8, 0, 'b'), sample(9, 0, 'b'), sample(12, 0)];
    inOrder.feed(...events);
    // Each event at most 2 s behind the newest one so far.
    shuffled.feed(events[1]!, events[2]!, events[0]!, events[4]!, events[3]!, events[5]!, events[7]!, events[6]!, events[8]!);
    inOrder.engine.flush();
    shuffled.engine.flush();
    expect(shuffled.log()).toEqual(inOrder.log());
    expect(inOrder.log()).toEqual(['three firing@5 {"host":"a"} =3', 'three resolved@10 {"host":"a"} =1', 'three firing@10 {"host":"b"} =3']);
    expect(shuffled.engine.stats()).toMatchObject({ late: 0 });
  });

  it('events beyond the lateness are counted as late and not used', () => {
    const { engine, log, feed } = virtualEngine({ allowedLatenessMs: 1_000 });
    countRule(engine);
    feed(sample(1, 0), sample(2, 0), sample(10, 0), sample(3, 0), sample(4, 0)); // 3 and 4 are 7 s behind 10
    engine.flush();
    expect(log()).toEqual([]);
    expect(engine.stats()).toMatchObject({ late: 2, events: 5 });
    expect(engine.rules()[0]!.seen).toBe(3);
  });

  it('a deadline and an event at the same time: the event comes first (inclusive `within`)', () => {
    const { engine, log, feed } = virtualEngine({ allowedLatenessMs: 5_000 });
    engine.absence('job.started', { name: 'stuck', expect: 'job.finished', correlate: ['data.jobId'], within: '10s' });
    feed(job('job.started', 0, 'j'), job('job.started', 1, 'k'), job('job.finished', 10, 'j'), job('job.step', 30, 'x'));
    expect(log()).toEqual(['stuck firing@11 {"jobId":"k"}']);
  });

  it('a full buffer releases its oldest events early, counted', () => {
    const { engine, feed } = virtualEngine({ allowedLatenessMs: 60_000, maxBufferedEvents: 3 });
    countRule(engine);
    for (let i = 0; i < 6; i++) feed(sample(i, 0));
    expect(engine.stats()).toMatchObject({ forced: 3, buffered: 3 });
  });

  it('live: the wall clock moves event time on, so an absence fires with no event to carry it', async () => {
    let now = T0;
    const changes: string[] = [];
    const engine = new AlertEngine<TestEvent>({ clock: () => now, tickMs: 1, allowedLatenessMs: 0, onChange: (c) => changes.push(`${c.state}@${(c.at - T0) / 1000}`) });
    engine.absence('job.finished', { name: 'silent', within: '10s' });
    now = T0 + 10_500;
    await waitUntil(() => changes.length > 0, 10_000, 'the absence to fire');
    expect(changes).toEqual(['firing@10']);
    await engine.close();
  });

  it('live: events further ahead of the clock than maxFutureMs are refused and counted', async () => {
    const engine = new AlertEngine<TestEvent>({ clock: () => T0, maxFutureMs: 1_000 });
    engine.threshold('metric.sample', { name: 'any', window: '1s', above: 0 });
    engine.push(sample(0.5, 0));
    engine.push(sample(5, 0));
    expect(engine.stats()).toMatchObject({ future: 1, events: 2 });
    await engine.close();
  });
});

describe('lifecycle on the bus', () => {
  it('publishes typed alert.pending / alert.firing / alert.resolved events stamped with event time', async () => {
    const bus = createBus({ events: [Sample, Job], source: '/test' });
    const recorder = new EventRecorder<AlertEvent>(bus, 'alert.*');
    const engine = new AlertEngine({ source: bus, publisher: bus, clock: 'events', allowedLatenessMs: 0 });
    engine.threshold('metric.sample', {
      name: 'hot', value: 'data.value', aggregate: 'max', window: '1s', windowType: 'tumbling', groupBy: ['data.host'], above: 80, for: '2s', severity: 'critical',
      annotations: { runbook: 'turn it off and on' },
    });
    for (const [s, v] of [[0.5, 90], [1.5, 95], [2.5, 91], [3.5, 10], [4.5, 10]] as const) await bus.publish(Sample.create({ host: 'h1', value: v }, { timestamp: at(s) }));
    await bus.drain();
    await engine.close();
    await bus.drain();
    const events = recorder.events;
    expect(events.map((e) => `${e.eventType}@${e.timestamp.toISOString()}`)).toEqual([
      'alert.pending@2024-05-01T12:00:01.000Z',
      'alert.firing@2024-05-01T12:00:03.000Z',
      'alert.resolved@2024-05-01T12:00:04.000Z',
    ]);
    expect(events[1]!.data).toMatchObject({
      rule: 'hot', kind: 'threshold', state: 'firing', severity: 'critical', labels: { host: 'h1' }, value: 91, // the value judged last: the window [2 s, 3 s)
      at: '2024-05-01T12:00:03.000Z', activeSince: '2024-05-01T12:00:01.000Z', firedAt: '2024-05-01T12:00:03.000Z', annotations: { runbook: 'turn it off and on' },
    });
    expect(events[2]!.data.fingerprint).toBe(events[0]!.data.fingerprint);
    await bus.close();
  });

  it('a rule never sees alerts of its own name, and sees those of the other rules', async () => {
    // Alerts from another engine (a replica, a replay): one rule named like the reader, one not.
    const bus = createBus({ events: [Sample, Job], source: '/test' });
    const alerts: AlertEvent[] = [];
    bus.subscribe('alert.*', (e) => void alerts.push(e));
    const producer = new AlertEngine({ publisher: bus, clock: 'events', allowedLatenessMs: 0 });
    producer.threshold('job.started', { name: 'jobs', window: '1s', windowType: 'tumbling', above: 0 });
    producer.threshold('job.started', { name: 'alerts', window: '1s', windowType: 'tumbling', above: 0 });
    for (const [seconds, id] of [[0, 'x'], [5, 'y'], [10, 'z']] as const) producer.push(job('job.started', seconds, id));
    producer.flush();
    await bus.drain();
    const fromJobs = alerts.filter((a) => a.data.rule === 'jobs').length;
    expect(fromJobs).toBeGreaterThan(0);
    expect(alerts.filter((a) => a.data.rule === 'alerts')).toHaveLength(fromJobs);

    const reader = new AlertEngine({ clock: 'events', allowedLatenessMs: 0 });
    reader.threshold('alert.*', { name: 'alerts', window: '1s', above: 0 });
    for (const a of alerts) reader.push(a);
    reader.flush();
    expect(reader.stats().late).toBe(0);
    expect(reader.rules()[0]!.seen).toBe(fromJobs);
    await Promise.all([producer.close(), reader.close()]);
    await bus.close();
  });
});

describe('anomaly rules (virtual clock)', () => {
  it('a value far off its group baseline fires at that event; the next normal value resolves; groups are separate', () => {
    const { engine, log, feed } = virtualEngine();
    engine.anomaly('metric.sample', { name: 'odd', value: 'data.value', groupBy: ['data.host'], minSamples: 10, zScore: 4 });
    for (let i = 0; i < 20; i++) feed(sample(i, 100 + (i % 3), 'a'), sample(i, 5000 + (i % 5), 'b'));
    feed(sample(20, 400, 'a'), sample(20, 5003, 'b'), sample(21, 101, 'a'));
    expect(log()).toEqual(['odd firing@20 {"host":"a"} =400', 'odd resolved@21 {"host":"a"} =101']);
  });

  it('a function value; `for` makes it pending first', () => {
    const { engine, log, feed } = virtualEngine();
    engine.anomaly('metric.sample', { name: 'odd', value: (e) => e.data.value * 2, minSamples: 5, for: '1s' });
    for (let i = 0; i < 10; i++) feed(sample(i, 10));
    feed(sample(10, 100), sample(10.5, 100));
    engine.advanceTo(T0 + 11_200);
    expect(log()).toEqual(['odd pending@10 =200', 'odd firing@11 =200']);
  });
});
