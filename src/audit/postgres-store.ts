import type Pg from 'pg';
import type { AuditCheckpoint, AuditEntry, AuditRecord } from './audit-record.js';
import type { AppendResult, AuditPage, AuditQuery, AuditStats, AuditStore, RetentionPolicy, VerifyResult } from './audit-store.js';
import { chainBatch, eventIdsOf } from './chain-batch.js';
import { ChainVerifier } from './chain-verifier.js';
import { loadDriver } from './load-driver.js';
import { POSTGRES_SCHEMA, SCHEMA_LOCK_KEY } from './postgres-schema.js';
import { querySql, type SqlDialect } from './query-sql.js';
import { GENESIS_HASH } from './record-hash.js';
import { retentionStart } from './retention.js';
import { pagesOf, scanPages, statsOf } from './store-common.js';
import { checkpointEvery, checkpointOf, RECORD_COLUMNS, recordOf, valuesOf, type CheckpointRow, type HeadRow, type RecordRow } from './store-rows.js';
import { matchingTypes, typeRangeOf } from './type-filter.js';

/** Options of {@link openPostgresStore}. */
export interface PostgresStoreOptions {
  /** `postgres://user:password@host:port/database`. */
  readonly url: string;
  /** Records between two checkpoints. @default 1_000 */
  readonly checkpointEvery?: number;
  /** Most connections the store opens. @default 4 */
  readonly maxConnections?: number;
  /** Longest a connection attempt may take, in ms. @default 10_000 */
  readonly connectTimeoutMs?: number;
}

const DIALECT: SqlDialect = {
  param: (n) => `$${n}`,
  inList: (column, n) => `${column} = ANY($${n}::text[])`,
  list: (values) => [...values],
};

/** Rows per page while `verify` reads the chain. */
const VERIFY_PAGE = 5_000;

/** `url` without its password, for messages. */
export function redactPostgresUrl(url: string): string {
  try {
    const u = new URL(url);
    if (u.password !== '') u.password = '***';
    u.searchParams.forEach((_, key) => {
      if (/pass/i.test(key)) u.searchParams.set(key, '***');
    });
    return u.toString();
  } catch {
    return 'postgres://(unparsable url)';
  }
}

/**
 * Opens an audit log in a PostgreSQL database (creating its tables when missing), through `pg`
 * (an optional peer dependency, loaded only here). Several services may append to one log: each
 * append holds the chain's head row (`SELECT … FOR UPDATE`) for its transaction.
 *
 * @example
 * ```ts
 * const store = await openPostgresStore({ url: process.env.AUDIT_DB! });
 * ```
 */
export async function openPostgresStore(options: PostgresStoreOptions): Promise<AuditStore> {
  const pg = await loadDriver<typeof Pg>('pg', 'npm install pg');
  const every = checkpointEvery(options.checkpointEvery);
  const pool = new pg.Pool({ connectionString: options.url, max: options.maxConnections ?? 4, connectionTimeoutMillis: options.connectTimeoutMs ?? 10_000 });
  // An idle connection that breaks is the pool's business, not an uncaught exception.
  pool.on('error', () => undefined);
  try {
    await inTransaction(pool, async (c) => {
      await c.query('SELECT pg_advisory_xact_lock($1)', [SCHEMA_LOCK_KEY]);
      await c.query(POSTGRES_SCHEMA);
      await c.query('INSERT INTO audit_head VALUES (1, 1, $1, 0, $1) ON CONFLICT (id) DO NOTHING', [GENESIS_HASH]);
    });
  } catch (e) {
    await pool.end().catch(() => undefined);
    throw e;
  }
  return new PostgresAuditStore(pool, `postgres ${redactPostgresUrl(options.url)}`, every);
}

async function inTransaction<T>(pool: Pg.Pool, work: (c: Pg.PoolClient) => Promise<T>, begin = 'BEGIN'): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query(begin);
    const result = await work(client);
    await client.query('COMMIT');
    return result;
  } catch (e) {
    await client.query('ROLLBACK').catch(() => undefined);
    throw e;
  } finally {
    client.release();
  }
}

class PostgresAuditStore implements AuditStore {
  #closed = false;

