/**
 * `audit.ingest.sqlite` / `audit.ingest.postgres`: events appended to the audit log (duplicates skipped,
 * hash chain, checkpoints, type table, one transaction per batch of 500) against the raw driver
 * inserting the same rows (hashes computed beforehand) into the same table and indexes, in the
 * same batches, one transaction each. `audit.query.pattern`: a page of the newest 100 `order.*`
 * events out of 1,000,000 stored, reported with the plan SQLite uses.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import Database from 'better-sqlite3';
import pg from 'pg';
import { Type, defineEvent } from 'dotbus';
import { eventEntry, openPostgresStore, openSqliteStore, recordHash, type AuditEntry, type AuditStore } from 'dotbus/audit';
import { startPostgres } from '../../test/helpers/postgres/postgres-server.js';
import { compareThroughput, minRatio, type BenchConfig, type CaseResult } from '../harness.js';

const BATCH = 500;
const Order = defineEvent({
  name: 'BenchOrder',
  type: ['order.placed', 'order.shipped', 'payment.captured', 'stock.reserved'],
  version: '1.0.0',
  schema: Type.Object({ orderId: Type.String(), total: Type.Number(), contextId: Type.String() }),
});

function entries(n: number, offset = 0): AuditEntry[] {
  return Array.from({ length: n }, (_, k) => {
    const i = offset + k;
    return eventEntry(Order.create(Order.types[i % 4]!, { orderId: `o-${i}`, total: i % 1000, contextId: `ctx-${i % 97}` }, { timestamp: new Date(1_735_689_600_000 + i) }));
  });
}

/** Rows as the store would write them after `last`, hashes included: the raw baseline's input. */
function rowsOf(list: readonly AuditEntry[], last: { position: number; hash: string }): unknown[][] {
  const now = Date.now();
  return list.map((e) => {
    const position = ++last.position;
    const hash = recordHash(last.hash, position, now, e);
    const row = [position, now, e.kind, e.eventId, e.type, e.time, e.source, e.contextId, e.traceId, e.reason, e.body, last.hash, hash];
    last.hash = hash;
    return row;
  });
}

const COLUMNS = 'position, recorded_at, kind, event_id, type, time, source, context_id, trace_id, reason, body, prev_hash, hash';

export async function auditIngestSqlite(cfg: BenchConfig): Promise<CaseResult> {
  const dir = mkdtempSync(join(tmpdir(), 'dotbus-bench-audit-'));
  let file = 0;
  try {
    const subject = async (n: number): Promise<number> => {
      const store = await openSqliteStore({ path: join(dir, `s-${file++}.db`) });
      const list = entries(n);
      const start = performance.now();
      for (let i = 0; i < n; i += BATCH) await store.append(list.slice(i, i + BATCH));
      const s = (performance.now() - start) / 1000;
      await store.close();
      return s;
    };
    const baseline = async (n: number): Promise<number> => {
      // The store's own schema and pragmas, made by opening (and closing) a store on the file.
      const path = join(dir, `b-${file++}.db`);
      await (await openSqliteStore({ path })).close();
      const db = new Database(path);
      db.pragma('journal_mode = WAL');
      db.pragma('synchronous = FULL');
      const rows = rowsOf(entries(n), { position: 0, hash: '0'.repeat(64) });
      const insert = db.prepare(`INSERT INTO audit_records (${COLUMNS}) VALUES (${COLUMNS.split(',').map(() => '?').join(', ')})`);
      const batch = db.transaction((part: unknown[][]) => {
        for (const r of part) insert.run(r);
      });
      const start = performance.now();
      for (let i = 0; i < n; i += BATCH) batch(rows.slice(i, i + BATCH));
      const s = (performance.now() - start) / 1000;
      db.close();
      return s;
    };
    const c = await compareThroughput(cfg, baseline, subject, 2_000);
    return minRatio('audit.ingest.sqlite', 'events/s', c, 'better-sqlite3, batched inserts', 0.6, { batch: BATCH });
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export async function auditIngestPostgres(cfg: BenchConfig): Promise<CaseResult> {
  const server = await startPostgres();
  let db = 0;
  try {
    const subject = async (n: number): Promise<number> => {
      const store = await openPostgresStore({ url: await server.createDatabase(`s${db++}`) });
      const list = entries(n);
      const start = performance.now();
      for (let i = 0; i < n; i += BATCH) await store.append(list.slice(i, i + BATCH));
      const s = (performance.now() - start) / 1000;
      await store.close();
      return s;
    };
    const baseline = async (n: number): Promise<number> => {
      const url = await server.createDatabase(`b${db++}`);
      await (await openPostgresStore({ url })).close();
      const client = new pg.Client({ connectionString: url });
      await client.connect();
      const rows = rowsOf(entries(n), { position: 0, hash: '0'.repeat(64) });
      const start = performance.now();
      for (let i = 0; i < n; i += BATCH) {
        const part = rows.slice(i, i + BATCH);
        const values = part.map((_, r) => `(${Array.from({ length: 13 }, (_, c) => `$${r * 13 + c + 1}`).join(', ')})`).join(', ');
        await client.query('BEGIN');
        await client.query(`INSERT INTO audit_records (${COLUMNS}) VALUES ${values}`, part.flat());
        await client.query('COMMIT');
      }
      const s = (performance.now() - start) / 1000;
      await client.end();
      return s;
    };
    const c = await compareThroughput(cfg, baseline, subject, 2_000);
    return minRatio('audit.ingest.postgres', 'events/s', c, 'pg, multi-row inserts', 0.6, { batch: BATCH });
  } finally {
    await server.stop();
  }
}

export async function auditQueryPattern(cfg: BenchConfig): Promise<CaseResult> {
  const dir = mkdtempSync(join(tmpdir(), 'dotbus-bench-audit-q-'));
  const total = cfg.quick ? 20_000 : 1_000_000;
  let store: AuditStore | undefined;
  try {
    store = await openSqliteStore({ path: join(dir, 'q.db'), synchronous: 'normal' });
    for (let i = 0; i < total; i += 5_000) await store.append(entries(Math.min(5_000, total - i), i));
    const query = { pattern: 'order.*', order: 'newest' as const, limit: 100 };
    const plan = (await store.explain(query)).join('; ');
    const rounds: number[] = [];
    for (let r = 0; r < cfg.rounds; r++) {
      const n = cfg.quick ? 5 : 200;
      const start = performance.now();
      for (let i = 0; i < n; i++) await store.query(query);
      rounds.push(n / ((performance.now() - start) / 1000));
    }
    rounds.sort((a, b) => a - b);
    const value = rounds[rounds.length >> 1]!;
    return { name: 'audit.query.pattern', unit: 'queries/s', value, baseline: null, baselineName: null, ratio: null, target: 'reported', pass: null, details: { stored: total, page: 100, plan } };
  } finally {
    await store?.close();
    rmSync(dir, { recursive: true, force: true });
  }
}
