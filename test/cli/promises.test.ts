import { describe, expect, it } from 'vitest';
import { closedPort, oneLine, redisForCliSuite, runCli } from './run-cli.js';

const redis = redisForCliSuite();

const started = (id: string) => JSON.stringify({ contextId: id, subject: 'order', status: 'started', errors: [] });

describe('what the dotbus command promises', () => {
  it.each([
    ['tail', ['tail', '*']],
    ['publish', ['publish', 'validation.started', '--data', started('x')]],
    ['replay', ['replay', '*']],
  ])('%s reports an unreachable Redis in one line and exits 1, within a bounded time', async (_name, args) => {
    const port = await closedPort();
    const r = await runCli([...args, '--redis', `redis://127.0.0.1:${port}`], 20_000);
    expect(r.code).toBe(1);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(oneLine(r.stderr)).toMatch(new RegExp(`127\\.0\\.0\\.1:${port}`));
  });

  it('replay --to stops at the given time (inclusive), --from starts there', async () => {
    const ns = `cli-to-${process.pid}`;
    const times: string[] = [];
    for (const id of ['a', 'b', 'c']) {
      const r = await runCli(['publish', 'validation.started', '--data', started(id), '--redis', redis.url, '--namespace', ns, '--durable']);
      expect(r.code, r.stderr).toBe(0);
      times.push(new Date().toISOString());
      await new Promise((res) => setTimeout(res, 30));
    }
    const ids = async (...range: string[]): Promise<string[]> => {
      const r = await runCli(['replay', 'validation.*', '--redis', redis.url, '--namespace', ns, '--format', 'json', ...range]);
      expect(r.code, r.stderr).toBe(0);
      return r.stdout.trim().split('\n').filter(Boolean).map((l) => (JSON.parse(l) as { data: { contextId: string } }).data.contextId);
    };
    expect(await ids('--to', times[1]!)).toEqual(['a', 'b']);
    expect(await ids('--from', times[0]!, '--to', times[1]!)).toEqual(['b']);
  });

  it('pretty output (the formatter tail and replay share) is one readable line per event: time, type, data', async () => {
    const ns = `cli-pretty-${process.pid}`;
    const r = await runCli(['publish', 'validation.started', '--data', started('pretty-1'), '--redis', redis.url, '--namespace', ns, '--durable']);
    expect(r.code, r.stderr).toBe(0);
    const replay = await runCli(['replay', '*', '--redis', redis.url, '--namespace', ns, '--format', 'pretty']);
    const lines = replay.stdout.trim().split('\n');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^\S*\d\d:\d\d:\d\d\.\d{3}\S* +\S*validation\.started\S* .*pretty-1/);
  });
});
