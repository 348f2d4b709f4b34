import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { eventEntry, openSqliteStore } from '../../src/audit/index.js';
import { defineEvent, Type } from '../../src/index.js';
import { sendCommands } from '../helpers/redis/resp-client.js';
import { waitUntil } from '../helpers/wait.js';
import { cliFixture, redisForCliSuite, runCli, watchCli } from './run-cli.js';

/**
 * Fields an `--events` module marks sensitive never reach the terminal: `tail`, `replay` and
 * `audit query`, pretty or JSON, show them as `***`; nothing else of the event is hidden.
 */

const redis = redisForCliSuite();
const events = ['--events', cliFixture('payment-events.js')];
const CARD = '4111111111111111';
const EMAIL = 'payer@example.org';
const payment = (orderId: string) => ({ orderId, amount: 12.5, card: { number: CARD, brand: 'visa' }, payers: [{ name: 'Ann', email: EMAIL }] });

function expectMasked(output: string, orderId: string): void {
  expect(output).toContain(orderId);
  expect(output).toContain('***');
  expect(output).toContain('visa');
  expect(output).not.toContain(CARD);
  expect(output).not.toContain(EMAIL);
}

describe('sensitive fields in the command output', () => {
  it('tail, pretty and json: masked; an invalid event is reported without its values', async () => {
    const ns = `cli-sensitive-tail-${process.pid}`;
    const [pretty, json] = [[], ['--format', 'json']].map((format) => watchCli(['tail', 'payment.*', '--redis', redis.url, '--namespace', ns, ...format, ...events]));
    await waitUntil(() => pretty!.stderr().includes('tailing') && json!.stderr().includes('tailing'), 20_000, `tail to start: ${pretty!.stderr()} ${json!.stderr()}`);
    const pub = await runCli(['publish', 'payment.captured', '--data', JSON.stringify(payment('o-tail')), '--redis', redis.url, '--namespace', ns, ...events]);
    expect(pub.code, pub.stderr).toBe(0);
    // Invalid for the schema (amount < 0): tail warns about it, naming fields, never quoting the card.
    const invalid = { specversion: '1.0', id: 'bad-1', source: '/shop', type: 'payment.captured', time: new Date().toISOString(), datacontenttype: 'application/json', schemaversion: '1.0.0', data: { ...payment('o-bad'), amount: -1 } };
    await sendCommands(redis.port, [['PUBLISH', `${ns}:payment.captured`, JSON.stringify(invalid)]]);
    await waitUntil(() => pretty!.stdout().includes('o-tail') && json!.stdout().includes('o-tail') && pretty!.stderr().includes('warning'), 20_000, `the events: ${pretty!.stdout()} ${pretty!.stderr()}`);
    for (const t of [pretty!, json!]) {
      t.child.kill('SIGINT');
      expect(await t.exited).toBe(0);
      expectMasked(t.stdout(), 'o-tail');
      expect(t.stderr()).not.toContain(CARD);
    }
    const printed = JSON.parse(json!.stdout().trim()) as { data: ReturnType<typeof payment> };
    expect(printed.data).toEqual({ ...payment('o-tail'), card: { number: '***', brand: 'visa' }, payers: [{ name: 'Ann', email: '***' }] });
    expect(pretty!.stderr()).toContain('does not match PaymentCaptured@1.0.0');
  });

  it('replay, pretty and json: masked', async () => {
    const ns = `cli-sensitive-replay-${process.pid}`;
    const pub = await runCli(['publish', 'payment.captured', '--data', JSON.stringify(payment('o-replay')), '--redis', redis.url, '--namespace', ns, '--durable', ...events]);
    expect(pub.code, pub.stderr).toBe(0);
    for (const format of [[], ['--format', 'json']]) {
      const r = await runCli(['replay', 'payment.*', '--redis', redis.url, '--namespace', ns, ...format, ...events]);
      expect(r.code, r.stderr).toBe(0);
      expect(r.stderr).toContain('replayed 1 event(s)');
      expectMasked(r.stdout, 'o-replay');
    }
  });
});

describe('sensitive fields in dotbus audit query --events', () => {
  const dir = mkdtempSync(join(tmpdir(), 'dotbus-sensitive-'));
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('pretty and json: masked with the module, as recorded without it', async () => {
    // The same schema as the fixture's, defined here so that the test can create the events.
    const Captured = defineEvent({
      type: 'payment.captured',
      version: '1.0.0',
      schema: Type.Object({ orderId: Type.String(), amount: Type.Number(), card: Type.Object({ number: Type.String(), brand: Type.String() }), payers: Type.Array(Type.Object({ name: Type.String(), email: Type.String() })) }),
    });
    const db = join(dir, 'log.db');
    const store = await openSqliteStore({ path: db });
    await store.append([eventEntry(Captured.create(payment('o-audit')))]);
    await store.close();
    for (const format of [[], ['--format', 'json']]) {
      const masked = await runCli(['audit', 'query', 'payment.*', '--db', db, ...format, ...events]);
      expect(masked.code, masked.stderr).toBe(0);
      expectMasked(masked.stdout, 'o-audit');
      const asRecorded = await runCli(['audit', 'query', 'payment.*', '--db', db, ...format]);
      expect(asRecorded.stdout).toContain(CARD);
    }
  });
});
