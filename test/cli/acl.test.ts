import { describe, expect, it } from 'vitest';
import { aclRulesFor, aclSetUserCommand } from '../../src/redis/index.js';
import { sendCommands } from '../helpers/redis/resp-client.js';
import { waitUntil } from '../helpers/wait.js';
import { oneLine, redisForCliSuite, runCli, watchCli } from './run-cli.js';

/** `dotbus acl` prints a tenant user's rules; the CLI then works as that user in its namespace only. */

const redis = redisForCliSuite();

describe('dotbus acl NAMESPACE', () => {
  it('prints the ACL SETUSER line of aclRulesFor, and says the password is left out', async () => {
    for (const [mechanism, list] of [['both', ['pubsub', 'streams']], ['pubsub', ['pubsub']], ['streams', ['streams']]] as const) {
      const r = await runCli(['acl', 'shop', '--user', 'shop-svc', '--mechanism', mechanism]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stdout).toBe(`${aclSetUserCommand('shop-svc', aclRulesFor({ namespace: 'shop', mechanism: list }))}\n`);
      expect(r.stderr).toContain('ACL SETUSER shop-svc >PASSWORD');
    }
    const byNamespace = await runCli(['acl', 'shop']);
    expect(byNamespace.stdout).toMatch(/^ACL SETUSER shop on /);
  });

  it('refuses a namespace the transports refuse (exit 2)', async () => {
    const r = await runCli(['acl', 'a:b']);
    expect(r.code).toBe(2);
    expect(oneLine(r.stderr)).toContain('namespace');
  });

  it('a user made from its line tails and publishes in its namespace with --subscribe-to namespace, and nowhere else', async () => {
    const ns = `cli-tenant-${process.pid}`;
    const user = `tenant-${process.pid}`;
    const line = (await runCli(['acl', ns, '--user', user, '--mechanism', 'pubsub'])).stdout.trim();
    // The namespace and user hold no quotes or spaces: the line splits as redis-cli would split it.
    await sendCommands(redis.port, [line.split(' '), ['ACL', 'SETUSER', user, '>tenant-pw']]);
    const url = redis.url.replace('redis://', `redis://${user}:tenant-pw@`);

    const refused = await runCli(['tail', 'order.*', '--redis', url, '--namespace', ns]);
    expect(refused.code).toBe(1);
    expect(oneLine(refused.stderr)).toContain(`grant what is missing: ACL SETUSER ${user} &${ns}:order.*`);

    const tail = watchCli(['tail', 'validation.*', '--redis', url, '--namespace', ns, '--subscribe-to', 'namespace', '--format', 'json']);
    await waitUntil(() => tail.stderr().includes('tailing'), 20_000, `tail to start: ${tail.stderr()}`);
    const data = JSON.stringify({ contextId: 'c-1', subject: 'order', status: 'started', errors: [] });
    const own = await runCli(['publish', 'validation.started', '--data', data, '--redis', url, '--namespace', ns]);
    expect(own.code, own.stderr).toBe(0);
    const foreign = await runCli(['publish', 'validation.started', '--data', data, '--redis', url, '--namespace', `${ns}-other`]);
    expect(foreign.code).toBe(1);
    expect(oneLine(foreign.stderr)).toContain(`grant what is missing: ACL SETUSER ${user} &${ns}-other:validation.started`);
    await waitUntil(() => tail.stdout().includes('c-1'), 20_000, `the event in tail's output: ${tail.stdout()} ${tail.stderr()}`);
    tail.child.kill('SIGINT');
    expect(await tail.exited).toBe(0);
    expect(JSON.parse(tail.stdout().trim())).toMatchObject({ type: 'validation.started', data: { contextId: 'c-1' } });
  });
});
