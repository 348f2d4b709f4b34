import { CloudEvent } from 'cloudevents';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startRedis, type RedisServer } from '../helpers/redis/server-process.js';
import { buildOnce, runCli, startCli } from './run-cli.js';

let redis: RedisServer;
beforeAll(async () => {
  buildOnce();
  redis = await startRedis();
}, 120_000);
afterAll(async () => {
  await redis?.dispose();
});

/** Resolves once `text()` satisfies `ok`, polling. */
async function until(ok: () => boolean, what: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!ok()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting: ${what()}`);
    await new Promise((r) => setTimeout(r, 25));
  }
}

describe('dotbus tail --format json with demo --redis', () => {
  it('receives what demo publishes; every line is a CloudEvent; SIGTERM exits 0', async () => {
    const namespace = `cli-${process.pid}-${Date.now()}`;
    const tail = startCli(['tail', 'validation.*', '--redis', redis.url, '--namespace', namespace, '--format', 'json']);
    let out = '';
    let err = '';
    tail.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    tail.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((resolve) => tail.on('close', (code) => resolve(code)));
    await until(() => err.includes('tailing'), () => err);

    const demo = await runCli(['demo', '--redis', redis.url, '--namespace', namespace, '--records', '60', '--seed', '9']);
    expect(demo.code, demo.stderr).toBe(0);
    const runId = /run (demo-[0-9a-f]+)/.exec(demo.stdout)?.[1];
    expect(runId).toBeDefined();

    // The batch's own end is the run's last event: once tail has printed it, it has seen the run.
    const batchEnd = (line: string) => line.includes(`"contextId":"${runId}"`) && /"type":"validation\.(completed|failed)"/.test(line);
    await until(() => out.split('\n').some(batchEnd), () => `${out.length} bytes, stderr ${err}`);
    tail.kill('SIGTERM');
    expect(await exited).toBe(0);

    const lines = out.trim().split('\n');
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
    const tail = startCli(['tail', 'validation.+', '--redis', redis.url, '--namespace', namespace, '--format', 'json']);
    let out = '';
    let err = '';
    tail.stdout!.on('data', (c: Buffer) => (out += c.toString()));
    tail.stderr!.on('data', (c: Buffer) => (err += c.toString()));
    const exited = new Promise<number | null>((resolve) => tail.on('close', (code) => resolve(code)));
    await until(() => err.includes('tailing'), () => err);
    const data = JSON.stringify({ contextId: 'from-cli', subject: 'order', status: 'started', errors: [] });
    const pub = await runCli(['publish', 'validation.started', '--data', data, '--redis', redis.url, '--namespace', namespace]);
    expect(pub.code, pub.stderr).toBe(0);
    await until(() => out.includes('from-cli'), () => out);
    tail.kill('SIGINT');
    expect(await exited).toBe(0);
    expect(JSON.parse(out.trim())).toMatchObject({ type: 'validation.started', data: { contextId: 'from-cli' } });
  });
});
