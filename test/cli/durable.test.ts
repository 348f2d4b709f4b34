import { CloudEvent } from 'cloudevents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendCommands } from '../helpers/redis/resp-client.js';
import { startRedis, type RedisServer } from '../helpers/redis/server-process.js';
import { waitUntil } from '../helpers/wait.js';
import { buildOnce, oneLine, runCli, startCli } from './run-cli.js';

let redis: RedisServer;
beforeAll(async () => {
  buildOnce();
  redis = await startRedis();
}, 120_000);
afterAll(async () => {
  await redis?.dispose();
});

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
    const tail = startCli(['tail', 'validation.*', '--redis', redis.url, '--namespace', ns, '--durable', '--group', 'auditors', '--format', 'json']);
    let out = '';
    let err = '';
    tail.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    tail.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((resolve) => tail.on('close', (code) => resolve(code)));
    await waitUntil(() => err.includes('tailing'), 20_000, `tail to start: ${err}`);
    const pub = await runCli(['publish', 'validation.started', '--data', started('grouped'), '--redis', redis.url, '--namespace', ns, '--durable']);
    expect(pub.code, pub.stderr).toBe(0);
    await waitUntil(() => out.includes('grouped'), 20_000, `the event in tail's output: ${out}`);
    tail.kill('SIGINT');
    expect(await exited).toBe(0);
    const [groups] = await sendCommands(redis.port, [['XINFO', 'GROUPS', `{${ns}}:events`]]);
    const flat = JSON.stringify(groups);
    expect(flat).toContain('auditors');
    // XINFO GROUPS lists name, consumers, pending, …: nothing of the printed event is left pending.
    const info = (groups as unknown[][]).find((g) => g.includes('auditors'))!;
    expect(info[info.indexOf('pending') + 1]).toBe(0);
  });

  it('--durable without --redis is one clear line and a non-zero exit', async () => {
    const r = await runCli(['publish', 'validation.started', '--data', started('x'), '--durable']);
    expect(r.code).not.toBe(0);
    expect(oneLine(r.stderr)).toContain('--durable needs --redis');
  });
});