  constructor(
    private readonly pool: Pg.Pool,
    readonly description: string,
    private readonly every: number,
  ) {}

  append(entries: readonly AuditEntry[]): Promise<AppendResult> {
    return inTransaction(this.pool, async (c) => {
      const h = (await c.query<HeadRow>('SELECT * FROM audit_head WHERE id = 1 FOR UPDATE')).rows[0]!;
      const ids = eventIdsOf(entries);
      const stored = ids.length === 0 ? new Set<string>() : new Set((await c.query<{ event_id: string }>('SELECT event_id FROM audit_records WHERE event_id = ANY($1::text[])', [ids])).rows.map((r) => r.event_id));
      const batch = chainBatch({ lastPosition: Number(h.last_position), lastHash: h.last_hash }, entries, stored, Date.now(), this.every);
      if (batch.records.length > 0) {
        await c.query(
          `INSERT INTO audit_records (${RECORD_COLUMNS}) SELECT * FROM unnest($1::bigint[], $2::bigint[], $3::text[], $4::text[], $5::text[], $6::bigint[], $7::text[], $8::text[], $9::text[], $10::text[], $11::text[], $12::text[], $13::text[], $14::text[])`,
          columnsOf(batch.records),
        );
        const types = [...new Set(batch.records.flatMap((r) => (r.type === null ? [] : [r.type])))];
        if (types.length > 0) await c.query('INSERT INTO audit_types (type) SELECT unnest($1::text[]) ON CONFLICT DO NOTHING', [types]);
      }
      for (const cp of batch.checkpoints) await c.query('INSERT INTO audit_checkpoints VALUES ($1, $2, $3)', [cp.position, cp.hash, cp.createdAt]);
      await c.query('UPDATE audit_head SET last_position = $1, last_hash = $2 WHERE id = 1', [batch.head.lastPosition, batch.head.lastHash]);
      return { appended: batch.records.length, duplicates: batch.duplicates, lastPosition: batch.head.lastPosition };
    });
  }

  async query(query: AuditQuery = {}): Promise<AuditPage> {
    const types = query.pattern === undefined ? undefined : await this.#typesOf(query.pattern);
    if (types !== undefined && types.length === 0) return { records: [] };
    const q = querySql(query, types, DIALECT);
    const { rows } = await this.pool.query<RecordRow>(`SELECT ${RECORD_COLUMNS} FROM audit_records ${q.sql}`, q.params);
    return pagesOf(rows.map(recordOf), q.limit);
  }

  scan(query: Omit<AuditQuery, 'cursor'> = {}): AsyncGenerator<AuditRecord> {
    return scanPages(query, (q) => this.query(q));
  }

  async explain(query: AuditQuery): Promise<readonly string[]> {
    const types = query.pattern === undefined ? undefined : await this.#typesOf(query.pattern);
    const q = querySql(query, types ?? [], DIALECT);
    const { rows } = await this.pool.query<{ 'QUERY PLAN': string }>(`EXPLAIN SELECT ${RECORD_COLUMNS} FROM audit_records ${q.sql}`, q.params);
    return rows.map((r) => r['QUERY PLAN']);
  }

  verify(): Promise<VerifyResult> {
    // One snapshot: the chain and its head as of one moment, while recorders append.
    return inTransaction(
      this.pool,
      async (c) => {
        const h = (await c.query<HeadRow>('SELECT * FROM audit_head WHERE id = 1')).rows[0]!;
        const checkpoints = (await c.query<CheckpointRow>('SELECT * FROM audit_checkpoints ORDER BY position')).rows.map(checkpointOf);
        const verifier = new ChainVerifier(
          { firstPosition: Number(h.first_position), firstPrevHash: h.first_prev_hash, lastPosition: Number(h.last_position), lastHash: h.last_hash },
          checkpoints,
        );
        let after = -1;
        for (;;) {
          const { rows } = await c.query<RecordRow>(`SELECT ${RECORD_COLUMNS} FROM audit_records WHERE position > $1 ORDER BY position LIMIT ${VERIFY_PAGE}`, [after]);
          let going = true;
          for (const row of rows) if (!(going = verifier.feed(recordOf(row)))) break;
          if (!going || rows.length < VERIFY_PAGE) break;
          after = Number(rows[rows.length - 1]!.position);
        }
        return verifier.finish();
      },
      'BEGIN ISOLATION LEVEL REPEATABLE READ READ ONLY',
    );
  }

