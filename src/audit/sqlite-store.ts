import { statSync } from 'node:fs';
import type BetterSqlite3 from 'better-sqlite3';
import type { AuditCheckpoint, AuditEntry, AuditRecord } from './audit-record.js';
import type { AppendResult, AuditPage, AuditQuery, AuditStats, AuditStore, RetentionPolicy, VerifyResult } from './audit-store.js';
import { ChainVerifier } from './chain-verifier.js';
import { loadDriver } from './load-driver.js';
import { querySql, type SqlDialect } from './query-sql.js';
import { GENESIS_HASH, recordHash } from './record-hash.js';
import { retentionStart } from './retention.js';
import { SQLITE_ADD_KEY_ID, SQLITE_SCHEMA } from './sqlite-schema.js';
import { pagesOf, scanPages, statsOf, type StatsRows } from './store-common.js';
import { checkpointEvery, checkpointOf, RECORD_COLUMNS, recordOf, type CheckpointRow, type HeadRow, type RecordRow } from './store-rows.js';
import { matchingTypes, typeRangeOf } from './type-filter.js';

/** Options of {@link openSqliteStore}. */
export interface SqliteStoreOptions {
  /** The database file; created with its tables when missing. `:memory:` for a throwaway log. @default 'dotbus-audit.db' */
  readonly path?: string;
  /** Records between two checkpoints. @default 1_000 */
  readonly checkpointEvery?: number;
  /**
   * SQLite's `synchronous` setting (the log runs in WAL mode): `full` syncs every commit to disk,
   * so a committed batch survives a power loss too; `normal` survives a crashed or killed process
   * only, and commits faster. @default 'full'
   */
  readonly synchronous?: 'full' | 'normal';
  /** How long a write waits for another process's transaction on the same file, in ms. @default 5_000 */
  readonly busyTimeoutMs?: number;
}

const DIALECT: SqlDialect = {
  param: () => '?',
  inList: (column) => `${column} IN (SELECT value FROM json_each(?))`,
  list: (values) => JSON.stringify(values),
};

/**
 * Opens (creating when missing) an audit log in a SQLite file, through `better-sqlite3` (an
 * optional peer dependency, loaded only here).
 *
 * @example
 * ```ts
 * const store = await openSqliteStore({ path: 'audit.db' });
 * const page = await store.query({ pattern: 'order.*', order: 'newest', limit: 20 });
 * ```
 */
export async function openSqliteStore(options: SqliteStoreOptions = {}): Promise<AuditStore> {
  const Database = await loadDriver<typeof BetterSqlite3>('better-sqlite3', 'npm install better-sqlite3@12');
  const path = options.path ?? 'dotbus-audit.db';
  const db = new Database(path);
  try {
    db.pragma(`busy_timeout = ${Math.trunc(options.busyTimeoutMs ?? 5_000)}`);
    if (path !== ':memory:') db.pragma('journal_mode = WAL');
    db.pragma(`synchronous = ${options.synchronous === 'normal' ? 'NORMAL' : 'FULL'}`);
    db.exec(SQLITE_SCHEMA);
    const columns = db.prepare<[], { name: string }>('PRAGMA table_info(audit_records)').all();
    if (!columns.some((c) => c.name === 'key_id')) db.exec(SQLITE_ADD_KEY_ID);
    db.prepare(`INSERT OR IGNORE INTO audit_head VALUES (1, 1, ?, 0, ?)`).run(GENESIS_HASH, GENESIS_HASH);
  } catch (e) {
    db.close();
    throw e;
  }
  return new SqliteAuditStore(db, path, checkpointEvery(options.checkpointEvery));
}

class SqliteAuditStore implements AuditStore {
  readonly description: string;
  readonly #db: BetterSqlite3.Database;
  readonly #path: string;
  readonly #every: number;
  readonly #append: (entries: readonly AuditEntry[], now: number) => AppendResult;
  #closed = false;

