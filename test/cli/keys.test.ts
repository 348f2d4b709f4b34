import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { openSqliteStore, type AuditRecord } from '../../src/audit/index.js';
import { parseSigningKey } from '../../src/index.js';
import { waitUntil } from '../helpers/wait.js';
import { oneLine, redisForCliSuite, runCli, watchCli, type WatchedCli } from './run-cli.js';

const redis = redisForCliSuite();
const dir = mkdtempSync(join(tmpdir(), 'dotbus-keys-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const data = (contextId: string): string => JSON.stringify({ contextId, subject: 'order', status: 'started', errors: [] });

async function generate(name: string): Promise<string> {
  const out = join(dir, name);
  const r = await runCli(['keys', 'generate', '--out', out]);
  expect(r.code, r.stderr).toBe(0);
  return out;
}

/** Starts a reading command and waits until its stderr says it runs. */
async function started(args: readonly string[], ready: string): Promise<WatchedCli> {
  const cli = watchCli(args);
  await waitUntil(() => cli.stderr().includes(ready), 20_000, `${args[0]} to start: ${cli.stderr()}`);
  return cli;
}

describe('dotbus keys generate', () => {
  it('writes an id and a secret readable by the owner only, prints the id, refuses to overwrite without --force', async () => {
    const out = join(dir, 'first.key');
    const r = await runCli(['keys', 'generate', '--out', out]);
    expect(r.code, r.stderr).toBe(0);
    const key = parseSigningKey(readFileSync(out, 'utf8'));
    expect(r.stdout.trim()).toBe(key.id);
    expect(key.secret.byteLength).toBe(32);
    expect(statSync(out).mode & 0o777).toBe(0o600);
    expect(r.stdout + r.stderr).not.toContain(Buffer.from(key.secret).toString('base64url'));

    const again = await runCli(['keys', 'generate', '--out', out]);
    expect(again.code).toBe(2);
    expect(oneLine(again.stderr)).toContain('exists; keep it, or pass --force');
    expect(parseSigningKey(readFileSync(out, 'utf8')).id).toBe(key.id);

    writeFileSync(join(dir, 'open.key'), 'x', { mode: 0o644 });
    const forced = await runCli(['keys', 'generate', '--out', join(dir, 'open.key'), '--force']);
    expect(forced.code, forced.stderr).toBe(0);
    expect(statSync(join(dir, 'open.key')).mode & 0o777).toBe(0o600);
    expect(parseSigningKey(readFileSync(join(dir, 'open.key'), 'utf8')).id).toBe(forced.stdout.trim());
  });

  it('every reading command takes --verify-keys and --require-signed, and refuses --require-signed alone or a bad key file (exit 2)', async () => {
    const readers = [['tail'], ['replay', '*'], ['metrics'], ['alerts', 'run', '--rules', 'none.yaml'], ['audit', 'record', '--db', join(dir, 'x.db')]];
    for (const command of readers) {
      const alone = await runCli([...command, '--require-signed', '--redis', 'redis://127.0.0.1:1']);
      expect(alone.code, `${command.join(' ')}: ${alone.stderr}`).toBe(2);
      expect(oneLine(alone.stderr)).toContain('--require-signed needs --verify-keys');
      const missing = await runCli([...command, '--verify-keys', join(dir, 'missing.key'), '--redis', 'redis://127.0.0.1:1']);
      expect(missing.code, `${command.join(' ')}: ${missing.stderr}`).toBe(2);
      expect(oneLine(missing.stderr)).toContain('--verify-keys: cannot read');
    }
    for (const command of [['publish', 'validation.started', '--data', data('x')], ['demo'], ['audit', 'replay', '--redis', 'redis://127.0.0.1:1', '--db', join(dir, 'x.db')]]) {
      const bad = join(dir, 'bad.key');
      writeFileSync(bad, '{"keyId":"k"}', { mode: 0o600 });
      const r = await runCli([...command, '--signing-key', bad]);
      expect(r.code, `${command[0]}: ${r.stderr}`).toBe(2);
      expect(oneLine(r.stderr)).toContain('needs a `secret`');
    }
  });
});

describe('signed events through the command line', () => {
  it('tail --verify-keys --require-signed prints only what publish --signing-key signed with a key it holds', async () => {
    const good = await generate('tail-good.key');
    const other = await generate('tail-other.key');
    const namespace = `cli-signed-${process.pid}`;
    const tail = await started(['tail', 'validation.+', '--format', 'json', '--verify-keys', good, '--require-signed', '--namespace', namespace, '--redis', redis.url], 'tailing');
    const publish = (contextId: string, ...key: string[]) => runCli(['publish', 'validation.started', '--data', data(contextId), ...key, '--namespace', namespace, '--redis', redis.url]);
    for (const r of [await publish('unsigned'), await publish('other-key', '--signing-key', other), await publish('signed', '--signing-key', good)]) expect(r.code, r.stderr).toBe(0);
    await waitUntil(() => tail.stdout().includes('"signed"'), 20_000, `the signed event in tail's output: ${tail.stdout()} ${tail.stderr()}`);
    tail.child.kill('SIGINT');
    expect(await tail.exited).toBe(0);
    const lines = tail.stdout().trim().split('\n').map((l) => JSON.parse(l) as { data: { contextId: string } });
    expect(lines.map((l) => l.data.contextId)).toEqual(['signed']);
    expect(tail.stderr()).toContain('rejected (unsigned)');
  });

  it('audit record --verify-keys stores the key id of each signed event and records the refused ones as raw', async () => {
    const good = await generate('audit.key');
    const db = join(dir, 'signed.db');
    const namespace = `cli-audit-signed-${process.pid}`;
    const recorder = await started(['audit', 'record', 'validation.*', '--db', db, '--verify-keys', good, '--require-signed', '--namespace', namespace, '--redis', redis.url], 'recording');
    for (const key of [['--signing-key', good], []]) {
      const r = await runCli(['publish', 'validation.started', '--data', data(key.length > 0 ? 'signed' : 'unsigned'), ...key, '--namespace', namespace, '--redis', redis.url]);
      expect(r.code, r.stderr).toBe(0);
    }
    await waitUntil(() => recorder.stderr().includes('rejected (unsigned)'), 20_000, `the refusal: ${recorder.stderr()}`);
    recorder.child.kill('SIGINT');
    expect(await recorder.exited).toBe(0);
    const store = await openSqliteStore({ path: db });
    const records: AuditRecord[] = [];
    for await (const r of store.scan()) records.push(r);
    await store.close();
    expect(records.map((r) => [r.kind, r.keyId])).toEqual([['event', parseSigningKey(readFileSync(good, 'utf8')).id], ['raw', null]]);
    expect(records[1]!.reason).toContain('rejected (unsigned)');
  });

  it('replay --verify-keys --require-signed skips unsigned stream entries and says so', async () => {
    const good = await generate('replay.key');
    const namespace = `cli-replay-signed-${process.pid}`;
    for (const key of [['--signing-key', good], []]) {
      const r = await runCli(['publish', 'validation.started', '--durable', '--data', data(key.length > 0 ? 'signed' : 'unsigned'), ...key, '--namespace', namespace, '--redis', redis.url]);
      expect(r.code, r.stderr).toBe(0);
    }
    const r = await runCli(['replay', 'validation.*', '--format', 'json', '--verify-keys', good, '--require-signed', '--namespace', namespace, '--redis', redis.url]);
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout.trim().split('\n').map((l) => (JSON.parse(l) as { data: { contextId: string } }).data.contextId)).toEqual(['signed']);
    expect(r.stderr).toContain('skipped 1 matching entry');
    expect(r.stderr).toContain('rejected (unsigned)');
  });
});
