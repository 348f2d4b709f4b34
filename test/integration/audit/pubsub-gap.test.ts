import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { Redis } from 'ioredis';
import { afterAll, describe, expect, it } from 'vitest';
import { createBus, type EventBus } from '../../../src/index.js';
import { redisPubSub } from '../../../src/redis/index.js';
import { OrderProbe } from '../../conformance/audit-samples.js';
import { redisForCliSuite, runCli, watchCli } from '../../cli/run-cli.js';
import { waitFor } from '../../helpers/wait.js';

const redis = redisForCliSuite();
const dir = mkdtempSync(join(tmpdir(), 'dotbus-audit-gap-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

/** Events and the losses gap records declare, read with a connection of the test's own. */
function stored(db: string): { events: number; gaps: number; lost: number } {
  let conn: Database.Database;
  try {
    conn = new Database(db, { readonly: true, fileMustExist: true });
  } catch {
    return { events: 0, gaps: 0, lost: 0 };
  }
  try {
    const events = conn.prepare<[], { n: number }>("SELECT count(*) AS n FROM audit_records WHERE kind = 'event' AND type = 'order.placed'").get()!.n;
    const gaps = conn.prepare<[], { body: string }>("SELECT body FROM audit_records WHERE kind = 'gap'").all().map((r) => JSON.parse(r.body) as { lost: number });
    return { events, gaps: gaps.length, lost: gaps.reduce((sum, g) => sum + g.lost, 0) };
  } catch (e) {
    if (/no such table/.test(String(e))) return { events: 0, gaps: 0, lost: 0 };
    throw e;
  } finally {
    conn.close();
  }
}

async function publish(producer: EventBus<never>, from: number, count: number): Promise<void> {
  for (let i = from; i < from + count; i++) {
    const receipt = await producer.publish(OrderProbe.create('order.placed', { n: i, contextId: 'x'.repeat(8_000) }) as never);
    expect(receipt.status).toBe('accepted');
  }
}

describe('dotbus audit record over Pub/Sub: events lost on the way', () => {
  it('writes a gap record for events Redis dropped while the recorder could not keep up, and stats and query show it', async () => {
    const ns = `audit-gap-${process.pid}`;
    const db = join(dir, 'gap.db');
    const raw = new Redis(redis.url);
    const recorder = watchCli(['audit', 'record', 'order.*', '--redis', redis.url, '--namespace', ns, '--db', db]);
    await waitFor('the recorder subscribed', 30_000, () => recorder.stderr().includes('dotbus: recording'), () => recorder.stderr());
    const producer = createBus({ events: [OrderProbe], transport: redisPubSub({ connection: { url: redis.url }, namespace: ns }) }) as unknown as EventBus<never>;
    await producer.ready();
    let published = 0;
    await publish(producer, published, 20);
    published += 20;
    await waitFor('the first events recorded', 30_000, () => stored(db).events === published, () => JSON.stringify(stored(db)));

    // A subscriber that does not read is disconnected by Redis once 16 KiB wait for it: what a
    // slow or stalled consumer meets in production. Its messages are gone; only sequence numbers tell.
    await raw.config('SET', 'client-output-buffer-limit', 'pubsub 16kb 16kb 0');
    recorder.child.kill('SIGSTOP');
    const subscribers = async (): Promise<number> => String(await raw.call('CLIENT', 'LIST', 'TYPE', 'pubsub')).split('\n').filter((l) => l.trim() !== '').length;
    try {
      // The kernel's socket buffers take some megabytes first: publish until Redis gives up on it.
      while ((await subscribers()) > 0) {
        expect(published).toBeLessThan(20_000);
        await publish(producer, published, 100);
        published += 100;
      }
    } finally {
      recorder.child.kill('SIGCONT');
    }
    await waitFor('the recorder subscribed again', 30_000, async () => Number(await raw.call('PUBSUB', 'NUMPAT')) > 0, async () => recorder.stderr());
    await publish(producer, published, 20);
    published += 20;
    // Every published event is either in the log or counted by a gap record: nothing vanishes unnoticed.
    await waitFor('every event recorded or counted lost', 30_000, () => stored(db).events + stored(db).lost === published, () => `${JSON.stringify(stored(db))} of ${published}`);
    await producer.close();
    raw.disconnect();
    recorder.child.kill('SIGINT');
    expect(await recorder.exited).toBe(0);

    const { events, gaps, lost } = stored(db);
    expect(gaps).toBeGreaterThan(0);
    expect(lost).toBeGreaterThan(0);
    expect(events).toBeLessThan(published);
    expect(recorder.stderr()).toContain(`${gaps} gap(s) (${lost} event(s) lost)`);
    const stats = await runCli(['audit', 'stats', '--db', db]);
    expect(stats.code).toBe(0);
    expect(stats.stdout).toMatch(new RegExp(`lost\\s+${lost} event\\(s\\) in ${gaps} gap\\(s\\)`));
    const query = await runCli(['audit', 'query', '--db', db, '--limit', '1000']);
    expect(query.code).toBe(0);
    const gapLines = query.stdout.split('\n').filter((l) => l.includes('GAP'));
    expect(gapLines).toHaveLength(gaps);
    for (const l of gapLines) expect(l).toMatch(/\d+ event\(s\) lost \(sequence gap\) in order\.placed/);
    const json = await runCli(['audit', 'query', '--db', db, '--format', 'json', '--limit', '1000']);
    const records = json.stdout.trim().split('\n').map((l) => JSON.parse(l) as { auditrecord?: string; lost?: number; eventType?: string });
    const gapRecords = records.filter((r) => r.auditrecord === 'gap');
    expect(gapRecords).toHaveLength(gaps);
    expect(gapRecords.reduce((sum, g) => sum + g.lost!, 0)).toBe(lost);
    expect(gapRecords.every((g) => g.eventType === 'order.placed')).toBe(true);
    expect((await runCli(['audit', 'verify', '--db', db])).code).toBe(0);
  }, 180_000);

  it('counts exactly the numbers a producer skipped, from a raw client that jumps its sequence', async () => {
    const ns = `audit-jump-${process.pid}`;
    const db = join(dir, 'jump.db');
    const raw = new Redis(redis.url);
    const recorder = watchCli(['audit', 'record', '--redis', redis.url, '--namespace', ns, '--db', db]);
    await waitFor('the recorder subscribed', 30_000, () => recorder.stderr().includes('dotbus: recording'), () => recorder.stderr());
    const sequences = [1, 2, 3, 8, 9, 20];
    for (const seq of sequences) {
      const message = { specversion: '1.0', id: `jump-${seq}`, source: '/forged', type: 'order.placed', time: new Date().toISOString(), producerid: 'forged-producer', producerseq: String(seq), data: { n: seq } };
      await raw.publish(`${ns}:order.placed`, JSON.stringify(message));
    }
    const skipped = sequences.slice(1).reduce((sum, seq, i) => sum + seq - sequences[i]! - 1, 0);
    await waitFor('all seen', 30_000, () => stored(db).events === sequences.length && stored(db).lost === skipped, () => JSON.stringify(stored(db)));
    raw.disconnect();
    recorder.child.kill('SIGINT');
    expect(await recorder.exited).toBe(0);
    expect(stored(db)).toEqual({ events: sequences.length, gaps: 2, lost: skipped });
    const query = await runCli(['audit', 'query', 'order.*', '--db', db]);
    // Each gap record sits right before the event whose arrival revealed it.
    const kinds = query.stdout.trim().split('\n').map((l) => (l.includes('GAP') ? `gap ${/(\d+) event\(s\) lost \(sequence gap\) in order\.placed/.exec(l)?.[1]}` : /jump-\d+/.exec(l)?.[0]));
    expect(kinds).toEqual(['jump-1', 'jump-2', 'jump-3', 'gap 4', 'jump-8', 'jump-9', 'gap 10', 'jump-20']);
  }, 60_000);
});
