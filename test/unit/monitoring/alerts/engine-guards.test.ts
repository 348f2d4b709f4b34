import { describe, expect, it } from 'vitest';
import type { DotbusError } from '../../../../src/index.js';
import { AlertEngine, type AlertChange, type AlertSink } from '../../../../src/monitoring/index.js';
import { job, sample, T0, virtualEngine } from './alert-fixture.js';

describe('AlertEngine options', () => {
  it('refuses durations that are not finite numbers of ms ≥ 0, naming the option', () => {
    for (const bad of [-1, Number.NaN, Number.POSITIVE_INFINITY]) {
      expect(() => new AlertEngine({ clock: 'events', allowedLatenessMs: bad })).toThrow(/allowedLatenessMs.*finite number of ms ≥ 0/);
      expect(() => new AlertEngine({ clock: 'events', maxFutureMs: bad })).toThrow(/maxFutureMs.*finite number of ms ≥ 0/);
    }
    expect(() => new AlertEngine({ clock: 'events', allowedLatenessMs: 0, maxFutureMs: 0 })).not.toThrow();
  });

  it('refuses a buffer of less than one event or a fraction, and a tick under 1 ms', () => {
    for (const maxBufferedEvents of [0, 1.5, -3]) {
      expect(() => new AlertEngine({ clock: 'events', maxBufferedEvents })).toThrow(/maxBufferedEvents.*integer ≥ 1/);
    }
    expect(() => new AlertEngine({ clock: 'events', maxBufferedEvents: 1 })).not.toThrow();
    expect(() => new AlertEngine({ clock: () => T0, tickMs: 0.5 })).toThrow(/tickMs.*≥ 1 ms/);
    const engine = new AlertEngine({ clock: () => T0, tickMs: 1 });
    return engine.close();
  });

  it('refuses a rule with a name in use, and any rule once closed', async () => {
    const { engine } = virtualEngine();
    engine.threshold('metric.sample', { name: 'hot', value: 'data.value', aggregate: 'max', window: '1s', above: 1 });
    expect(() => engine.threshold('metric.sample', { name: 'hot', value: 'data.value', aggregate: 'max', window: '1s', above: 2 })).toThrow(/a rule named "hot" exists already/);
    await engine.close();
    expect(() => engine.threshold('metric.sample', { name: 'late', value: 'data.value', aggregate: 'max', window: '1s', above: 2 })).toThrow(/the engine is closed/);
  });
});

describe('AlertEngine event time', () => {
  it('moves event time with events no rule reads, so windows close without a flush', () => {
    const { engine, log, feed } = virtualEngine();
    engine.threshold('metric.sample', { name: 'hot', value: 'data.value', aggregate: 'max', window: '1s', windowType: 'tumbling', above: 10 });
    feed(sample(0, 50));
    expect(log()).toEqual([]);
    feed(job('job.step', 3, 'j'));
    expect(log()).toEqual(['hot firing@1 =50', 'hot resolved@2']);
    expect(engine.stats()).toMatchObject({ changes: 2, events: 1 });
  });

  it('with a wall clock, an event far ahead of it moves nothing, whether a rule reads it or not', async () => {
    const changes: AlertChange[] = [];
    const engine = new AlertEngine({ clock: () => T0, allowedLatenessMs: 0, maxFutureMs: 10_000, onChange: (c) => changes.push(c) });
    engine.threshold('metric.sample', { name: 'hot', value: 'data.value', aggregate: 'max', window: '1s', windowType: 'tumbling', above: 10 });
    engine.push(sample(0, 50));
    engine.push(job('job.step', 60, 'j'));
    engine.push(sample(60, 1));
    expect(changes).toEqual([]);
    expect(engine.stats()).toMatchObject({ future: 1 });
    engine.push(job('job.step', 5, 'j'));
    expect(changes.map((c) => c.state)).toEqual(['firing', 'resolved']);
    await engine.close();
  });
});

