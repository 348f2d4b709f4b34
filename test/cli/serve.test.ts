import { createServer } from 'node:net';
import { beforeAll, describe, expect, it } from 'vitest';
import { startDashboard } from '../helpers/browser.js';
import { checkMetrics, promtoolRequired } from '../helpers/promtool.js';
import { waitFor } from '../helpers/wait.js';
import { buildOnce, oneLine, runCli } from './run-cli.js';

beforeAll(() => buildOnce(), 120_000);

describe('dotbus serve: usage errors before anything listens (exit 2, one line)', () => {
  it.each([
    [['--trace-url', 'javascript:alert(1)'], /^dotbus: --trace-url: must be an http\(s\) URL with \{traceId\} in it/],
    [['--auth-token', 'short'], /^dotbus: --auth-token: must be at least 16 characters long/],
    [['--host', '10.1.2.3'], /^dotbus: --host 10\.1\.2\.3 is not a loopback address: give --auth-token \(or DOTBUS_TOKEN\)/],
    [['--audit', 'no-such-log.db'], /^dotbus: no audit log at no-such-log\.db/],
    [['--rules', 'no-such-rules.yaml'], /^dotbus: no-such-rules\.yaml: /],
    [['--durable'], /^dotbus: --durable needs --redis URL/],
  ])('serve %j', async (args, message) => {
    const r = await runCli(['serve', '--port', '0', ...args], 20_000, { DOTBUS_TOKEN: '' });
    expect(r.code, r.stderr).toBe(2);
    expect(oneLine(r.stderr)).toMatch(message);
  });

  it('a port in use is a failure that names it (exit 1)', async () => {
    const taken = createServer();
    const port = await new Promise<number>((resolve) => taken.listen(0, '127.0.0.1', () => resolve((taken.address() as { port: number }).port)));
    try {
      const r = await runCli(['serve', '--port', String(port)], 20_000);
      expect(r.code).toBe(1);
      expect(oneLine(r.stderr)).toMatch(new RegExp(`^dotbus: cannot serve the dashboard on 127\\.0\\.0\\.1:${port}: .*EADDRINUSE`));
    } finally {
      taken.close();
    }
  });
});

describe('dotbus serve without --redis', () => {
  it('serves the demo\'s metrics at /metrics and its JSON API; SIGTERM exits 0', async () => {
    const served = await startDashboard([]);
    try {
      let text = '';
      await waitFor('a finished demo run in the metrics', 20_000, async () => {
        text = await (await fetch(`${served.url}metrics`)).text();
        return /^dotbus_validations_total\{subject="order-batch"/m.test(text);
      }, () => text.slice(0, 500));
      expect(text).toContain('# TYPE dotbus_operation_duration_seconds histogram');
      expect(text).toMatch(/^dotbus_events_delivered_total\{bus="dashboard"\} [1-9]/m);
      if (promtoolRequired()) expect(checkMetrics(text).code).toBe(0);
      const info = (await (await fetch(`${served.url}api/info`)).json()) as { title: string; panels: { id: string }[]; metrics: boolean };
      expect(info).toMatchObject({ title: 'in-memory (demo)', metrics: true });
      expect(info.panels.map((p) => p.id)).toEqual(['validation']);
    } finally {
      expect(await served.stop()).toBe(0);
    }
  });
});
