import { createServer, type Socket } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sendCommands } from '../helpers/redis/resp-client.js';
import { NO_CHANNELS, NO_INFO, NO_XREADGROUP, RESTRICTED_USERS, urlOf } from '../helpers/redis/restricted-users.js';
import type { RedisAclUser } from '../helpers/redis/server-config.js';
import { startRedis, type RedisServer } from '../helpers/redis/server-process.js';
import { waitUntil } from '../helpers/wait.js';
import { buildOnce, closedPort, oneLine, runCli, watchCli, type CliRun } from './run-cli.js';

/**
 * `--redis` and `--namespace` as a user gets them wrong: secrets never printed, a bad database
 * or namespace refused alike by every command (exit 2), refusals by Redis reported at once and
 * naming the user (exit 1).
 */

/** The `default` user's password: it must never appear in any output. */
const SECRET = 'def-s3cret';

let redis: RedisServer;
beforeAll(async () => {
  buildOnce();
  redis = await startRedis({
    requirepass: SECRET,
    aclUsers: [...RESTRICTED_USERS],
  });
}, 120_000);
afterAll(async () => {
  await redis?.dispose();
});

const hostPort = (): string => `127.0.0.1:${redis.port}`;
const asDefault = (path = ''): string => `redis://${hostPort()}${path}?password=${SECRET}`;
const asUser = (user: RedisAclUser): string => urlOf(user, '127.0.0.1', redis.port);
const started = JSON.stringify({ contextId: 'c-1', subject: 'order', status: 'started', errors: [] });

/**
 * Runs `dotbus …` to its end. A refusal must be reported from Redis's answer, not by the CLI's 3 s
 * connection timeout: the line names the refusal and never says the connection was "not up after".
 */
async function refusal(args: readonly string[]): Promise<CliRun> {
  const cli = watchCli(args);
  const code = await cli.exited;
  const run = { code, stdout: cli.stdout(), stderr: cli.stderr() };
  expect(run.stderr).not.toMatch(/not up after|did not confirm the subscriptions within/);
  return run;
}

/** The keys of database 0 (the server's `default` user may read them). */
async function keysOfDb0(): Promise<string[]> {
  const [keys] = await sendCommands(redis.port, [['AUTH', SECRET], ['KEYS', '*']]).then((r) => r.slice(1));
  return keys as string[];
}

