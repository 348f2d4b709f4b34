import { randomUUID } from 'node:crypto';
import { CloudEvent } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import { sendCommands } from '../helpers/redis/resp-client.js';
import { waitUntil } from '../helpers/wait.js';
import { cliFixture, redisForCliSuite, runCli, watchCli, type WatchedCli } from './run-cli.js';

const redis = redisForCliSuite();

/** `dotbus tail …` on the test's Redis, once it says it is tailing. */
async function startTail(args: readonly string[]): Promise<WatchedCli> {
  const tail = watchCli(['tail', ...args, '--redis', redis.url]);
  await waitUntil(() => tail.stderr().includes('tailing'), 20_000, `tail to start: ${tail.stderr()}`);
  return tail;
}

/** Stops `tail` with `signal` and returns its exit code. */
async function stop(tail: WatchedCli, signal: NodeJS.Signals = 'SIGINT'): Promise<number | null> {
  tail.child.kill(signal);
  return tail.exited;
}

describe('dotbus tail --format json with demo --redis', () => {
  it('receives what demo publishes; every line is a CloudEvent; SIGTERM exits 0', async () => {
    const namespace = `cli-${process.pid}-${Date.now()}`;
    const tail = await startTail(['validation.*', '--namespace', namespace, '--format', 'json']);

    const demo = await runCli(['demo', '--redis', redis.url, '--namespace', namespace, '--records', '60', '--seed', '9']);
    expect(demo.code, demo.stderr).toBe(0);
    const runId = /run (demo-[0-9a-f]+)/.exec(demo.stdout)?.[1];
    expect(runId).toBeDefined();

    // The batch's own end is the run's last event: once tail has printed it, it has seen the run.
    const batchEnd = (line: string) => line.includes(`"contextId":"${runId}"`) && /"type":"validation\.(completed|failed)"/.test(line);
    await waitUntil(() => tail.stdout().split('\n').some(batchEnd), 20_000, `the batch end: ${tail.stdout().length} bytes, stderr ${tail.stderr()}`);
    expect(await stop(tail, 'SIGTERM')).toBe(0);

    const lines = tail.stdout().trim().split('\n');
    const events = lines.map((line) => new CloudEvent(JSON.parse(line) as Record<string, unknown>, true));
    expect(events.every((e) => e.specversion === '1.0' && e.type.startsWith('validation.'))).toBe(true);
    const ends = events.filter((e) => e.type === 'validation.completed' || e.type === 'validation.failed');
    const contexts = new Set(ends.map((e) => (e.data as unknown as { contextId: string }).contextId));
    expect(contexts.size).toBe(61); // 60 orders + the batch
    expect(events.some((e) => e.type === 'validation.error.occurred')).toBe(true);
    expect(events.filter((e) => e.type === 'validation.phase.completed').length).toBe(60 * 3 + 1);
  });

  it('publish --redis reaches a tailing process', async () => {
    const namespace = `cli-pub-${process.pid}-${Date.now()}`;
    const tail = await startTail(['validation.+', '--namespace', namespace, '--format', 'json']);
    const data = JSON.stringify({ contextId: 'from-cli', subject: 'order', status: 'started', errors: [] });
    const pub = await runCli(['publish', 'validation.started', '--data', data, '--redis', redis.url, '--namespace', namespace]);
    expect(pub.code, pub.stderr).toBe(0);
    await waitUntil(() => tail.stdout().includes('from-cli'), 20_000, `the event in tail's output: ${tail.stdout()}`);
    expect(await stop(tail)).toBe(0);
    expect(JSON.parse(tail.stdout().trim())).toMatchObject({ type: 'validation.started', data: { contextId: 'from-cli' } });
  });
});

describe('dotbus demo --redis', () => {
  it('loses no event to a subscription still on its way: the status table and the Records line agree', async () => {
    const namespace = `cli-demo-${process.pid}-${Date.now()}`;
    const r = await runCli(['demo', '--redis', redis.url, '--namespace', namespace, '--records', '400', '--seed', '3']);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).toBe('');
    const [, passed, failed] = /Records: (\d+) passed, (\d+) failed/.exec(r.stdout)!.map(Number);
    const row = (status: string) => r.stdout.split('\n').find((l) => l.trimStart().startsWith(`${status} `))!.trim().split(/\s+/).map(Number);
    // status, orders, batch, finished
    expect(row('passed').slice(1, 3)).toEqual([passed, 0]);
    expect(row('failed').slice(1, 3)).toEqual([failed, 1]);
    // Not one event missed, not even one that opens no context of its own.
    const [, seen, sent] = /Monitor: (\d+) of (\d+) validation events/.exec(r.stdout)!.map(Number);
    expect(seen).toBe(sent);
    expect(r.stdout).toMatch(/Bus: \d+ published, \d+ delivered, \d+ unrouted, 0 dropped, 0 unpublished/);
  });
});

