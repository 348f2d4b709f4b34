import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { afterAll, describe, expect, it } from 'vitest';
import { createBus } from '../../../src/index.js';
import { redisStreams } from '../../../src/redis/index.js';
import { OrderProbe } from '../../conformance/audit-samples.js';
import { redisForCliSuite, runCli, watchCli, type WatchedCli } from '../../cli/run-cli.js';
import { sendCommands } from '../../helpers/redis/resp-client.js';
import { waitFor } from '../../helpers/wait.js';

const TOTAL = 50_000;
const redis = redisForCliSuite();
const dir = mkdtempSync(join(tmpdir(), 'dotbus-audit-crash-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Order events in the log, read with a connection of the test's own (the recorder holds the writer). */
function recorded(db: string): { rows: number; distinct: number } {
  let conn: Database.Database;
  try {
    conn = new Database(db, { readonly: true, fileMustExist: true });
  } catch {
    return { rows: 0, distinct: 0 }; // no file yet
  }
  try {
    const r = conn.prepare<[], { rows: number; ids: number }>("SELECT count(*) AS rows, count(DISTINCT event_id) AS ids FROM audit_records WHERE type LIKE 'order.%'").get()!;
    return { rows: r.rows, distinct: r.ids };
  } catch (e) {
    if (/no such table/.test(String(e))) return { rows: 0, distinct: 0 }; // not created yet
    throw e;
  } finally {
    conn.close();
  }
}

describe('dotbus audit record --durable, killed mid-stream', () => {
  it(`holds each of ${TOTAL} events exactly once after a SIGKILL and a restart, and verifies`, async () => {
    const ns = `audit-crash-${process.pid}`;
    const db = join(dir, 'crash.db');
    const args = ['audit', 'record', 'order.*', '--redis', redis.url, '--namespace', ns, '--durable', '--db', db];
    const start = async (): Promise<WatchedCli> => {
      const cli = watchCli(args);
      await waitFor('the recorder subscribed', 30_000, () => cli.stderr().includes('dotbus: recording'), () => cli.stderr());
      return cli;
    };
    let recorder = await start();
    const producer = createBus({ events: [OrderProbe], transport: redisStreams({ connection: { url: redis.url }, namespace: ns }) });
    await producer.ready();
    const ids: string[] = [];
    let killedAt = -1;
    for (let i = 0; i < TOTAL; i += 1_000) {
      const batch = Array.from({ length: 1_000 }, (_, k) => OrderProbe.create(OrderProbe.types[(i + k) % 3]!, { n: i + k }));
      ids.push(...batch.map((e) => e.eventId));
      const receipts = await producer.publishBatch(batch);
      expect(receipts.every((r) => r.status === 'accepted')).toBe(true);
      if (killedAt < 0 && i >= TOTAL / 2) {
        // Kill it mid-stream, once a good share is committed, while events are still coming.
        await waitFor('a fifth recorded before the kill', 120_000, () => recorded(db).rows >= TOTAL / 5, () => JSON.stringify(recorded(db)));
        killedAt = recorded(db).rows;
        recorder.child.kill('SIGKILL');
        await recorder.exited;
      }
    }
    await producer.close();
    expect(killedAt).toBeGreaterThan(0);
    expect(killedAt).toBeLessThan(TOTAL);
    recorder = await start();
    await waitFor('every event recorded', 180_000, () => recorded(db).rows >= TOTAL, () => `${JSON.stringify(recorded(db))}; ${recorder.stderr()}`, undefined, 200);
    // Nothing left pending in the group: everything committed was acknowledged (claims included).
    const pendingOf = async (): Promise<number> => Number(((await sendCommands(redis.port, [['XPENDING', `{${ns}}:events`, 'dotbus-audit']])) as unknown[][])[0]![0]);
    await waitFor('no pending entries', 60_000, async () => (await pendingOf()) === 0, async () => `pending ${await pendingOf()}`, undefined, 200);
    recorder.child.kill('SIGINT');
    expect(await recorder.exited).toBe(0);
    expect(recorder.stderr()).toMatch(/dotbus: recorded \d+ record\(s\)/);
    expect(recorded(db)).toEqual({ rows: TOTAL, distinct: TOTAL });
    const conn = new Database(db, { readonly: true });
    const stored = new Set(conn.prepare<[], { event_id: string }>("SELECT event_id FROM audit_records WHERE type LIKE 'order.%'").all().map((r) => r.event_id));
    conn.close();
    expect(ids.every((id) => stored.has(id))).toBe(true);
    const verify = await runCli(['audit', 'verify', '--db', db], 120_000);
    expect(verify.code).toBe(0);
    expect(verify.stdout).toMatch(/^verified \d+ record\(s\)/);
    console.log(`audit crash: killed after ${killedAt} of ${TOTAL} recorded; ${verify.stdout.trim()}`);
  }, 600_000);
});
