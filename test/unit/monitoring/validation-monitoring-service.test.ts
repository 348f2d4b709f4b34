import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { createBus, FieldPath, ValidationEvent, type FieldError } from '../../../src/index.js';
import { ValidationMonitoringService, type ContextStatus } from '../../../src/monitoring/index.js';

type VType = ValidationEvent['eventType'];
const TYPES: readonly VType[] = [
  'validation.started', 'validation.phase.started', 'validation.phase.completed',
  'validation.error.occurred', 'validation.completed', 'validation.failed',
];

const errorArb = fc.record({
  fieldPath: fc.array(fc.oneof(fc.constantFrom('customer', 'email', 'items', 'zip'), fc.nat(3)), { maxLength: 3 }),
  rule: fc.constantFrom('required', 'format', 'range'),
  message: fc.constant('bad'),
  severity: fc.constantFrom('error' as const, 'warning' as const),
});

const eventFields = {
  type: fc.constantFrom(...TYPES),
  contextId: fc.constantFrom('c1', 'c2', 'c3', 'c4'),
  phase: fc.constantFrom('fields', 'items', 'totals'),
  failed: fc.boolean(),
  durationMs: fc.double({ min: 0, max: 1000, noNaN: true }),
  errors: fc.array(errorArb, { maxLength: 3 }),
};
const eventArb = fc.record(eventFields);
type EventSpec = Omit<typeof eventArb extends fc.Arbitrary<infer T> ? T : never, 'contextId'> & { readonly contextId: string };

function toEvent(s: EventSpec): ValidationEvent {
  const phased = s.type.startsWith('validation.phase.');
  const status = s.type === 'validation.started' ? 'started' : s.type.endsWith('started') ? 'running' : s.failed ? 'failed' : 'passed';
  return ValidationEvent.create(s.type, {
    contextId: s.contextId, subject: 'order', status, errors: s.errors,
    ...(phased ? { phase: s.phase } : {}),
    ...(s.type === 'validation.phase.completed' || s.type.endsWith('completed') || s.type === 'validation.failed' ? { durationMs: s.durationMs } : {}),
  });
}

/** The reference model: a plain fold over the events, per context. */
function model(events: readonly ValidationEvent[]) {
  const out = new Map<string, { status: ContextStatus; events: number; errors: Map<string, FieldError>; phases: Map<string, { status: string; durationMs?: number }> }>();
  for (const e of events) {
    const d = e.data;
    const c = out.get(d.contextId) ?? { status: 'started' as ContextStatus, events: 0, errors: new Map(), phases: new Map() };
    out.set(d.contextId, c);
    c.events++;
    for (const err of d.errors) {
      const key = `${FieldPath.format(err.fieldPath)}|${err.rule}`;
      if (!c.errors.has(key)) c.errors.set(key, err as FieldError);
    }
    const final = c.status === 'passed' || c.status === 'failed';
    if (e.eventType === 'validation.completed' || e.eventType === 'validation.failed') {
      c.status = e.eventType === 'validation.failed' || d.status === 'failed' ? 'failed' : 'passed';
    } else if (!final) c.status = e.eventType === 'validation.started' ? 'started' : 'running';
    if (e.eventType === 'validation.phase.started') c.phases.set(d.phase!, { status: 'running', ...(c.phases.get(d.phase!)?.durationMs === undefined ? {} : { durationMs: c.phases.get(d.phase!)!.durationMs }) });
    if (e.eventType === 'validation.phase.completed') c.phases.set(d.phase!, { status: d.status === 'failed' ? 'failed' : 'passed', durationMs: d.durationMs! });
  }
  return out;
}