describe('secrets in --redis are never printed', () => {
  it('tail and publish name the connection with its query password hidden', async () => {
    const ns = `redact-${process.pid}`;
    const tail = watchCli(['tail', '*', '--redis', asDefault('/0'), '--namespace', ns, '--format', 'json']);
    await waitUntil(() => tail.stderr().includes('tailing'), 20_000, `tail to start: ${tail.stderr()}`);
    const pub = await runCli(['publish', 'validation.started', '--data', started, '--redis', asDefault('/0'), '--namespace', ns]);
    expect(pub.code, pub.stderr).toBe(0);
    await waitUntil(() => tail.stdout().includes('c-1'), 20_000, `the event: ${tail.stdout()}`);
    tail.child.kill('SIGINT');
    expect(await tail.exited).toBe(0);
    expect(tail.stderr()).toContain(`tailing "*" on redis://${hostPort()}/0?password=*** (namespace ${ns})`);
    expect(pub.stderr).toContain(`to redis://${hostPort()}/0?password=*** (namespace ${ns})`);
    for (const out of [tail.stdout(), tail.stderr(), pub.stdout, pub.stderr]) expect(out).not.toContain(SECRET);
  });

  it('connection errors hide the password of the user-info and of the query', async () => {
    const port = await closedPort();
    const url = `redis://app:${SECRET}@127.0.0.1:${port}/0?password=${SECRET}`;
    for (const args of [['publish', 'validation.started', '--data', started], ['tail', '*'], ['replay', '*']]) {
      const r = await runCli([...args, '--redis', url], 20_000);
      expect(r.code, r.stderr).toBe(1);
      expect(oneLine(r.stderr)).toContain(`redis://app:***@127.0.0.1:${port}/0?password=***`);
      expect(r.stderr).not.toContain(SECRET);
    }
  });

  it('a password with an unencoded # is a usage error that shows only scheme, host and port', async () => {
    for (const args of [['publish', 'validation.started', '--data', started], ['tail', '*'], ['replay', '*'], ['publish', 'validation.started', '--data', started, '--durable']]) {
      const r = await runCli([...args, '--redis', `redis://app:pa#${SECRET}@${hostPort()}/0`]);
      expect(r.code, r.stderr).toBe(2);
      const line = oneLine(r.stderr);
      expect(line).toContain(`--redis: does not parse as a URL (redis://${hostPort()}, credentials not shown); percent-encode`);
      expect(r.stderr).not.toMatch(/pa#|s3cret/);
    }
  });
});

describe('the database of --redis', () => {
  it.each([['/abc'], ['/1.5'], ['/-1'], ['/tmp/redis.sock'], ['?db=x']])('%s is a usage error for every command, before connecting', async (path) => {
    for (const args of [['publish', 'validation.started', '--data', started], ['publish', 'validation.started', '--data', started, '--durable'], ['tail', '*'], ['tail', '*', '--durable'], ['replay', '*']]) {
      const r = await runCli([...args, '--redis', `redis://${hostPort()}${path}`]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      const line = oneLine(r.stderr);
      expect(line).toMatch(/^dotbus: --redis: database ".*" \(.*\) must be a whole number from 0; the server's `databases` setting decides the highest/);
      expect(r.stderr).not.toContain('ReplyError');
    }
  });

  it('one the server does not have (16 databases) fails naming it, and nothing goes to database 0', async () => {
    const ns = `db99-${process.pid}`;
    for (const args of [['publish', 'validation.started', '--data', started, '--durable', '--namespace', ns], ['publish', 'validation.started', '--data', started, '--namespace', ns], ['tail', 'validation.*'], ['replay', '*', '--namespace', ns]]) {
      const r = await refusal([...args, '--redis', asDefault('/99')]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(1);
      const line = oneLine(r.stderr);
      expect(line).toContain('Redis refused database 99 (ERR DB index is out of range)');
      expect(line).toContain("the server's `databases` setting decides the highest");
      expect(r.stdout).toBe('');
    }
    expect((await keysOfDb0()).filter((k) => k.includes(ns))).toEqual([]);
  });
});

describe('--namespace and the URL scheme are usage errors (exit 2) in every mode', () => {
  it.each([['a:b'], ['ñs'], ['x\u202ey'], ['{ns}'], ['']])('namespace %j', async (ns) => {
    for (const args of [['publish', 'validation.started', '--data', started], ['publish', 'validation.started', '--data', started, '--durable'], ['tail', '*'], ['tail', '*', '--durable'], ['replay', '*']]) {
      const r = await runCli([...args, '--redis', asDefault(), '--namespace', ns]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(oneLine(r.stderr)).toContain('--namespace: must be 1–200 printable ASCII characters without spaces');
      expect(r.stderr).not.toMatch(/[\u202e]/);
    }
  });

  it('a URL that is not redis:// or rediss://', async () => {
    for (const args of [['publish', 'validation.started', '--data', started], ['tail', '*'], ['replay', '*']]) {
      const r = await runCli([...args, '--redis', `http://app:${SECRET}@${hostPort()}`]);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).toBe(2);
      expect(oneLine(r.stderr)).toContain(`--redis: http://app:***@${hostPort()} must start with redis:// or rediss://`);
      expect(r.stderr).not.toContain(SECRET);
    }
  });
});

describe('--data nested too deep', () => {
  it('says how deep data may be, not "Maximum call stack size exceeded"', async () => {
    const deep = `${'['.repeat(60_000)}${']'.repeat(60_000)}`;
    const r = await runCli(['publish', 'validation.started', '--data', deep]);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toContain('--data is not valid JSON (too-deep): nested more than 256 levels deep');
  });
});

describe('replay against a Redis that accepts connections and never answers', () => {
  it('fails within the connection timeout, naming the connection', async () => {
    const sockets: Socket[] = [];
    const silent = createServer((s) => void sockets.push(s));
    await new Promise<void>((r) => silent.listen(0, '127.0.0.1', r));
    const port = (silent.address() as { port: number }).port;
    try {
      const r = await runCli(['replay', '*', '--redis', `redis://app:${SECRET}@127.0.0.1:${port}`], 60_000);
      expect(r.code).toBe(1);
      expect(oneLine(r.stderr)).toMatch(new RegExp(`^dotbus: replay from redis://app:\\*\\*\\*@127\\.0\\.0\\.1:${port} failed: Redis replay connection to redis://127\\.0\\.0\\.1:${port} not up after 3000 ms \\(no reply\\)`));
      expect(r.stderr).not.toContain(SECRET);
    } finally {
      for (const s of sockets) s.destroy();
      await new Promise((r) => silent.close(r));
    }
  });
});

describe('what Redis refuses an ACL user', () => {
  it('replay names the URL\'s user when the credentials are wrong', async () => {
    const r = await runCli(['replay', '*', '--redis', asUser({ ...NO_CHANNELS, password: 'wrong-pw' })], 20_000);
    expect(r.code).toBe(1);
    const line = oneLine(r.stderr);
    expect(line).toContain('Redis rejected the credentials for user ghost: WRONGPASS');
    expect(line).not.toContain('wrong-pw');
  });

  it('tail reports a refused subscription at once, naming the user and the channels to grant', async () => {
    const ns = `noperm-${process.pid}`;
    const r = await refusal(['tail', 'validation.*', '--redis', asUser(NO_CHANNELS), '--namespace', ns]);
    expect(r.code).toBe(1);
    const line = oneLine(r.stderr);
    expect(line).toContain(`cannot subscribe to "validation.*" on Redis at redis://ghost:***@${hostPort()}`);
    expect(line).toMatch(/Redis refused P?SUBSCRIBE to user ghost \(NOPERM/);
    expect(line).toContain(`ACL SETUSER ghost `);
    expect(line).toContain(`&${ns}:validation.*`);
    expect(line).not.toContain('did not confirm the subscriptions within');
  });

  it('tail --durable stops, naming what is missing, when Redis refuses XREADGROUP', async () => {
    const ns = `noread-${process.pid}`;
    const r = await refusal(['tail', 'validation.*', '--durable', '--redis', asUser(NO_XREADGROUP), '--namespace', ns]);
    expect(r.code).toBe(1);
    const last = r.stderr.trim().split('\n').at(-1)!;
    expect(last).toContain(`dotbus: stopped tailing redis://noread:***@${hostPort()}`);
    expect(last).toMatch(/Redis refused XREADGROUP to user noread \(NOPERM[^)]*\); grant what is missing: ACL SETUSER noread \+xreadgroup/);
  });

  it('a user without INFO causes no ioredis warning on stderr', async () => {
    const ns = `noinfo-${process.pid}`;
    const pub = await runCli(['publish', 'validation.started', '--data', started, '--durable', '--redis', asUser(NO_INFO), '--namespace', ns]);
    expect(pub.code, pub.stderr).toBe(0);
    const r = await runCli(['replay', '*', '--redis', asUser(NO_INFO), '--namespace', ns]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stderr).not.toContain('ready check');
    expect(r.stderr.trim().split('\n')).toEqual([`dotbus: replayed 1 event(s) matching "*" from namespace ${ns}`]);
  });
});
