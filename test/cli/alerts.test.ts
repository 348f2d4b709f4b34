import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { waitFor } from '../helpers/wait.js';
import { cliFixture, oneLine, redisForCliSuite, runCli, watchCli } from './run-cli.js';

const redis = redisForCliSuite();
const dir = mkdtempSync(join(tmpdir(), 'dotbus-alerts-cli-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

function file(name: string, text: string): string {
  const path = join(dir, name);
  writeFileSync(path, text);
  return path;
}

const RULES = cliFixture('alerts.yaml');
const EVENTS = cliFixture('alerts-events.jsonl');

describe('dotbus alerts test', () => {
  it('prints every state change of the rule file on the recorded events, one JSON object per line; --until fires the absences at the end', async () => {
    const run = await runCli(['alerts', 'test', '--rules', RULES, '--events', EVENTS, '--until', '2024-05-01T12:02:00Z']);
    expect(run.stderr).toBe('');
    expect(run.code).toBe(0);
    const lines = run.stdout.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
    expect(lines.map((l) => `${l['rule']} ${l['state']} ${l['at']} ${JSON.stringify(l['labels'])}`)).toEqual([
      'flaky-order firing 2024-05-01T12:00:15.000Z {"contextId":"ord-3"}',
      'flaky-order resolved 2024-05-01T12:00:15.000Z {"contextId":"ord-3"}',
      'slow-parse pending 2024-05-01T12:00:15.000Z {"operation":"parse-csv"}',
      'slow-parse firing 2024-05-01T12:00:20.000Z {"operation":"parse-csv"}',
      'validation-stuck firing 2024-05-01T12:00:35.000Z {"contextId":"ord-2"}',
      'slow-parse resolved 2024-05-01T12:00:40.000Z {"operation":"parse-csv"}',
      'importer-silent firing 2024-05-01T12:01:18.500Z {}',
      'validation-stuck firing 2024-05-01T12:01:20.000Z {"contextId":"ord-4"}',
    ]);
    expect(Object.keys(lines[0]!)).toEqual(['rule', 'state', 'at', 'labels', 'value']);
    expect(lines[0]!['value']).toBe(2000);
    expect(lines[4]!['value']).toBeNull();
    // Without --until, time ends at the last event: the absences still waiting do not fire.
    const short = await runCli(['alerts', 'test', '--rules', RULES, '--events', EVENTS]);
    expect(short.stdout.trim().split('\n')).toHaveLength(6);
  });

  it('an invalid rule file: exit 2, one line naming the line, the rule and the field', async () => {
    const rules = file('bad.yaml', 'rules:\n  - name: slow\n    kind: threshold\n    pattern: performance.operation.complete\n    window: 5x\n    above: 1\n');
    const run = await runCli(['alerts', 'test', '--rules', rules, '--events', EVENTS]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(oneLine(run.stderr)).toBe(`dotbus: ${rules}: line 5: rule "slow", field \`window\`: "5x" is no duration; write e.g. 250ms, 30s, 5m, 1h30m or a number of ms`);
    const json = file('bad.json', '{"rules": [{"name": "s", "kind": "sequence", "steps": [{"pattern": "a.b", "tims": 2}], "within": "1m"}]}');
    const run2 = await runCli(['alerts', 'test', '--rules', json, '--events', EVENTS]);
    expect(run2.code).toBe(2);
    expect(oneLine(run2.stderr)).toContain('line 1: rule "s", field `steps[0].tims`: unknown field of a step');
  });

  it('an invalid input line: exit 2, one line with the file, the line number and what is wrong', async () => {
    const events = file('bad.jsonl', `${'{"specversion":"1.0","id":"1","source":"/x","type":"validation.started","time":"2024-05-01T12:00:00Z","data":{}}'}\n`);
    const run = await runCli(['alerts', 'test', '--rules', RULES, '--events', events]);
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(oneLine(run.stderr)).toMatch(new RegExp(`^dotbus: ${events.replace(/[.]/g, '\\.')}:1: .*contextId`));
    const notJson = file('bad2.jsonl', '\n\nnot json\n');
    expect(oneLine((await runCli(['alerts', 'test', '--rules', RULES, '--events', notJson])).stderr)).toMatch(/bad2\.jsonl:3: /);
  });

  it('--until that is no time: exit 2', async () => {
    const run = await runCli(['alerts', 'test', '--rules', RULES, '--events', EVENTS, '--until', 'soon']);
    expect(run.code).toBe(2);
    expect(oneLine(run.stderr)).toContain('--until: "soon" is not a time');
  });
});

describe('dotbus alerts run', () => {
  it('evaluates the rules on the live events of a namespace and prints the changes; SIGTERM exits 0', async () => {
    const namespace = `cli-alerts-${process.pid}-${Date.now()}`;
    const rules = file('live.yaml', 'rules:\n  - name: any-failure\n    kind: threshold\n    pattern: validation.failed\n    window: 1s\n    windowType: tumbling\n    above: 0\n');
    const cli = watchCli(['alerts', 'run', '--rules', rules, '--redis', redis.url, '--namespace', namespace]);
    await waitFor('alerts run to subscribe', 20_000, () => cli.stderr().includes('evaluating 1 rule(s)'), () => cli.stderr());
    const data = JSON.stringify({ contextId: 'c-9', subject: 'order', status: 'failed', errors: [] });
    const pub = await runCli(['publish', 'validation.failed', '--data', data, '--redis', redis.url, '--namespace', namespace]);
    expect(pub.code, pub.stderr).toBe(0);
    await waitFor('the alert to fire', 20_000, () => cli.stdout().includes('"state":"firing"'), () => cli.stdout() + cli.stderr());
    expect(JSON.parse(cli.stdout().split('\n')[0]!)).toMatchObject({ rule: 'any-failure', state: 'firing', labels: {}, value: 1 });
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });

  it('without --redis: exit 2 with a hint', async () => {
    const run = await runCli(['alerts', 'run', '--rules', RULES]);
    expect(run.code).toBe(2);
    expect(oneLine(run.stderr)).toContain('alerts run needs --redis URL');
  });
});
