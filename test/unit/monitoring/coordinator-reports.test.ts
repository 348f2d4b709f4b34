import { afterEach, describe, expect, it } from 'vitest';
import { createBus, type DotbusError, type EventSink, type PerformanceEvent, type PublishReceipt } from '../../../src/index.js';
import { EventDrivenPerformanceCoordinator, type CoordinatorOptions } from '../../../src/monitoring/index.js';

const open: EventDrivenPerformanceCoordinator[] = [];
afterEach(() => {
  for (const c of open.splice(0)) c.close();
});

/** A coordinator whose reports to `onError` land in `messages`. */
function coordinator(options: Partial<CoordinatorOptions> = {}) {
  const messages: string[] = [];
  const perf = new EventDrivenPerformanceCoordinator({ publisher: createBus(), contextId: 'ctx', onError: (e: DotbusError) => messages.push(e.message), ...options });
  open.push(perf);
  return { perf, messages };
}

describe('EventDrivenPerformanceCoordinator: what an unmatched end says', () => {
  it('lists the three most recent open phases of that name, newest first, with the scope to pass and how many more', () => {
    const { perf, messages } = coordinator();
    perf.startPhase('check');
    perf.startPhase('check', { contextId: 'other' });
    perf.startPhase('check', { fieldPath: ['a'] });
    perf.startPhase('check', { contextId: 'other', fieldPath: ['b', 'c'] });
    perf.startPhase('check', { contextId: 'third' });
    expect(perf.endPhase('check', { contextId: 'nowhere' })).toBeUndefined();
    expect(messages).toEqual([
      expect.stringContaining(
        'endPhase("check", { contextId: "nowhere" }) matched no open phase; open "check" phases, most recent first: ' +
          '{ contextId: "third" }, { contextId: "other", fieldPath: ["b","c"] }, { fieldPath: ["a"] } and 2 more. ' +
          'Pass the scope the phase was started with, or no scope to end the most recent one',
      ),
    ]);
  });

  it('names a phase of the coordinator\'s own context at the root as "no scope", and lists all when there are few', () => {
    const { perf, messages } = coordinator();
    perf.startPhase('check');
    perf.endPhase('check', { fieldPath: ['x'] });
    expect(messages[0]).toContain('most recent first: no scope. Pass the scope');
  });

  it('says when nothing is open at all', () => {
    const { perf, messages } = coordinator();
    perf.endPhase('load');
    expect(messages[0]).toContain('endPhase("load") matched no open phase: "load" is not open (not started, or ended already); no phase is open');
  });

  it('lists three other open phases and counts the rest, and counts phases evicted by maxOpenPhases', () => {
    const { perf, messages } = coordinator({ maxOpenPhases: 5 });
    for (const name of ['a', 'b', 'c', 'd', 'e', 'f']) perf.startPhase(name);
    perf.endPhase('a');
    expect(messages[0]).toContain('"a" is not open (not started, ended already, or evicted by maxOpenPhases, 1 so far); open phases: "b", "c", "d" and 2 more');
    expect(perf.stats()).toMatchObject({ openPhases: 5, evictedPhases: 1, unmatchedEnds: 1 });
  });

  it('ends the most recent phase of a name when no scope is given, and the others stay open', () => {
    const { perf } = coordinator();
    perf.startPhase('check', { contextId: 'one' });
    perf.startPhase('check', { contextId: 'two' });
    perf.startPhase('check', { contextId: 'three' });
    expect(perf.endPhase('check')).toBeGreaterThanOrEqual(0);
    expect(perf.endPhase('check', { contextId: 'three' })).toBeUndefined();
    expect(perf.endPhase('check', { contextId: 'one' })).toBeGreaterThanOrEqual(0);
    expect(perf.endPhase('check')).toBeGreaterThanOrEqual(0);
    expect(perf.endPhase('check')).toBeUndefined();
    expect(perf.stats()).toMatchObject({ openPhases: 0, unmatchedEnds: 2 });
  });
});

describe('EventDrivenPerformanceCoordinator: publish failures', () => {
  it('counts failed and dropped receipts and rejected publishes, not accepted or buffered ones', async () => {
    const statuses: (PublishReceipt['status'] | 'reject')[] = ['accepted', 'failed', 'buffered', 'dropped', 'reject'];
    let calls = 0;
    const publisher: EventSink<PerformanceEvent> = {
      enabled: true,
      publish: () => {
        const status = statuses[calls++ % statuses.length]!;
        return status === 'reject' ? Promise.reject(new Error('sink broke')) : Promise.resolve({ status });
      },
    };
    const { perf } = coordinator({ publisher });
    for (let i = 0; i < statuses.length; i++) perf.startPhase(`phase-${i}`);
    await new Promise((r) => setImmediate(r));
    expect(perf.stats()).toMatchObject({ published: 5, publishFailures: 3 });
  });
});