describe("dotbus tail with the application's own events", () => {
  /** A CloudEvent of the shop's `order.placed`, as any producer (dotbus or not) would send it. */
  const orderPlaced = (orderId: string) =>
    JSON.stringify({
      specversion: '1.0', id: randomUUID(), source: '/shop', type: 'order.placed', time: new Date().toISOString(),
      datacontenttype: 'application/json', data: { orderId, total: 42 },
    });

  it('without --events prints them untyped, never as decode errors', async () => {
    const namespace = `cli-untyped-${process.pid}-${Date.now()}`;
    const pretty = await startTail(['*', '--namespace', namespace]);
    const json = await startTail(['order.*', '--namespace', namespace, '--format', 'json']);
    const message = orderPlaced('o-untyped');
    await sendCommands(redis.port, [['PUBLISH', `${namespace}:order.placed`, message]]);
    await waitUntil(() => pretty.stdout().includes('o-untyped') && json.stdout().includes('o-untyped'), 20_000, `the event: ${pretty.stdout()} ${pretty.stderr()}`);
    expect(await stop(pretty)).toBe(0);
    expect(await stop(json)).toBe(0);

    const line = pretty.stdout().trim().split('\n').find((l) => l.includes('order.placed'))!;
    expect(line).toMatch(/order\.placed\s+\[untyped\] \/shop \{"orderId":"o-untyped","total":42\}/);
    expect(pretty.stdout()).not.toContain('system.error');
    expect(pretty.stderr()).not.toContain('decode');
    // json: the CloudEvent as it was sent (a schemaversion aside, which the sender left out).
    const { schemaversion: _version, ...printed } = JSON.parse(json.stdout().trim()) as Record<string, unknown>;
    expect(printed).toEqual(JSON.parse(message));
  });

  it('prints each event of a CloudEvents batch message (Pub/Sub batch mode) as its own line', async () => {
    const namespace = `cli-batch-${process.pid}-${Date.now()}`;
    const json = await startTail(['order.*', '--namespace', namespace, '--format', 'json']);
    const ids = ['o-b1', 'o-b2', 'o-b3'];
    await sendCommands(redis.port, [['PUBLISH', `${namespace}:order.placed`, `[${ids.map(orderPlaced).join(',')}]`]]);
    await waitUntil(() => ids.every((id) => json.stdout().includes(id)), 20_000, `the events: ${json.stdout()} ${json.stderr()}`);
    expect(await stop(json)).toBe(0);
    const printed = json.stdout().trim().split('\n').map((l) => (JSON.parse(l) as { data: { orderId: string } }).data.orderId);
    expect(printed).toEqual(ids);
  });

  it('with --events prints them typed, and accepts them from publish --events', async () => {
    const namespace = `cli-typed-${process.pid}-${Date.now()}`;
    const events = ['--events', cliFixture('shop-events.js')];
    const tail = await startTail(['order.*', '--namespace', namespace, ...events]);
    const pub = await runCli(['publish', 'order.placed', '--data', JSON.stringify({ orderId: 'o-typed', total: 7 }), '--redis', redis.url, '--namespace', namespace, ...events]);
    expect(pub.code, pub.stderr).toBe(0);
    // Invalid for the module's schema (total < 0): a typed tail reports it instead of showing it.
    const invalid = JSON.parse(orderPlaced('o-invalid')) as { data: { total: number } };
    invalid.data.total = -1;
    await sendCommands(redis.port, [['PUBLISH', `${namespace}:order.placed`, JSON.stringify(invalid)]]);
    await waitUntil(() => tail.stdout().includes('o-typed') && tail.stderr().includes('warning'), 20_000, `the events: ${tail.stdout()} ${tail.stderr()}`);
    expect(await stop(tail)).toBe(0);
    expect(tail.stdout()).toMatch(/order\.placed\s+\{"orderId":"o-typed","total":7\}/);
    expect(tail.stdout()).not.toContain('[untyped]');
    expect(tail.stdout()).not.toContain('o-invalid');
    expect(tail.stderr()).toContain('does not match OrderPlaced@1.0.0');
  });
});
