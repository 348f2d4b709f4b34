import { describe, expect, it } from 'vitest';
import { job, T0, virtualEngine } from './alert-fixture.js';

describe('sequence rules (virtual clock)', () => {
  const retryStorm = (engine: ReturnType<typeof virtualEngine>['engine']) =>
    engine.sequence({
      name: 'retry-storm',
      steps: [engine.step('job.failed', { times: 2, where: (e) => (e.data.attempt ?? 0) >= 1 }), engine.step('job.finished')],
      correlate: ['data.jobId'],
      within: '10s',
    });

  it('fires when the steps complete in order within the time, per correlation key', () => {
    const { engine, log, feed } = virtualEngine();
    retryStorm(engine);
    feed(job('job.failed', 1, 'j1', 1), job('job.step', 2, 'j1'), job('job.failed', 3, 'j1', 2), job('job.finished', 4, 'j1'));
    expect(log()).toEqual(['retry-storm firing@4 {"jobId":"j1"} =3000', 'retry-storm resolved@4 {"jobId":"j1"} =3000']);
  });

  it('a sequence that runs past `within` times out and does not fire; a new first step starts over', () => {
    const { engine, log, feed } = virtualEngine();
    retryStorm(engine);
    feed(job('job.failed', 0, 'j1', 1), job('job.failed', 5, 'j1', 2), job('job.finished', 11, 'j1'));
    expect(log()).toEqual([]);
    expect(engine.rules()[0]).toMatchObject({ timedOut: 1, groups: 0 });
    feed(job('job.failed', 12, 'j1', 1), job('job.failed', 13, 'j1', 1), job('job.finished', 22, 'j1'));
    expect(log()).toEqual(['retry-storm firing@22 {"jobId":"j1"} =10000', 'retry-storm resolved@22 {"jobId":"j1"} =10000']);
  });

  it('interleaved keys do not mix; `where` filters steps', () => {
    const { engine, log, feed } = virtualEngine();
    retryStorm(engine);
    feed(
      job('job.failed', 1, 'a', 1),
      job('job.failed', 1.5, 'b', 1),
      job('job.failed', 2, 'b', 0), // attempt 0: no step
      job('job.finished', 2.5, 'b'), // b has one failure only: not its step yet
      job('job.failed', 3, 'a', 2),
      job('job.failed', 3.5, 'b', 2),
      job('job.finished', 4, 'b'),
      job('job.finished', 5, 'a'),
    );
    expect(log()).toEqual([
      'retry-storm firing@4 {"jobId":"b"} =2500',
      'retry-storm resolved@4 {"jobId":"b"} =2500',
      'retry-storm firing@5 {"jobId":"a"} =4000',
      'retry-storm resolved@5 {"jobId":"a"} =4000',
    ]);
  });

  it('keepFiringFor: a second completion while firing is not announced again', () => {
    const { engine, log, feed } = virtualEngine();
    engine.sequence({ name: 'twice', steps: [engine.step('job.started'), engine.step('job.finished')], correlate: ['data.jobId'], within: '5s', keepFiringFor: '10s' });
    feed(job('job.started', 0, 'j'), job('job.finished', 1, 'j'), job('job.started', 2, 'j'), job('job.finished', 3, 'j'));
    engine.advanceTo(T0 + 30_000);
    expect(log()).toEqual(['twice firing@1 {"jobId":"j"} =1000', 'twice resolved@13 {"jobId":"j"} =1000']);
  });

  it('an event matching several of a rule\'s patterns reaches it once, from a bus too', async () => {
    const { createBus } = await import('../../../../src/index.js');
    const { Job, Sample } = await import('./alert-fixture.js');
    const bus = createBus({ events: [Sample, Job], source: '/t' });
    const { engine, log } = virtualEngine({ source: bus });
    engine.sequence({ name: 'two', steps: [engine.step('job.*'), engine.step('job.finished')], correlate: ['data.jobId'], within: '1m' });
    await bus.publish(job('job.finished', 1, 'j'));
    await bus.drain();
    expect(log()).toEqual([]); // counted once: the first step, not both
    expect(engine.rules()[0]!.seen).toBe(1);
    await bus.publish(job('job.finished', 2, 'j'));
    await bus.drain();
    expect(log()).toEqual(['two firing@2 {"jobId":"j"} =1000', 'two resolved@2 {"jobId":"j"} =1000']);
    await engine.close();
    await bus.close();
  });

  it('partial sequences are capped: the oldest is evicted and counted', () => {
    const { engine, feed } = virtualEngine();
    engine.sequence({ name: 'capped', steps: [engine.step('job.started'), engine.step('job.finished')], correlate: ['data.jobId'], within: '1h', maxGroups: 5 });
    for (let i = 0; i < 12; i++) feed(job('job.started', i, `j${i}`));
    expect(engine.rules()[0]).toMatchObject({ groups: 5, evicted: 7 });
  });
});

describe('absence rules (virtual clock)', () => {
  it('an expected event that never came fires at the deadline and resolves when it comes', () => {
    const { engine, log, feed } = virtualEngine();
    engine.absence('job.started', { name: 'stuck', expect: 'job.finished', correlate: ['data.jobId'], within: '30s' });
    feed(job('job.started', 0, 'ok'), job('job.started', 5, 'late'), job('job.finished', 30, 'ok')); // exactly at the deadline: in time
    feed(job('job.step', 50, 'x'));
    expect(log()).toEqual(['stuck firing@35 {"jobId":"late"}']);
    feed(job('job.finished', 60, 'late'));
    expect(log()).toEqual(['stuck firing@35 {"jobId":"late"}', 'stuck resolved@60 {"jobId":"late"}']);
  });

  it('with `advanceTo` (the end of a replay) a wait still open at the end fires', () => {
    const { engine, log, feed } = virtualEngine();
    engine.absence('job.started', { name: 'stuck', expect: 'job.finished', correlate: ['data.jobId'], within: '30s' });
    feed(job('job.started', 0, 'j'));
    engine.flush();
    expect(log()).toEqual([]);
    engine.advanceTo(T0 + 30_000);
    expect(log()).toEqual(['stuck firing@30 {"jobId":"j"}']);
  });

  it('without expect: a producer gone silent fires `within` after its last event, and resolves at its next', () => {
    const { engine, log, feed } = virtualEngine();
    engine.absence('job.+', { name: 'silent', correlate: ['data.jobId'], within: '10s' });
    feed(job('job.step', 0, 'a'), job('job.step', 1, 'b'), job('job.step', 8, 'a'), job('job.step', 15, 'a'));
    expect(log()).toEqual(['silent firing@11 {"jobId":"b"}']);
    feed(job('job.step', 30, 'b'));
    expect(log()).toEqual(['silent firing@11 {"jobId":"b"}', 'silent firing@25 {"jobId":"a"}', 'silent resolved@30 {"jobId":"b"}']);
  });

  it('without expect or correlate: silence counted from the start of event time', () => {
    const { engine, log, feed } = virtualEngine();
    engine.absence('job.finished', { name: 'nothing-finishes', within: '10s' });
    feed(job('job.started', 0, 'a'));
    engine.advanceTo(T0 + 25_000);
    expect(log()).toEqual(['nothing-finishes firing@10']);
  });
});
