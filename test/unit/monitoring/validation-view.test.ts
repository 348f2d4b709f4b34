/** A context's view field by field, the service's options and its edges: what the monitoring mutation run let through. */
import { describe, expect, it } from 'vitest';
import { ValidationEvent, type FieldError } from '../../../src/index.js';
import { InvalidOptionError } from '../../../src/internal.js';
import { ValidationMonitoringService } from '../../../src/monitoring/index.js';

const at = (iso: string) => ({ timestamp: new Date(iso) });
const warning: FieldError = { fieldPath: ['email'], rule: 'format', message: 'odd', severity: 'warning' };
const error: FieldError = { fieldPath: ['zip'], rule: 'required', message: 'missing', severity: 'error' };

describe('ValidationMonitoringService: a context\'s view', () => {
  it('keeps the latest event time whatever the order, the last non-empty subject, and counts each phase event once', () => {
    const service = new ValidationMonitoringService();
    service.record(ValidationEvent.create('validation.started', { contextId: 'c', subject: 'order', status: 'started', errors: [] }, at('2026-01-01T00:00:05.000Z')));
    service.record(ValidationEvent.create('validation.phase.started', { contextId: 'c', subject: '', phase: 'fields', status: 'running', errors: [] }, at('2026-01-01T00:00:09.000Z')));
    service.record(ValidationEvent.create('validation.phase.completed', { contextId: 'c', subject: '', phase: 'fields', status: 'passed', errors: [warning, error] }, at('2026-01-01T00:00:07.000Z')));
    service.record(ValidationEvent.create('validation.phase.started', { contextId: 'c', subject: '', phase: 'items', status: 'running', errors: [] }, at('2026-01-01T00:00:08.000Z')));
    const view = service.snapshot('c')!;
    expect(view.subject).toBe('order');
    expect(view.firstEventAt.toISOString()).toBe('2026-01-01T00:00:05.000Z');
    expect(view.lastEventAt.toISOString()).toBe('2026-01-01T00:00:09.000Z');
    expect(view.counts).toEqual({ events: 4, errors: 1, warnings: 1, phasesStarted: 2, phasesCompleted: 1, errorsDropped: 0, phasesDropped: 0 });
    // A phase completed without a duration has none in the view, and a context not finished has no duration either.
    expect(view.phases).toEqual([{ phase: 'fields', status: 'passed', errorCount: 2 }, { phase: 'items', status: 'running', errorCount: 0 }]);
    expect('durationMs' in view).toBe(false);
    expect('recordCount' in view).toBe(false);
  });

  it('keeps a duration and record count once given, and a completion without a duration does not erase it', () => {
    const service = new ValidationMonitoringService();
    service.record(ValidationEvent.create('validation.completed', { contextId: 'c', subject: 'order', status: 'passed', durationMs: 12, recordCount: 3, errors: [] }));
    expect(service.snapshot('c')).toMatchObject({ status: 'passed', durationMs: 12, recordCount: 3 });
    service.record(ValidationEvent.create('validation.completed', { contextId: 'c', subject: 'order', status: 'passed', errors: [] }));
    expect(service.snapshot('c')).toMatchObject({ durationMs: 12, recordCount: 3 });
  });

  it('drops phases past maxPhasesPerContext exactly at the limit, and counts every phase event it dropped', () => {
    const service = new ValidationMonitoringService({ maxPhasesPerContext: 2 });
    for (const phase of ['a', 'b', 'c', 'c', 'd']) {
      service.record(ValidationEvent.create('validation.phase.started', { contextId: 'c', subject: 'o', phase, status: 'running', errors: [] }));
    }
    const view = service.snapshot('c')!;
    expect(view.phases.map((p) => p.phase)).toEqual(['a', 'b']);
    expect(view.counts).toMatchObject({ phasesStarted: 2, phasesDropped: 3 });
  });

  it('counts contexts by status in its summary', () => {
    const service = new ValidationMonitoringService();
    service.record(ValidationEvent.create('validation.started', { contextId: 'a', subject: 'o', status: 'started', errors: [] }));
    service.record(ValidationEvent.create('validation.started', { contextId: 'b', subject: 'o', status: 'started', errors: [] }));
    service.record(ValidationEvent.create('validation.failed', { contextId: 'c', subject: 'o', status: 'failed', errors: [] }));
    expect(service.summary().byStatus).toEqual({ started: 2, running: 0, passed: 0, failed: 1 });
  });

  it('counts a context finished once per status it ends in, also when it finishes again the same way', () => {
    const service = new ValidationMonitoringService();
    const done = () => ValidationEvent.create('validation.completed', { contextId: 'c', subject: 'o', status: 'passed', errors: [] });
    service.record(done());
    service.record(done());
    expect(service.summary().finished).toEqual({ passed: 1, failed: 0 });
    service.record(ValidationEvent.create('validation.failed', { contextId: 'c', subject: 'o', status: 'failed', errors: [] }));
    expect(service.summary().finished).toEqual({ passed: 0, failed: 1 });
  });
});

describe('ValidationMonitoringService: options and edges', () => {
  it.each(['idleTimeoutMs', 'maxContexts', 'maxPhasesPerContext', 'maxErrorsPerContext'] as const)('refuses %s of 0 or less, naming it', (name) => {
    for (const value of [0, -1, Number.NaN]) {
      let thrown: unknown;
      try {
        new ValidationMonitoringService({ [name]: value });
      } catch (e) {
        thrown = e;
      }
      expect(thrown).toBeInstanceOf(InvalidOptionError);
      expect((thrown as InvalidOptionError).message).toContain(name);
      expect((thrown as InvalidOptionError).message).toContain(`must be a positive number, got ${value}`);
    }
    expect(() => new ValidationMonitoringService({ [name]: 0.5 })).not.toThrow();
  });

  it('keeps a context idle for exactly idleTimeoutMs and expires it a millisecond later', () => {
    let now = 1_000;
    const service = new ValidationMonitoringService({ idleTimeoutMs: 100, now: () => now });
    service.record(ValidationEvent.create('validation.started', { contextId: 'c', subject: 'o', status: 'started', errors: [] }));
    now += 100;
    expect(service.snapshot('c')).toBeDefined();
    now += 1;
    expect(service.snapshot('c')).toBeUndefined();
    expect(service.summary().contexts).toMatchObject({ live: 0, expired: 1 });
  });

  it('applies a phase event recorded by hand once, as the phase subscription would', () => {
    const service = new ValidationMonitoringService();
    service.record(ValidationEvent.create('validation.phase.completed', { contextId: 'c', subject: 'o', phase: 'fields', status: 'passed', durationMs: 4, errors: [] }));
    expect(service.snapshot('c')!.counts).toMatchObject({ events: 1, phasesCompleted: 1 });
    expect(service.summary().slowestPhases).toEqual([expect.objectContaining({ phase: 'fields', count: 1, maxMs: 4 })]);
  });
});
