import { describe, expect, it } from 'vitest';
import { checkMetrics, promtoolRequired } from '../helpers/promtool.js';
import { waitFor } from '../helpers/wait.js';
import { closedPort, oneLine, redisForCliSuite, runCli, watchCli, type WatchedCli } from './run-cli.js';

const redis = redisForCliSuite();

/** `dotbus metrics …` on a free port, once it says where it serves. */
async function startExporter(args: readonly string[]): Promise<{ cli: WatchedCli; url: string }> {
  const cli = watchCli(['metrics', '--redis', redis.url, '--port', '0', ...args]);
  let url: string | undefined;
  await waitFor('the exporter to serve', 20_000, () => (url = /at (http:\/\/\S+\/metrics);/.exec(cli.stderr())?.[1]) !== undefined, () => cli.stderr(), () => {
    const code = cli.child.exitCode;
    return code === null ? undefined : `it exited ${code}`;
  });
  return { cli, url: url! };
}

async function scrape(url: string): Promise<string> {
  const res = await fetch(url);
  expect(res.status).toBe(200);
  expect(res.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
  return res.text();
}

/** The sum of the samples named `name` whose labels include `match` (e.g. `subject="order"`). */
function total(text: string, name: string, match = ''): number {
  return text
    .split('\n')
    .filter((l) => l.startsWith(`${name}{`) && l.includes(match))
    .reduce((sum, l) => sum + Number(l.split(' ')[1]), 0);
}

/** Runs the demo against the exporter's namespace and waits until the exporter measured all of it. */
async function demoMeasured(url: string, namespace: string, extra: readonly string[] = []): Promise<string> {
  const demo = await runCli(['demo', '--redis', redis.url, '--namespace', namespace, '--records', '60', '--seed', '9', ...extra]);
  expect(demo.code, demo.stderr).toBe(0);
  let text = '';
  // The batch's own end is the run's last event; 60 orders × 3 phases timed by the coordinator.
  await waitFor('the demo run in the metrics', 20_000, async () => {
    text = await scrape(url);
    return total(text, 'dotbus_validations_total', 'subject="order-batch"') === 1 && total(text, 'dotbus_operation_duration_seconds_count') === 180;
  }, () => text.split('\n').filter((l) => /^dotbus_(validations_total|operation_duration_seconds_count)/.test(l)).join('\n'));
  return text;
}

/** What the two-terminal run (`dotbus metrics` + `dotbus demo`) served, for the promtool check. */
const served: { pubsub?: string; durable?: string } = {};

describe('dotbus metrics with demo --redis', () => {
  it("serves the demo's operation durations as histograms at /metrics; SIGTERM exits 0", async () => {
    const namespace = `cli-metrics-${process.pid}-${Date.now()}`;
    const { cli, url } = await startExporter(['--namespace', namespace]);
    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
    expect(cli.stderr()).toContain(`serving metrics of namespace ${namespace} from ${redis.url}`);
    const text = await demoMeasured(url, namespace);
    expect(text).toContain('# TYPE dotbus_operation_duration_seconds histogram');
    expect(total(text, 'dotbus_operation_duration_seconds_bucket', 'le="+Inf",operation="validate-record",phase="fields"')).toBe(60);
    expect(total(text, 'dotbus_phase_duration_seconds_count', 'phase="validate"')).toBe(1);
    expect(total(text, 'dotbus_validations_total', 'subject="order"')).toBe(60);
    expect(total(text, 'dotbus_validation_errors_total')).toBeGreaterThan(0);
    expect(total(text, 'dotbus_resource_rss_bytes', 'source="/dotbus-cli/demo"')).toBeGreaterThan(0);
    // The exporter's own bus: it lost nothing and no handler failed.
    expect(total(text, 'dotbus_lost_total', 'bus="exporter"')).toBe(0);
    expect(total(text, 'dotbus_handler_errors_total', 'bus="exporter"')).toBe(0);
    expect(text).not.toMatch(/demo-[0-9a-f]{8}/); // run and order ids are never labels
    expect(text).not.toContain('dotbus_stream_group');
    served.pubsub = text;
    cli.child.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });

  it("with --durable also serves the stream's consumer groups", async () => {
    const namespace = `cli-metrics-durable-${process.pid}-${Date.now()}`;
    const { cli, url } = await startExporter(['--namespace', namespace, '--durable']);
    expect(cli.stderr()).toContain("and its stream's consumer groups");
    const text = await demoMeasured(url, namespace, ['--durable']);
    // The exporter's own group, folded with any other transport-owned one.
    expect(total(text, 'dotbus_stream_groups', `namespace="${namespace}",group="broadcast-*"`)).toBeGreaterThanOrEqual(1);
    expect(text).toContain(`dotbus_stream_group_pending{namespace="${namespace}",group="broadcast-*"}`);
    expect(total(text, 'dotbus_stream_group_read_errors_total')).toBe(0);
    served.durable = text;
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);
  });

  it.runIf(promtoolRequired())('promtool check metrics accepts what it served', () => {
    for (const [run, text] of Object.entries(served)) {
      expect(text, `the ${run} run served nothing`).toBeTruthy();
      const check = checkMetrics(text);
      expect(check.output, run).toBe('');
      expect(check.code, `${run}: ${check.output}`).toBe(0);
    }
    expect(Object.keys(served)).toEqual(['pubsub', 'durable']);
  });
});

describe('dotbus metrics failures', () => {
  it('needs --redis, and a port from 0 to 65535 (exit 2)', async () => {
    const none = await runCli(['metrics']);
    expect(none.code).toBe(2);
    expect(oneLine(none.stderr)).toContain('metrics needs --redis URL');
    const port = await runCli(['metrics', '--redis', redis.url, '--port', '70000']);
    expect(port.code).toBe(2);
    expect(oneLine(port.stderr)).toContain('--port');
  });

  it('reports a port in use and an unreachable Redis in one line (exit 1)', async () => {
    const { cli, url } = await startExporter([]);
    const busy = Number(new URL(url).port);
    const r = await runCli(['metrics', '--redis', redis.url, '--port', String(busy)], 20_000);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toMatch(new RegExp(`cannot serve metrics on 127\\.0\\.0\\.1:${busy}: .*EADDRINUSE.*pick another port`));
    cli.child.kill('SIGINT');
    expect(await cli.exited).toBe(0);

    const closed = await closedPort();
    const down = await runCli(['metrics', '--redis', `redis://127.0.0.1:${closed}`, '--port', '0'], 20_000);
    expect(down.code).toBe(1);
    expect(oneLine(down.stderr)).toContain(`on Redis at redis://127.0.0.1:${closed}`);
  });
});