function expectViewMatches(service: ValidationMonitoringService, events: readonly ValidationEvent[]): void {
  const expected = model(events);
  expect(new Set(service.contextIds())).toEqual(new Set(expected.keys()));
  for (const [id, m] of expected) {
    const view = service.snapshot(id)!;
    expect(view.status).toBe(m.status);
    expect(view.counts.events).toBe(m.events);
    const errors = [...view.errorsByField].flatMap(([path, list]) => list.map((e) => `${path}|${e.rule}`));
    expect(new Set(errors)).toEqual(new Set(m.errors.keys()));
    expect(view.counts.errors + view.counts.warnings).toBe(m.errors.size);
    expect(Object.fromEntries(view.phases.map((p) => [p.phase, { status: p.status, ...(p.durationMs === undefined ? {} : { durationMs: p.durationMs }) }]))).toEqual(Object.fromEntries(m.phases));
  }
  const finished = [...expected.values()].filter((m) => m.status === 'passed' || m.status === 'failed');
  const s = service.summary();
  expect(s.finished.passed + s.finished.failed).toBe(finished.length);
  expect(s.events).toBe(events.length);
}

describe('ValidationMonitoringService', () => {
  it('its view matches the events fed to it (property)', () => {
    fc.assert(
      fc.property(fc.array(eventArb, { maxLength: 60 }), (specs) => {
        const events = specs.map(toEvent);
        const service = new ValidationMonitoringService();
        for (const e of events) service.record(e);
        expectViewMatches(service, events);
      }),
      { numRuns: 300 },
    );
  });

  it('applies each phase event once through the spec subscriptions on a real bus (property)', async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(eventArb, { maxLength: 40 }), async (specs) => {
        const bus = createBus();
        using service = new ValidationMonitoringService({ subscriber: bus });
        const events = specs.map(toEvent);
        for (const e of events) await bus.publish(e);
        await bus.drain();
        expectViewMatches(service, events);
        await bus.close();
      }),
      { numRuns: 50 },
    );
  });

  it('summarises slowest phases and most frequent errors with folded indexes', () => {
    const service = new ValidationMonitoringService();
    const err = (i: number): FieldError => ({ fieldPath: ['items', i, 'sku'], rule: 'sku.format', message: 'bad', severity: 'error' });
    service.record(ValidationEvent.create('validation.phase.completed', { contextId: 'a', subject: 'o', phase: 'items', status: 'failed', durationMs: 5, errors: [err(0), err(2)] }));
    service.record(ValidationEvent.create('validation.phase.completed', { contextId: 'b', subject: 'o', phase: 'items', status: 'passed', durationMs: 9, errors: [] }));
    service.record(ValidationEvent.create('validation.phase.completed', { contextId: 'b', subject: 'o', phase: 'fields', status: 'passed', durationMs: 1, errors: [] }));
    const s = service.summary();
    expect(s.slowestPhases[0]).toMatchObject({ phase: 'items', count: 2, maxMs: 9, meanMs: 7, slowestContextId: 'b' });
    expect(s.topErrors).toEqual([{ rule: 'sku.format', field: 'items[].sku', severity: 'error', count: 2 }]);
    expect(service.snapshot('a')!.errorsByField.get('items[2].sku')).toHaveLength(1);
  });

  it('stays bounded under a million contexts: cap with LRU eviction, idle expiry', () => {
    let now = 0;
    const service = new ValidationMonitoringService({ maxContexts: 1_000, idleTimeoutMs: 50_000, now: () => now });
    const base = ValidationEvent.create('validation.started', { contextId: 'x', subject: 'order', status: 'started', errors: [] });
    for (let i = 0; i < 1_000_000; i++) {
      now = i / 10; // 10 events per ms: every context is still fresh when the cap evicts it
      service.record({ ...base, data: { ...base.data, contextId: `ctx-${i}` } });
      if (i % 100_000 === 0) expect(service.size).toBeLessThanOrEqual(1_000);
    }
    const s = service.summary();
    expect(service.size).toBe(1_000);
    expect(s.contexts).toEqual({ live: 1_000, seen: 1_000_000, expired: 0, evicted: 999_000 });
    expect(service.snapshot('ctx-999999')?.status).toBe('started');
    expect(service.snapshot('ctx-0')).toBeUndefined();
    now += 50_001;
    expect(service.summary().contexts).toMatchObject({ live: 0, expired: 1_000 });
  });

  it('evicts the least recently updated context, not the oldest one', () => {
    let now = 0;
    const service = new ValidationMonitoringService({ maxContexts: 3, now: () => now });
    const start = (id: string) => ValidationEvent.create('validation.started', { contextId: id, subject: 'o', status: 'started', errors: [] });
    for (const id of ['c1', 'c2', 'c3']) {
      now++;
      service.record(start(id));
    }
    now++;
    service.record(ValidationEvent.create('validation.completed', { contextId: 'c1', subject: 'o', status: 'passed', errors: [] }));
    now++;
    service.record(start('c4'));
    expect(new Set(service.contextIds())).toEqual(new Set(['c1', 'c3', 'c4']));
    expect(service.summary().contexts.evicted).toBe(1);
  });

  it('keeps its bounds under any sequence: contexts, errors and phases capped, survivors the most recently updated (property)', () => {
    const limits = { maxContexts: 2, maxErrorsPerContext: 2, maxPhasesPerContext: 2 };
    const bounded = fc.record({ ...eventFields, contextId: fc.constantFrom('c1', 'c2', 'c3', 'c4', 'c5') });
    fc.assert(
      fc.property(fc.array(bounded, { maxLength: 80 }), (specs) => {
        let now = 0;
        const service = new ValidationMonitoringService({ ...limits, idleTimeoutMs: 1_000_000, now: () => now });
        const lastUpdate = new Map<string, number>();
        for (const e of specs.map(toEvent)) {
          now++;
          service.record(e);
          lastUpdate.set(e.data.contextId, now);
        }
        const live = service.contextIds();
        expect(live.length).toBeLessThanOrEqual(limits.maxContexts);
        const expectedLive = [...lastUpdate.entries()].sort((a, b) => b[1] - a[1]).slice(0, limits.maxContexts).map(([id]) => id);
        expect(new Set(live)).toEqual(new Set(expectedLive));
        for (const id of live) {
          const view = service.snapshot(id)!;
          expect(view.counts.errors + view.counts.warnings).toBeLessThanOrEqual(limits.maxErrorsPerContext);
          expect(view.phases.length).toBeLessThanOrEqual(limits.maxPhasesPerContext);
        }
        const s = service.summary().contexts;
        expect(s.live + s.evicted + s.expired).toBe(s.seen);
      }),
      { numRuns: 300 },
    );
  });

  it('expires idle contexts but keeps recently updated ones, and bounds errors per context', () => {
    let now = 0;
    const service = new ValidationMonitoringService({ idleTimeoutMs: 100, maxErrorsPerContext: 2, now: () => now });
    const start = (id: string) => ValidationEvent.create('validation.started', { contextId: id, subject: 'o', status: 'started', errors: [] });
    service.record(start('old'));
    service.record(start('kept'));
    now = 90;
    service.record(ValidationEvent.create('validation.error.occurred', {
      contextId: 'kept', subject: 'o', status: 'running',
      errors: ['a', 'b', 'c'].map((f) => ({ fieldPath: [f], rule: 'r', message: 'm', severity: 'error' as const })),
    }));
    now = 150;
    expect(service.contextIds()).toEqual(['kept']);
    expect(service.snapshot('kept')!.counts).toMatchObject({ errors: 2, errorsDropped: 1 });
    expect(service.summary().contexts.expired).toBe(1);
  });

  it('ignores foreign events under validation.*', async () => {
    const service = new ValidationMonitoringService();
    service.record({ eventId: 'x', eventType: 'validation.custom', timestamp: new Date(), version: '1.0.0', source: '/t', data: {} });
    expect(service.summary()).toMatchObject({ ignored: 1, events: 0 });
  });
});
