import { execFileSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventEntry, gapEntry, openSqliteStore } from '../../src/audit/index.js';
import { orderEvents } from '../conformance/audit-samples.js';
import { buildOnce, oneLine, runCli } from './run-cli.js';

const dir = mkdtempSync(join(tmpdir(), 'dotbus-audit-cli-'));
const db = join(dir, 'log.db');
const events = orderEvents(12);
beforeAll(async () => {
  buildOnce();
  const store = await openSqliteStore({ path: db });
  await store.append([...events.map(eventEntry), gapEntry({ lost: 2, eventType: 'order.placed' })]);
  await store.close();
}, 120_000);
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('dotbus audit', () => {
  it('query --format json prints each event exactly as recorded, one per line', async () => {
    const r = await runCli(['audit', 'query', 'order.+', '--format', 'json', '--db', db]);
    expect(r.code).toBe(0);
    const lines = r.stdout.trim().split('\n');
    const placed = events.filter((e) => /^order\.[a-z]+$/.test(e.eventType));
    expect(lines.slice(0, placed.length)).toEqual(placed.map((e) => JSON.stringify(e)));
    expect(JSON.parse(lines.at(-1)!)).toMatchObject({ auditrecord: 'gap', lost: 2 });
  });

  it('query filters by context, newest first, with a limit', async () => {
    const r = await runCli(['audit', 'query', '--context', 'ctx-1', '--newest', '--limit', '2', '--db', db]);
    expect(r.code).toBe(0);
    const ids = events.filter((_, i) => i % 5 === 1).map((e) => e.eventId).reverse().slice(0, 2);
    expect(r.stdout.trim().split('\n').map((l) => ids.findIndex((id) => l.includes(id)))).toEqual([0, 1]);
  });

  it('verify exits 0 with the count; stats shows families and gaps', async () => {
    const v = await runCli(['audit', 'verify', '--db', db]);
    expect(v.code).toBe(0);
    expect(v.stdout).toMatch(/^verified 13 record\(s\) of .* \(positions 1–13\); head [0-9a-f]{64}\n$/);
    const s = await runCli(['audit', 'stats', '--db', db]);
    expect(s.code).toBe(0);
    expect(s.stdout).toMatch(/records +13 .*12 event\(s\), 0 raw, 1 gap\(s\)/);
    expect(s.stdout).toMatch(/lost +2 event\(s\) in 1 gap\(s\)/);
  });

  it('verify exits 1 with one line naming the first broken record after a change with sqlite3', async () => {
    const copy = join(dir, 'tampered.db');
    execFileSync('sqlite3', [db, `VACUUM INTO '${copy}'`]);
    execFileSync('sqlite3', [copy, 'DELETE FROM audit_records WHERE position = 4']);
    const r = await runCli(['audit', 'verify', '--db', copy]);
    expect(r.code).toBe(1);
    expect(oneLine(r.stderr)).toBe(`dotbus: verify failed: record at position 4 removed: 1 record(s) missing from position 4 (the next one present is position 5, event id ${events[4]!.eventId})`);
  });

  it('refuses bad arguments with exit 2', async () => {
    for (const args of [['query', 'order*'], ['query', '--limit', '0'], ['query', '--from', 'yesterday'], ['replay', '--speed', 'fast', '--redis', 'redis://127.0.0.1:1'], ['record']]) {
      const r = await runCli(['audit', ...args, '--db', db]);
      expect(r.code, args.join(' ')).toBe(2);
      oneLine(r.stderr);
    }
  });

  it('a log path that does not exist is exit 2 for the commands that read, and creates no file', async () => {
    const missing = join(dir, 'typo.db');
    for (const args of [['verify'], ['query'], ['stats'], ['replay', '--redis', 'redis://127.0.0.1:1']]) {
      const r = await runCli(['audit', ...args, '--db', missing]);
      expect(r.code, args.join(' ')).toBe(2);
      expect(oneLine(r.stderr)).toContain(`no audit log at ${missing}; record one with \`dotbus audit record --db ${missing}\``);
      expect(existsSync(missing)).toBe(false);
    }
  });
});
