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

  it('rejects a bad --records with one line and a non-zero exit', async () => {
    const r = await runCli(['demo', '--records', 'many']);
    expect(r.code).not.toBe(0);
    expect(oneLine(r.stderr)).toContain('--records');
  });

  it('reports an unreachable Redis in one line, within a bounded time', async () => {
    const port = await closedPort();
    const r = await runCli(['demo', '--redis', `redis://127.0.0.1:${port}`], 20_000);
    expect(r.code).not.toBe(0);
    expect(oneLine(r.stderr)).toContain(`cannot reach Redis at redis://127.0.0.1:${port}`);
  });
});

describe('dotbus --help', () => {
  it.each([[[]], [['demo']], [['tail']], [['publish']]])('shows help for %j and exits 0', async (cmd) => {
    const r = await runCli([...cmd, '--help']);
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('Usage: dotbus');
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
    expect(r.code).not.toBe(0);
    expect(oneLine(r.stderr)).toContain('--data is not valid JSON');
  });

  it('exits non-zero naming the invalid field', async () => {
    const r = await runCli(['publish', 'validation.started', '--data', JSON.stringify({ contextId: 'c-1', subject: 'o', status: 'nope', errors: [] })]);
    expect(r.code).not.toBe(0);
    expect(oneLine(r.stderr)).toContain('field `status`');
  });

  it('names a nested field', async () => {
    const data = { contextId: 'c', fieldPath: [], operation: 'o', durationMs: 1, phase: 'p', status: 'completed',
      resourceUsage: { cpuUserMs: 'x', cpuSystemMs: 0, rssBytes: 1, heapUsedBytes: 1, heapDeltaBytes: 0 } };
    const r = await runCli(['publish', 'performance.metric.recorded', '--data', JSON.stringify(data)]);
    expect(r.code).not.toBe(0);
    expect(oneLine(r.stderr)).toContain('field `resourceUsage.cpuUserMs`');
  });

  it('rejects an unknown type', async () => {
    const r = await runCli(['publish', 'no.such.type', '--data', '{}']);
    expect(r.code).not.toBe(0);
    expect(oneLine(r.stderr)).toContain('unknown event type "no.such.type"');
  });
});

describe('dotbus tail (argument errors)', () => {
  it('explains that tail needs --redis', async () => {
    const r = await runCli(['tail', 'validation.*']);
    expect(r.code).not.toBe(0);
    expect(oneLine(r.stderr)).toContain('tail needs --redis');
  });

  it('rejects an invalid pattern in one line', async () => {
    const r = await runCli(['tail', 'valid*', '--redis', 'redis://127.0.0.1:1']);
    expect(r.code).not.toBe(0);
    expect(oneLine(r.stderr)).toContain('invalid pattern "valid*"');
  });

  it('rejects an unknown format and an unknown command', async () => {
    const a = await runCli(['tail', '--format', 'xml', '--redis', 'redis://127.0.0.1:1']);
    expect(a.code).not.toBe(0);
    expect(oneLine(a.stderr)).toContain('xml');
    const b = await runCli(['frobnicate']);
    expect(b.code).not.toBe(0);
    expect(oneLine(b.stderr)).toContain("unknown command 'frobnicate'");
  });
});