  constructor(db: BetterSqlite3.Database, path: string, every: number) {
    this.#db = db;
    this.#path = path;
    this.#every = every;
    this.description = `sqlite ${path}`;
    const head = db.prepare<[], HeadRow>('SELECT * FROM audit_head WHERE id = 1');
    // The unique event-id index is the dedup check: a row whose event id is already stored (or
    // earlier in the batch) is not inserted, and the chain goes on from the record before it. One
    // index probe per row, which the insert pays anyway, instead of a lookup query per batch.
    const insert = db.prepare(
      `INSERT INTO audit_records (${RECORD_COLUMNS}) VALUES (${RECORD_COLUMNS.split(',').map(() => '?').join(', ')}) ON CONFLICT (event_id) DO NOTHING`,
    );
    const insertType = db.prepare('INSERT OR IGNORE INTO audit_types (type) VALUES (?)');
    const insertCheckpoint = db.prepare('INSERT INTO audit_checkpoints (position, hash, created_at) VALUES (?, ?, ?)');
    const moveHead = db.prepare('UPDATE audit_head SET last_position = ?, last_hash = ? WHERE id = 1');
    // IMMEDIATE: the head is read under the write lock, so another process can't chain from it too.
    this.#append = db
      .transaction((entries: readonly AuditEntry[], now: number): AppendResult => {
        const h = head.get()!;
        let lastPosition = Number(h.last_position);
        let lastHash = h.last_hash;
        let duplicates = 0;
        const types = new Set<string>();
        for (const e of entries) {
          const position = lastPosition + 1;
          const hash = recordHash(lastHash, position, now, e);
          const values = [position, now, e.kind, e.eventId, e.type, e.time, e.source, e.contextId, e.traceId, e.reason, e.body, lastHash, hash, e.keyId ?? null];
          if (insert.run(values).changes === 0) {
            duplicates++;
            continue;
          }
          if (e.type !== null) types.add(e.type);
          if (position % this.#every === 0) insertCheckpoint.run(position, hash, now);
          lastPosition = position;
          lastHash = hash;
        }
        for (const type of types) insertType.run(type);
        moveHead.run(lastPosition, lastHash);
        return { appended: lastPosition - Number(h.last_position), duplicates, lastPosition };
      })
      .immediate.bind(null) as (entries: readonly AuditEntry[], now: number) => AppendResult;
  }

  async append(entries: readonly AuditEntry[]): Promise<AppendResult> {
    return this.#append(entries, Date.now());
  }

  async query(query: AuditQuery = {}): Promise<AuditPage> {
    const types = query.pattern === undefined ? undefined : this.#typesOf(query.pattern);
    if (types !== undefined && types.length === 0) return { records: [] };
    const q = querySql(query, types, DIALECT);
    const rows = this.#db.prepare<unknown[], RecordRow>(`SELECT ${RECORD_COLUMNS} FROM audit_records ${q.sql}`).all(...q.params);
    return pagesOf(rows.map(recordOf), q.limit);
  }

  scan(query: Omit<AuditQuery, 'cursor'> = {}): AsyncGenerator<AuditRecord> {
    return scanPages(query, (q) => this.query(q));
  }

  /** The query plan SQLite picks for `query` (for the bench and the README: which index serves it). */
  async explain(query: AuditQuery): Promise<readonly string[]> {
    const types = query.pattern === undefined ? undefined : this.#typesOf(query.pattern);
    const q = querySql(query, types ?? [], DIALECT);
    return this.#db.prepare<unknown[], { detail: string }>(`EXPLAIN QUERY PLAN SELECT ${RECORD_COLUMNS} FROM audit_records ${q.sql}`).all(...q.params).map((r) => r.detail);
  }

  async verify(): Promise<VerifyResult> {
    // One read transaction: the chain and its head as of one moment, while recorders append.
    return this.#db.transaction(() => {
      const h = this.#db.prepare<[], HeadRow>('SELECT * FROM audit_head WHERE id = 1').get()!;
      const verifier = new ChainVerifier(
        { firstPosition: Number(h.first_position), firstPrevHash: h.first_prev_hash, lastPosition: Number(h.last_position), lastHash: h.last_hash },
        this.#checkpointRows(),
      );
      for (const row of this.#db.prepare<[], RecordRow>(`SELECT ${RECORD_COLUMNS} FROM audit_records ORDER BY position`).iterate()) {
        if (!verifier.feed(recordOf(row))) break;
      }
      return verifier.finish();
    }).deferred();
  }

  async applyRetention(policy: RetentionPolicy, now = Date.now()): Promise<number> {
    const db = this.#db;
    return db.transaction((): number => {
      const h = db.prepare<[], HeadRow>('SELECT * FROM audit_head WHERE id = 1').get()!;
      const first = Number(h.first_position);
      const last = Number(h.last_position);
      const firstYoung = (cutoff: number): number | undefined =>
        db.prepare<[number], { position: number }>('SELECT min(position) AS position FROM audit_records WHERE recorded_at >= ?').get(cutoff)?.position ?? undefined;
      const start = retentionStart(policy, first, last, now, firstYoung);
      if (start <= first) return 0;
      const anchor = start > last ? h.last_hash : db.prepare<[number], { hash: string }>('SELECT hash FROM audit_records WHERE position = ?').get(start - 1)?.hash;
      const removed = db.prepare('DELETE FROM audit_records WHERE position < ?').run(start).changes;
      db.prepare('DELETE FROM audit_checkpoints WHERE position < ?').run(start);
      db.prepare('UPDATE audit_head SET first_position = ?, first_prev_hash = ? WHERE id = 1').run(start, anchor ?? h.first_prev_hash);
      return removed;
    }).immediate();
  }

  async stats(): Promise<AuditStats> {
    const db = this.#db;
    const rows: StatsRows = {
      head: db.prepare<[], HeadRow>('SELECT * FROM audit_head WHERE id = 1').get()!,
      span: db.prepare<[], { n: number; first: number | null; last: number | null }>('SELECT count(*) AS n, min(time) AS first, max(time) AS last FROM audit_records').get()!,
      kinds: db.prepare<[], { kind: string; n: number }>('SELECT kind, count(*) AS n FROM audit_records GROUP BY kind').all(),
      families: db.prepare<[], { family: string | null; n: number }>("SELECT substr(type, 1, instr(type || '.', '.') - 1) AS family, count(*) AS n FROM audit_records GROUP BY family").all(),
      lost: db.prepare<[], { lost: number | null }>("SELECT sum(json_extract(body, '$.lost')) AS lost FROM audit_records WHERE kind = 'gap'").get()?.lost ?? 0,
      checkpoints: db.prepare<[], { n: number }>('SELECT count(*) AS n FROM audit_checkpoints').get()!.n,
      sizeBytes: this.#size(),
    };
    return statsOf(rows);
  }

  async checkpoints(): Promise<readonly AuditCheckpoint[]> {
    return this.#checkpointRows();
  }

  async close(): Promise<void> {
    if (this.#closed) return;
    this.#closed = true;
    this.#db.close();
  }

  #checkpointRows(): AuditCheckpoint[] {
    return this.#db.prepare<[], CheckpointRow>('SELECT position, hash, created_at FROM audit_checkpoints ORDER BY position').all().map(checkpointOf);
  }

  #typesOf(pattern: string): string[] {
    const range = typeRangeOf(pattern);
    if (range.exact !== undefined) return [range.exact];
    const rows =
      range.low === undefined
        ? this.#db.prepare<[], { type: string }>('SELECT type FROM audit_types').all()
        : this.#db.prepare<[string, string], { type: string }>('SELECT type FROM audit_types WHERE type >= ? AND type < ?').all(range.low, range.high!);
    return matchingTypes(pattern, rows.map((r) => r.type));
  }

  #size(): number {
    if (this.#path === ':memory:') {
      const pages = this.#db.pragma('page_count', { simple: true }) as number;
      return pages * (this.#db.pragma('page_size', { simple: true }) as number);
    }
    let size = 0;
    for (const file of [this.#path, `${this.#path}-wal`]) {
      try {
        size += statSync(file).size;
      } catch {
        // No WAL file right now: nothing to add.
      }
    }
    return size;
  }
}
