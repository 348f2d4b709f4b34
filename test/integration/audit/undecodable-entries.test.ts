import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createBus } from '../../../src/index.js';
import { redisStreams } from '../../../src/redis/index.js';
import { OrderProbe } from '../../conformance/audit-samples.js';
import { redisForCliSuite, runCli, watchCli, type WatchedCli } from '../../cli/run-cli.js';
import { waitFor } from '../../helpers/wait.js';

const GOOD_PER_ROUND = 1_000;
const ROUNDS = 4;
/** Default maxMessageBytes of the Streams transport (4 MiB), which the recorder keeps. */
const OVERSIZE = 4 * 1024 * 1024 + 1;
const redis = redisForCliSuite();
const dir = mkdtempSync(join(tmpdir(), 'dotbus-audit-undecodable-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** The entries a hostile or broken producer writes next to good events, with the bytes the log must keep. */
function hostile(round: number): { name: string; fields: (string | Buffer)[]; kept: string | Buffer }[] {
  const envelope = (type: string, data: unknown): string =>
    JSON.stringify({ specversion: '1.0', id: `h-${round}-${type}`, source: '/hostile', type, time: new Date().toISOString(), data });
  const binary = Buffer.from([0xff, 0xfe, 0x7b, 0x00, 0xc3, 0x28, round]);
  const cases = [
    { name: 'malformed JSON', m: `{"specversion": "1.0", "id": "broken-${round}"` },
    { name: 'not a CloudEvent', m: `{"hello": ${round}}` },
    { name: 'schema violation', m: envelope('performance.metric.recorded', { contextId: '' }), t: 'performance.metric.recorded' },
    { name: 'type mismatch', m: envelope('order.shipped', { n: round }) },
    { name: 'control characters', m: `\u0000\u001b[2J${round}\ud800` },
  ];
  return [
    ...cases.map((c) => ({ name: c.name, fields: ['t', c.t ?? 'order.placed', 'm', c.m], kept: c.m })),
    { name: 'not UTF-8', fields: ['t', 'order.placed', 'm', binary], kept: binary },
    { name: 'oversize', fields: ['t', 'order.placed', 'm', 'x'.repeat(OVERSIZE)], kept: 'x'.repeat(OVERSIZE) },
    { name: 'no message field', fields: ['t', 'order.placed', 'i', `no-message-${round}`], kept: '' },
  ];
}

interface RawRow {
  readonly event_id: string;
  readonly reason: string;
  readonly body: string;
}

/** The raw and order rows of the log, read with a connection of the test's own. */
function stored(db: string): { orders: number; raw: RawRow[] } {
  let conn: Database.Database;
  try {
    conn = new Database(db, { readonly: true, fileMustExist: true });
  } catch {
    return { orders: 0, raw: [] };
  }
  try {
    const orders = conn.prepare<[], { n: number }>("SELECT count(*) AS n FROM audit_records WHERE type LIKE 'order.%'").get()!.n;
    const raw = conn.prepare<[], RawRow>("SELECT event_id, reason, body FROM audit_records WHERE kind = 'raw'").all();
    return { orders, raw };
  } catch (e) {
    if (/no such table/.test(String(e))) return { orders: 0, raw: [] };
    throw e;
  } finally {
    conn.close();
  }
}

describe('dotbus audit record --durable: undecodable entries', () => {
  it('keeps each one raw with its bytes and reason, exactly once across a SIGKILL, acknowledged only once committed', async () => {
    const ns = `audit-undecodable-${process.pid}`;
    const key = `{${ns}}:events`;
    const db = join(dir, 'undecodable.db');
    const args = ['audit', 'record', '--redis', redis.url, '--namespace', ns, '--durable', '--db', db];
    const start = async (): Promise<WatchedCli> => {
      const cli = watchCli(args);
      await waitFor('the recorder subscribed', 30_000, () => cli.stderr().includes('dotbus: recording'), () => cli.stderr());
      return cli;
    };
    const raw = new Redis(redis.url);
    const producer = createBus({ events: [OrderProbe], transport: redisStreams({ connection: { url: redis.url }, namespace: ns }) });
    let recorder = await start();
    await producer.ready();
    const expected = new Map<string, { name: string; kept: string | Buffer }>();
    let good = 0;
    for (let round = 0; round < ROUNDS; round++) {
      const receipts = await producer.publishBatch(Array.from({ length: GOOD_PER_ROUND }, (_, k) => OrderProbe.create('order.placed', { n: good + k })));
      expect(receipts.every((r) => r.status === 'accepted')).toBe(true);
      good += GOOD_PER_ROUND;
      for (const h of hostile(round)) expected.set(`${key}/${String(await raw.xadd(key, '*', ...h.fields))}`, h);
      if (round === 1) {
        // Killed while the second round is being recorded; the rounds after it arrive while it is down.
        await waitFor('some recorded before the kill', 60_000, () => stored(db).orders > 0, () => JSON.stringify(stored(db).orders));
        recorder.child.kill('SIGKILL');
        await recorder.exited;
      }
    }
    await producer.close();
    recorder = await start();
    const progress = (): string => `${stored(db).orders} orders, ${stored(db).raw.length} raw; ${recorder.stderr()}`;
    await waitFor('everything recorded', 120_000, () => stored(db).orders >= good && stored(db).raw.length >= expected.size, progress, undefined, 200);
    const pending = async (): Promise<number> => Number(((await raw.xpending(key, 'dotbus-audit')) as unknown[])[0]);
    await waitFor('no pending entries', 60_000, async () => (await pending()) === 0, async () => `pending ${await pending()}`, undefined, 200);
    recorder.child.kill('SIGINT');
    expect(await recorder.exited).toBe(0);

    const { orders, raw: rows } = stored(db);
    expect(orders).toBe(good);
    // Each hostile entry exactly once, under its stream key and id, with its bytes and reason.
    expect(rows.map((r) => r.event_id).sort()).toEqual([...expected.keys()].sort());
    for (const row of rows) {
      const h = expected.get(row.event_id)!;
      const body = JSON.parse(row.body) as { text?: string; base64?: string };
      const kept = typeof h.kept === 'string' ? Buffer.from(h.kept, 'utf8') : h.kept;
      const back = body.base64 !== undefined ? Buffer.from(body.base64, 'base64') : Buffer.from(body.text!, 'utf8');
      expect({ name: h.name, same: back.equals(kept) }).toEqual({ name: h.name, same: true });
      expect(row.reason.length).toBeGreaterThan(0);
    }
    // Kept in the log, not dead-lettered.
    expect(await raw.xlen(`{${ns}}:dead-letter`)).toBe(0);
    raw.disconnect();
    const verify = await runCli(['audit', 'verify', '--db', db], 60_000);
    expect(verify.code).toBe(0);
  }, 300_000);
});
