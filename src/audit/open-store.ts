import type { AuditStore } from './audit-store.js';
import { openPostgresStore } from './postgres-store.js';
import { openSqliteStore } from './sqlite-store.js';

/** Options of {@link openAuditStore} besides where the log is. */
export interface OpenAuditStoreOptions {
  /** Records between two checkpoints. @default 1_000 */
  readonly checkpointEvery?: number;
}

/** Whether `db` names a PostgreSQL database (a `postgres://` or `postgresql://` URL) rather than a SQLite file. */
export function isPostgresUrl(db: string): boolean {
  return /^postgres(ql)?:\/\//i.test(db);
}

/**
 * The store `db` names: a `postgres://…` URL opens {@link openPostgresStore}, anything else is a
 * SQLite file path for {@link openSqliteStore}. What the `--db` flag of `dotbus audit` takes.
 *
 * @default db `dotbus-audit.db` (a file in the current directory)
 */
export function openAuditStore(db = 'dotbus-audit.db', options: OpenAuditStoreOptions = {}): Promise<AuditStore> {
  return isPostgresUrl(db) ? openPostgresStore({ url: db, ...options }) : openSqliteStore({ path: db, ...options });
}
