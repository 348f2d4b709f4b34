import { beforeAll, describe, expect, it } from 'vitest';
import { buildOnce, closedPort, oneLine, runCli } from './run-cli.js';

beforeAll(() => buildOnce(), 120_000);

describe('dotbus demo', () => {
  it('runs the pipeline on the in-memory bus, exits 0 and prints the monitoring summary', async () => {
    const r = await runCli(['demo', '--records', '300', '--seed', '5']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toContain('Validation summary');
    expect(r.stdout).toMatch(/Records: \d+ passed, [1-9]\d* failed \([1-9]\d* corrupted on purpose\)/);
    expect(r.stdout).toContain('Contexts by status');
    expect(r.stdout).toContain('Slowest phases');
    expect(r.stdout).toContain('Most frequent errors');
    expect(r.stdout).toMatch(/customer\.email|items\[\]|total|currency|placedAt|postalCode|country/);
    expect(r.stdout).not.toContain('\u001b['); // no colours when not a terminal
    expect(r.stderr).toBe('');
  });

  it('labels the batch context, so the status table adds up to the Records line', async () => {
    const r = await runCli(['demo', '--records', '300', '--seed', '5']);
    expect(r.code, r.stderr).toBe(0);
    const [, passed, failed] = /Records: (\d+) passed, (\d+) failed/.exec(r.stdout)!.map(Number);
    expect(failed).toBeGreaterThan(0);
    expect(r.stdout).toMatch(/Contexts by status.*batch/);
    // status, orders, batch, finished: the failed orders, the batch that failed with them, and both.
    expect(statusRow(r.stdout, 'failed')).toEqual([failed, 1, failed! + 1]);
    expect(statusRow(r.stdout, 'passed')).toEqual([passed, 0, passed]);
    const [, seen, sent] = /Monitor: (\d+) of (\d+) validation events/.exec(r.stdout)!.map(Number);
    expect(seen).toBe(sent);
  });

  it('rejects a bad --records with one line and a non-zero exit', async () => {
    const r = await runCli(['demo', '--records', 'many']);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toContain('--records');
  });

  it('reports an unreachable Redis in one line, within a bounded time', async () => {
    const port = await closedPort();
    const r = await runCli(['demo', '--redis', `redis://127.0.0.1:${port}`], 20_000);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toContain(`cannot reach Redis at redis://127.0.0.1:${port}`);
  });
});

describe('dotbus --help', () => {
  it.each([[[]], [['demo']], [['tail']], [['publish']], [['serve']]])('shows help for %j and exits 0', async (cmd) => {
    const r = await runCli([...cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: dotbus');
  });

  it('shows no default for the --redis that tail requires', async () => {
    const r = await runCli(['tail', '--help']);
    expect(r.code).toBe(0);
    const redis = optionHelp(r.stdout, '--redis');
    expect(redis).toContain('(required)');
    expect(redis).not.toContain('default');
    expect(r.stdout).not.toContain('in-process bus');
  });

  it.each([['tail'], ['publish'], ['replay']])('lists --events in %s --help', async (cmd) => {
    const r = await runCli([cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('--events <module>');
  });
});

describe('dotbus publish', () => {
  const valid = JSON.stringify({ contextId: 'c-1', subject: 'order', status: 'started', errors: [] });

  it('without --redis prints the CloudEvents wire message it would send', async () => {
    const r = await runCli(['publish', 'validation.started', '--data', valid]);
    expect(r.code, r.stderr).toBe(0);
    const msg = JSON.parse(r.stdout) as Record<string, unknown>;
    expect(msg).toMatchObject({ specversion: '1.0', type: 'validation.started', data: { contextId: 'c-1' } });
  });

  it('exits non-zero on bad JSON', async () => {
    const r = await runCli(['publish', 'validation.started', '--data', '{contextId:']);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toContain('--data is not valid JSON');
  });

  it('exits non-zero naming the invalid field', async () => {
    const r = await runCli(['publish', 'validation.started', '--data', JSON.stringify({ contextId: 'c-1', subject: 'o', status: 'nope', errors: [] })]);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toContain('field `status`');
  });

  it('names a nested field', async () => {
    const data = { contextId: 'c', fieldPath: [], operation: 'o', durationMs: 1, phase: 'p', status: 'completed',
      resourceUsage: { cpuUserMs: 'x', cpuSystemMs: 0, rssBytes: 1, heapUsedBytes: 1, heapDeltaBytes: 0 } };
    const r = await runCli(['publish', 'performance.metric.recorded', '--data', JSON.stringify(data)]);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toContain('field `resourceUsage.cpuUserMs`');
  });

  it('rejects an unknown type', async () => {
    const r = await runCli(['publish', 'no.such.type', '--data', '{}']);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toContain('unknown event type "no.such.type"');
    expect(r.stderr).toContain('--events MODULE');
  });
});

describe('dotbus tail (argument errors)', () => {
  it('blames the subscription when Redis is unreachable, not a connection tail never asked for (exit 1)', async () => {
    const port = await closedPort();
    const r = await runCli(['tail', 'validation.*', '--redis', `redis://127.0.0.1:${port}`], 20_000);
    expect(r.code).toBe(1);
    const line = oneLine(r.stderr);
    expect(line).toContain(`cannot subscribe to "validation.*" on Redis at redis://127.0.0.1:${port}`);
    expect(line).not.toContain('publisher');
  });

  it('explains that tail needs --redis', async () => {
    const r = await runCli(['tail', 'validation.*']);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toContain('tail needs --redis');
  });

  it('rejects an invalid pattern in one line', async () => {
    const r = await runCli(['tail', 'valid*', '--redis', 'redis://127.0.0.1:1']);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toContain('invalid pattern "valid*"');
  });

  it('rejects an unknown format and an unknown command', async () => {
    const a = await runCli(['tail', '--format', 'xml', '--redis', 'redis://127.0.0.1:1']);
    expect(a.code).toBe(2);
    expect(oneLine(a.stderr)).toContain('xml');
    const b = await runCli(['frobnicate']);
    expect(b.code).toBe(2);
    expect(oneLine(b.stderr)).toContain("unknown command 'frobnicate'");
  });
});

/** The numbers of `status`'s row of the demo's "Contexts by status" table. */
function statusRow(stdout: string, status: string): number[] {
  const table = stdout.slice(stdout.indexOf('Contexts by status'));
  const row = table.split('\n').find((l) => l.trimStart().startsWith(`${status} `))!;
  return row.trim().split(/\s+/).slice(1).map(Number);
}

/** The help text of `option`: its line and the lines Commander wrapped it onto. */
function optionHelp(help: string, option: string): string {
  const lines = help.split('\n');
  const first = lines.findIndex((l) => l.trimStart().startsWith(option));
  const rest = lines.slice(first + 1);
  const end = rest.findIndex((l) => !/^ {6,}\S/.test(l));
  return [lines[first], ...rest.slice(0, end)].join(' ');
}