  applyRetention(policy: RetentionPolicy, now = Date.now()): Promise<number> {
    return inTransaction(this.pool, async (c) => {
      const h = (await c.query<HeadRow>('SELECT * FROM audit_head WHERE id = 1 FOR UPDATE')).rows[0]!;
      const first = Number(h.first_position);
      const last = Number(h.last_position);
      let young: number | undefined;
      if (policy.maxAgeMs !== undefined && Number.isFinite(policy.maxAgeMs)) {
        const row = (await c.query<{ position: string | null }>('SELECT min(position) AS position FROM audit_records WHERE recorded_at >= $1', [Math.trunc(now - policy.maxAgeMs)])).rows[0];
        young = row?.position == null ? undefined : Number(row.position);
      }
      const start = retentionStart(policy, first, last, now, () => young);
      if (start <= first) return 0;
      const anchor = start > last ? h.last_hash : (await c.query<{ hash: string }>('SELECT hash FROM audit_records WHERE position = $1', [start - 1])).rows[0]?.hash;
      const removed = (await c.query('DELETE FROM audit_records WHERE position < $1', [start])).rowCount ?? 0;
      await c.query('DELETE FROM audit_checkpoints WHERE position < $1', [start]);
      await c.query('UPDATE audit_head SET first_position = $1, first_prev_hash = $2 WHERE id = 1', [start, anchor ?? h.first_prev_hash]);
      return removed;
    });
  }

  async stats(): Promise<AuditStats> {
    const one = async <R extends object>(sql: string): Promise<R> => (await this.pool.query<R>(sql)).rows[0]!;
    const all = async <R extends object>(sql: string): Promise<R[]> => (await this.pool.query<R>(sql)).rows;
    const size = await one<{ size: string }>(
      "SELECT (pg_total_relation_size('audit_records') + pg_total_relation_size('audit_types') + pg_total_relation_size('audit_checkpoints') + pg_total_relation_size('audit_head'))::text AS size",
    );
    return statsOf({
      head: await one<HeadRow>('SELECT * FROM audit_head WHERE id = 1'),
      span: await one<{ n: string; first: string | null; last: string | null }>('SELECT count(*) AS n, min(time) AS first, max(time) AS last FROM audit_records'),
      kinds: await all<{ kind: string; n: string }>('SELECT kind, count(*) AS n FROM audit_records GROUP BY kind'),
      families: await all<{ family: string | null; n: string }>("SELECT split_part(type, '.', 1) AS family, count(*) AS n FROM audit_records GROUP BY 1"),
      lost: (await one<{ lost: string | null }>("SELECT sum((body::jsonb->>'lost')::bigint) AS lost FROM audit_records WHERE kind = 'gap'")).lost,
      checkpoints: (await one<{ n: string }>('SELECT count(*) AS n FROM audit_checkpoints')).n,
      sizeBytes: Number(size.size),
    });
  }

  async checkpoints(): Promise<readonly AuditCheckpoint[]> {
    return (await this.pool.query<CheckpointRow>('SELECT * FROM audit_checkpoints ORDER BY position')).rows.map(checkpointOf);
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    await this.pool.end();
  }

  async #typesOf(pattern: string): Promise<string[]> {
    const range = typeRangeOf(pattern);
    if (range.exact !== undefined) return [range.exact];
    const { rows } =
      range.low === undefined
        ? await this.pool.query<{ type: string }>('SELECT type FROM audit_types')
        : await this.pool.query<{ type: string }>('SELECT type FROM audit_types WHERE type >= $1 AND type < $2', [range.low, range.high]);
    return matchingTypes(pattern, rows.map((r) => r.type));
  }
}

/** The records as one array per column, for `unnest`: one statement however large the batch. */
function columnsOf(records: readonly AuditRecord[]): unknown[][] {
  const columns: unknown[][] = Array.from({ length: 14 }, () => []);
  for (const r of records) {
    const values = valuesOf(r);
    for (let i = 0; i < 14; i++) columns[i]!.push(values[i]);
  }
  return columns;
}