describe('AlertEngine failures go to onError, and the rules go on', () => {
  it('a throwing listener, sink, where callback or sink close is reported with what failed', async () => {
    const errors: string[] = [];
    const sent: string[] = [];
    const throwing: AlertSink = {
      send: () => {
        throw new Error('sink down');
      },
      close: () => Promise.reject(new Error('close failed')),
    };
    const recording: AlertSink = { send: (c) => void sent.push(c.state), close: () => Promise.resolve() };
    const { engine, feed } = virtualEngine({
      sinks: [throwing, recording],
      onChange: () => {
        throw new Error('listener down');
      },
      onError: (e: DotbusError) => {
        errors.push(e.message);
        throw new Error('and the hook throws too');
      },
    });
    engine.threshold('metric.sample', {
      name: 'hot',
      value: 'data.value',
      where: (e) => {
        if (e.data.host === 'bad') throw new Error('no value');
        return true;
      },
      aggregate: 'max',
      window: '1s',
      windowType: 'tumbling',
      above: 10,
    });
    feed(sample(0, 50), sample(0.5, 1, 'bad'), sample(3, 1));
    await engine.close();
    expect(sent).toEqual(['firing', 'resolved']);
    expect(errors).toEqual([
      expect.stringMatching(/rule "hot" failed on an event of type metric\.sample: .*no value/),
      expect.stringMatching(/onChange threw: .*listener down/),
      expect.stringMatching(/a sink threw: .*sink down/),
      expect.stringMatching(/onChange threw/),
      expect.stringMatching(/a sink threw/),
      expect.stringMatching(/a sink failed to close: .*close failed/),
    ]);
    expect(engine.stats().changes).toBe(2);
  });
});

describe('threshold alert messages', () => {
  it('say the aggregate, its value rounded to 3 decimals with its unit, and the condition that fired or resolved it', () => {
    const { engine, changes, feed } = virtualEngine();
    engine.threshold('metric.sample', { name: 'hot', value: 'data.value', aggregate: 'max', window: '1s', windowType: 'tumbling', above: 10, resolveBelow: 5 });
    engine.threshold('metric.sample', { name: 'cold', value: 'data.value', aggregate: 'min', window: '1s', windowType: 'tumbling', below: 0 });
    engine.threshold('metric.sample', { name: 'busy', aggregate: 'rate', window: '1s', windowType: 'tumbling', above: 1 });
    feed(sample(0, 12.34567), sample(0.1, -1), sample(0.2, 0), sample(1, 7), sample(2, 4), sample(3, 1));
    engine.flush();
    expect(changes.map((c) => c.message)).toEqual([
      'hot: max of data.value is 12.346 (fires above 10)',
      'cold: min of data.value is -1 (fires below 0)',
      'busy: rate is 3/s (fires above 1)',
      'cold: min of data.value is 7 (resolves at or above 0)',
      'busy: rate is 1/s (resolves at or below 1)',
      'hot: max of data.value is 4 (resolves below 5)',
    ]);
  });
});

describe('absence alert messages and bounds', () => {
  it('say what did not come, after what, within how long, and that it came at last', () => {
    const { engine, changes, feed } = virtualEngine();
    engine.absence('job.started', { name: 'stuck', expect: 'job.finished', correlate: ['data.jobId'], within: '30s' });
    engine.absence('job.step', { name: 'silent', within: '10s' });
    feed(job('job.started', 0, 'j'), job('job.step', 1, 'j'), job('job.step', 20, 'j'), job('job.finished', 40, 'j'));
    expect(changes.map((c) => c.message)).toEqual([
      'silent: no job.step event within 10000 ms',
      'silent: no job.step event within 10000 ms — it came',
      'stuck: no job.finished after job.started within 30000 ms',
      'silent: no job.step event within 10000 ms',
      'stuck: no job.finished after job.started within 30000 ms — it came',
    ]);
  });

  it('keeps at most maxGroups waits, evicting the oldest, and counts events only of its patterns', () => {
    const { engine, log, feed } = virtualEngine();
    engine.absence('job.started', { name: 'stuck', expect: 'job.finished', correlate: ['data.jobId'], within: '30s', maxGroups: 2 });
    feed(job('job.started', 0, 'a'), job('job.started', 1, 'b'), job('job.started', 2, 'c'), job('job.step', 3, 'c'));
    expect(engine.rules()[0]).toMatchObject({ groups: 2, evicted: 1, seen: 3 });
    feed(job('job.step', 40, 'x'));
    expect(log()).toEqual(['stuck firing@31 {"jobId":"b"}', 'stuck firing@32 {"jobId":"c"}']);
  });
});
