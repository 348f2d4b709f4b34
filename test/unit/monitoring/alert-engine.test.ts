import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBus, EventRecorder, type AlertEvent, type BuiltInEvent } from '../../../src/index.js';
import { AlertEngine } from '../../../src/monitoring/index.js';
import { SlidingWindow } from '../../../src/monitoring/alerts/sliding-window.js';

function setup() {
  let now = 1_000_000;
  const bus = createBus({ source: '/test' });
  const alerts = new AlertEngine<BuiltInEvent>({ source: bus, publisher: bus, now: () => now });
  const rec = new EventRecorder<AlertEvent>(bus, 'alert.*');
  return { bus, alerts, rec, tick: (ms: number) => (now += ms) };
}

const failed = (contextId: string) =>
  ({ contextId, subject: 'order', status: 'failed', errors: [] }) as const;
const usage = { cpuUserMs: 0, cpuSystemMs: 0, rssBytes: 1, heapUsedBytes: 1, heapDeltaBytes: 0 };
const op = (durationMs: number) =>
  ({ contextId: 'c', fieldPath: [], operation: 'op', durationMs, resourceUsage: usage, phase: 'p', status: 'completed' }) as const;

describe('AlertEngine', () => {
  it('threshold: fires once when count events land in the window, resolves when they thin out', async () => {
    const { bus, alerts, rec, tick } = setup();
    alerts.threshold('validation.failed', { name: 'failures', count: 3, windowMs: 1_000, severity: 'critical', cooldownMs: 0 });
    for (let i = 0; i < 5; i++) {
      await bus.emit('validation.failed', failed(`c${i}`));
      tick(100);
    }
    await bus.drain();
    expect(rec.events.map((e) => e.eventType)).toEqual(['alert.triggered']);
    expect(rec.events[0]!.data).toMatchObject({ rule: 'failures', severity: 'critical', kind: 'threshold', count: 3, windowMs: 1_000 });
    tick(5_000);
    await bus.emit('validation.failed', failed('late'));
    await bus.drain();
    expect(rec.events.map((e) => e.eventType)).toEqual(['alert.triggered', 'alert.resolved']);
    expect(alerts.rules()[0]).toMatchObject({ active: false, triggered: 1, seen: 6 });
  });

  it('anomaly: a value far off a steady baseline fires; the next normal one resolves', async () => {
    const { bus, alerts, rec } = setup();
    alerts.anomaly('performance.operation.complete', { name: 'slow', value: (e) => e.data.durationMs, minSamples: 20 });
    for (let i = 0; i < 40; i++) await bus.emit('performance.operation.complete', op(10 + (i % 5) * 0.1));
    await bus.drain();
    expect(rec.events).toHaveLength(0);
    await bus.emit('performance.operation.complete', op(500));
    await bus.emit('performance.operation.complete', op(10.2));
    await bus.drain();
    expect(rec.events.map((e) => e.eventType)).toEqual(['alert.triggered', 'alert.resolved']);
    expect(rec.events[0]!.data).toMatchObject({ kind: 'anomaly', value: 500 });
    expect(rec.events[0]!.data.mean).toBeCloseTo(10.2, 0);
  });

  it('match: fires on a matching event that passes `when`, at most once per cooldown', async () => {
    const { bus, alerts, rec, tick } = setup();
    alerts.match('system.error.*', { name: 'errors', when: (e) => e.data.code !== 'IGNORED', cooldownMs: 1_000 });
    const err = (code: string) => ({ component: 'x', code, message: 'm' });
    await bus.emit('system.error.handler', err('IGNORED'));
    await bus.emit('system.error.handler', err('BOOM'));
    await bus.emit('system.error.handler', err('BOOM'));
    tick(2_000);
    await bus.emit('system.error.decode', err('BOOM'));
    await bus.drain();
    expect(rec.events.map((e) => e.data.eventType)).toEqual(['system.error.handler', 'system.error.decode']);
  });

  it('never reacts to its own alerts unless a pattern asks for alert.* explicitly', async () => {
    const { bus, alerts, rec } = setup();
    alerts.match('validation.failed', { name: 'failure', cooldownMs: 0 });
    // `*.triggered` matches `alert.triggered`: without the guard this rule would alert on the
    // first alert, and on its own alerts after that.
    alerts.match('*.triggered', { name: 'anything-triggered', cooldownMs: 0 });
    await bus.emit('validation.failed', failed('c1'));
    await bus.drain();
    await bus.drain();
    expect(rec.events.map((e) => e.data.rule)).toEqual(['failure']);
    // A rule that names alert.* sees alerts (an escalation rule), and still not its own.
    alerts.match('alert.triggered', { name: 'escalate', cooldownMs: 0 });
    await bus.emit('validation.failed', failed('c2'));
    await bus.drain();
    await bus.drain();
    expect(rec.events.map((e) => e.data.rule)).toEqual(['failure', 'failure', 'escalate']);
    alerts[Symbol.dispose]();
  });

  it('refuses duplicate rule names', () => {
    const { alerts } = setup();
    alerts.match('*.triggered', { name: 'anything-triggered' });
    expect(() => alerts.match('*', { name: 'anything-triggered' })).toThrow(/exists already/);
    alerts[Symbol.dispose]();
  });
});

describe('SlidingWindow', () => {
  it('agrees with counting every event', () => {
    fc.assert(
      fc.property(fc.array(fc.integer({ min: 0, max: 50 }), { maxLength: 60 }), fc.integer({ min: 1, max: 6 }), fc.integer({ min: 1, max: 100 }), (gaps, count, windowMs) => {
        const w = new SlidingWindow(count, windowMs);
        const times: number[] = [];
        let now = 0;
        for (const g of gaps) {
          now += g;
          w.add(now);
          times.push(now);
          const inWindow = times.filter((t) => now - t <= windowMs).length;
          expect(w.reached(now)).toBe(inWindow >= count);
        }
      }),
    );
  });
});
