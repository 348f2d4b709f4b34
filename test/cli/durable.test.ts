import { randomUUID } from 'node:crypto';
import { CloudEvent } from 'cloudevents';
import { describe, expect, it } from 'vitest';
import { sendCommands } from '../helpers/redis/resp-client.js';
import { waitUntil } from '../helpers/wait.js';
import { cliFixture, oneLine, redisForCliSuite, runCli, watchCli } from './run-cli.js';

const redis = redisForCliSuite();

const started = (id: string) => JSON.stringify({ contextId: id, subject: 'order', status: 'started', errors: [] });

describe('dotbus with --durable (Redis Streams)', () => {
  it('publish --durable, then replay prints exactly the retained events in order', async () => {
    const ns = `cli-durable-${process.pid}`;
    for (const id of ['a', 'b', 'c']) {
      const r = await runCli(['publish', 'validation.started', '--data', started(id), '--redis', redis.url, '--namespace', ns, '--durable']);
      expect(r.code, r.stderr).toBe(0);
    }
    const json = await runCli(['replay', 'validation.*', '--redis', redis.url, '--namespace', ns, '--format', 'json']);
    expect(json.code, json.stderr).toBe(0);
    const events = json.stdout.trim().split('\n').map((l) => new CloudEvent(JSON.parse(l) as Record<string, unknown>, true));
    expect(events.map((e) => (e.data as unknown as { contextId: string }).contextId)).toEqual(['a', 'b', 'c']);
    expect(json.stderr).toContain('replayed 3 event(s)');

    const pretty = await runCli(['replay', 'validation.+', '--redis', redis.url, '--namespace', ns]);
    expect(pretty.stdout.trim().split('\n')).toHaveLength(3);
    const none = await runCli(['replay', '*', '--redis', redis.url, '--namespace', ns, '--from', new Date(Date.now() + 60_000).toISOString()]);
    expect(none.stdout).toBe('');
    expect(none.stderr).toContain('replayed 0 event(s)');
  });

  it('tail --durable --group joins a group and acknowledges what it printed', async () => {
    const ns = `cli-group-${process.pid}`;
    const tail = watchCli(['tail', 'validation.*', '--redis', redis.url, '--namespace', ns, '--durable', '--group', 'auditors', '--format', 'json']);
    await waitUntil(() => tail.stderr().includes('tailing'), 20_000, `tail to start: ${tail.stderr()}`);
    const pub = await runCli(['publish', 'validation.started', '--data', started('grouped'), '--redis', redis.url, '--namespace', ns, '--durable']);
    expect(pub.code, pub.stderr).toBe(0);
    await waitUntil(() => tail.stdout().includes('grouped'), 20_000, `the event in tail's output: ${tail.stdout()}`);
    tail.child.kill('SIGINT');
    expect(await tail.exited).toBe(0);
    const [groups] = await sendCommands(redis.port, [['XINFO', 'GROUPS', `{${ns}}:events`]]);
    const flat = JSON.stringify(groups);
    expect(flat).toContain('auditors');
    // XINFO GROUPS lists name, consumers, pending, …: nothing of the printed event is left pending.
    const info = (groups as unknown[][]).find((g) => g.includes('auditors'))!;
    expect(info[info.indexOf('pending') + 1]).toBe(0);
  });

  it('--durable without --redis is one clear line and a non-zero exit', async () => {
    const r = await runCli(['publish', 'validation.started', '--data', started('x'), '--durable']);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toContain('--durable needs --redis');
  });

  it("replay prints the application's events: untyped without --events, typed with it", async () => {
    const ns = `cli-replay-app-${process.pid}`;
    const events = ['--events', cliFixture('shop-events.js')];
    const data = JSON.stringify({ orderId: 'o-replayed', total: 12.5 });
    const pub = await runCli(['publish', 'order.placed', '--data', data, '--redis', redis.url, '--namespace', ns, '--durable', ...events]);
    expect(pub.code, pub.stderr).toBe(0);
    // Another producer stored one that breaks the module's schema (a negative total).
    const invalid = { specversion: '1.0', id: randomUUID(), source: '/elsewhere', type: 'order.placed', time: new Date().toISOString(), data: { orderId: 'o-bad', total: -1 } };
    await sendCommands(redis.port, [['XADD', `{${ns}}:events`, '*', 't', 'order.placed', 'm', JSON.stringify(invalid)]]);
    const replay = (...args: string[]) => runCli(['replay', 'order.*', '--redis', redis.url, '--namespace', ns, ...args]);

    const untyped = await replay();
    expect(untyped.code, untyped.stderr).toBe(0);
    expect(untyped.stdout).toMatch(/order\.placed\s+\[untyped\] \/dotbus-cli \{"orderId":"o-replayed","total":12.5\}/);
    expect(untyped.stdout).toMatch(/order\.placed\s+\[untyped\] \/elsewhere \{"orderId":"o-bad","total":-1\}/);
    expect(untyped.stderr).toContain('replayed 2 event(s)');

    const typed = await replay(...events);
    expect(typed.code, typed.stderr).toBe(0);
    expect(typed.stdout.trim().split('\n')).toHaveLength(1);
    expect(typed.stdout).toMatch(/order\.placed\s+\{"orderId":"o-replayed","total":12.5\}/);
    expect(typed.stdout).not.toContain('[untyped]');
    expect(typed.stderr).toMatch(/warning: skipped 1 matching entry that did not decode; first \d+-\d+ order\.placed: .*data does not match OrderPlaced@1\.0\.0/);
    expect(typed.stderr).toContain('replayed 1 event(s)');

    const json = await replay('--format', 'json');
    const [first, second] = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as unknown);
    expect(first).toMatchObject({ type: 'order.placed', data: { orderId: 'o-replayed' } });
    expect(second).toEqual(invalid); // exactly as stored
  });

  it('replay of a namespace without a stream says so and exits 1', async () => {
    const ns = `cli-never-written-${process.pid}`;
    const r = await runCli(['replay', '*', '--redis', redis.url, '--namespace', ns]);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toContain(`no stream {${ns}}:events on this Redis`);
    expect(r.stdout).toBe('');
  });
});
