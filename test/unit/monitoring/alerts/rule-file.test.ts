import { describe, expect, it } from 'vitest';
import { AlertEngine, parseRules } from '../../../../src/monitoring/index.js';
import { job, sample, T0, type TestEvent } from './alert-fixture.js';

const error = (text: string): string => {
  try {
    parseRules(text);
  } catch (e) {
    return (e as Error).message;
  }
  throw new Error('expected an error');
};

describe('rule files', () => {
  it('YAML and JSON give the same rules, with where conditions compiled', () => {
    const yaml = `
allowedLateness: 2s
rules:
  - name: busy
    kind: threshold
    pattern: metric.sample
    where: { data.value: { gte: 10 }, data.host: { in: [a, b] } }
    window: 10s
    windowType: tumbling
    above: 1
`;
    const json = JSON.stringify({ allowedLateness: '2s', rules: [{ name: 'busy', kind: 'threshold', pattern: 'metric.sample', where: { 'data.value': { gte: 10 }, 'data.host': { in: ['a', 'b'] } }, window: '10s', windowType: 'tumbling', above: 1 }] });
    for (const text of [yaml, json]) {
      const file = parseRules(text);
      expect(file.allowedLatenessMs).toBe(2_000);
      const changes: string[] = [];
      const engine = new AlertEngine<TestEvent>({ clock: 'events', allowedLatenessMs: 0, onChange: (c) => changes.push(`${c.state}=${c.value}`) });
      engine.addRules(file.rules);
      [sample(1, 10, 'a'), sample(2, 5, 'a'), sample(3, 50, 'c'), sample(4, 11, 'b')].forEach((e) => engine.push(e));
      engine.advanceTo(T0 + 10_000);
      expect(changes).toEqual(['firing=2']);
    }
  });

  it('every kind loads; sequence steps and absence expectWhere take conditions', () => {
    const file = parseRules(`
rules:
  - { name: t, kind: threshold, pattern: "metric.*", value: data.value, aggregate: p99, window: 1m, every: 10s, groupBy: [data.host], below: 5, resolveAbove: 10, for: 30s, keepFiringFor: 1m, severity: critical, annotations: { summary: low } }
  - name: s
    kind: sequence
    steps: [{ pattern: job.failed, times: 3, where: { data.attempt: { exists: true } } }, { pattern: job.finished }]
    correlate: [data.jobId]
    within: 1h30m
  - { name: a, kind: absence, pattern: job.started, expect: "job.+", expectWhere: { eventType: { ne: job.step } }, correlate: [data.jobId], within: 90000 }
  - { name: n, kind: anomaly, pattern: metric.sample, value: data.value, groupBy: [data.host], zScore: 4, minSamples: 10, alpha: 0.1, minDeviation: 1 }
`);
    expect(file.rules.map((r) => r.kind)).toEqual(['threshold', 'sequence', 'absence', 'anomaly']);
    expect(file.rules[1]).toMatchObject({ withinMs: 5_400_000 });
    const changes: string[] = [];
    const engine = new AlertEngine<TestEvent>({ clock: 'events', allowedLatenessMs: 0, onChange: (c) => changes.push(`${c.rule} ${c.state}`) });
    engine.addRules(file.rules);
    [job('job.started', 0, 'j'), job('job.step', 10, 'j'), job('job.finished', 100, 'j')].forEach((e) => engine.push(e));
    expect(changes).toEqual(['a firing', 'a resolved']); // job.step is not what `a` expects
  });

  it('errors name the line, the rule and the field', () => {
    expect(error('rules:\n  - name: x\n    kind: threshold\n    pattern: a.b\n    window: 10s\n')).toBe('line 2: rule "x", field `above`: give exactly one of `above` and `below`');
    expect(error('rules:\n  - name: x\n    kind: thresold\n')).toBe('line 3: rule "x", field `kind`: must be one of threshold, sequence, absence, anomaly');
    expect(error('rules:\n  - name: x\n    kind: absence\n    pattern: valid*\n    within: 1s\n')).toMatch(/^line 4: rule "x", field `pattern`: .*partial wildcard/);
    expect(error('rules:\n  - name: x\n    kind: threshold\n    pattern: a.b\n    window: 10s\n    every: 3s\n    above: 1\n')).toBe('line 6: rule "x", field `every`: window (10000 ms) must be a whole multiple of every (3000 ms)');
    expect(error('rules:\n  - name: x\n    kind: threshold\n    pattern: a.b\n    window: 10s\n    above: 1\n    resolveBelow: 2\n')).toMatch(/^line 7: rule "x", field `resolveBelow`: must be at most above/);
    expect(error('rules:\n  - name: x\n    kind: threshold\n    pattern: a.b\n    window: 10s\n    aggregate: p95\n    above: 1\n')).toMatch(/^line 6: rule "x", field `aggregate`: p95 needs a `value` path/);
    expect(error('rules:\n  - name: x\n    kind: sequence\n    steps: []\n    within: 1m\n')).toMatch(/^line 4: rule "x", field `steps`/);
    expect(error('rules:\n  - name: x\n    kind: absence\n    pattern: a.b\n    within: 1m\n    correlate: [data.a.id, data.b.id]\n')).toMatch(/^line 6: .*two paths end in "id"/);
    expect(error('rules:\n  - name: x\n    kind: absence\n    pattern: a.b\n    within: 1m\n  - name: x\n    kind: absence\n    pattern: a.c\n    within: 1m\n')).toMatch(/^line 6: rule "x", field `name`: another rule has this name/);
    expect(error('rules:\n  - name: x\n    kind: absence\n    pattern: a.b\n    within: 1m\n    colour: red\n')).toMatch(/^line 6: rule "x", field `colour`: unknown field for a absence rule/);
    expect(error('rules:\n  - name: x\n    kind: absence\n    pattern: a.b\n    within: 1m\n    where: { data.n: { between: 1 } }\n')).toMatch(/^line 6: .*field `where`: data\.n\.between: unknown operator/);
    expect(error('rules: [\n')).toMatch(/^line 2: /);
    expect(error('alerts: []\n')).toContain('a rule file holds `rules:`');
  });

  it('the TypeScript API checks the same way, naming rule and field', () => {
    const engine = new AlertEngine<TestEvent>({ clock: 'events' });
    expect(() => engine.threshold('metric.sample', { name: 'x', window: '10m', every: '7m', above: 1 })).toThrow('rule "x", field `every`');
    expect(() => engine.sequence({ name: 'y', steps: [engine.step('job.started', { times: 0 })], within: '1m' })).toThrow('rule "y", field `steps[0].times`: must be an integer ≥ 1');
    engine.absence('job.started', { name: 'z', within: '1m' });
    expect(() => engine.absence('job.started', { name: 'z', within: '1m' })).toThrow(/a rule named "z" exists already/);
  });
});
