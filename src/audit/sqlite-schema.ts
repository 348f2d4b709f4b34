/** Added to a log created before records stored their signature's key id (SQLite has no `ADD COLUMN IF NOT EXISTS`). */
export const SQLITE_ADD_KEY_ID = 'ALTER TABLE audit_records ADD COLUMN key_id TEXT';

/**
 * The SQLite log. Positions are the rowid (`INTEGER PRIMARY KEY`), so reading in order and paging
 * by position cost nothing extra. One index per query criterion, each ending in `position` so a
 * page in either order is an index range. `audit_types` holds each distinct type once: a pattern
 * is resolved against it (see `typeRangeOf`), not against the records.
 */
export const SQLITE_SCHEMA = `
CREATE TABLE IF NOT EXISTS audit_records (
  position    INTEGER PRIMARY KEY,
  recorded_at INTEGER NOT NULL,
  kind        TEXT NOT NULL,
  event_id    TEXT,
  type        TEXT,
  time        INTEGER NOT NULL,
  source      TEXT,
  context_id  TEXT,
  trace_id    TEXT,
  reason      TEXT,
  body        TEXT NOT NULL,
  prev_hash   TEXT NOT NULL,
  hash        TEXT NOT NULL,
  key_id      TEXT
);
CREATE UNIQUE INDEX IF NOT EXISTS audit_records_event_id ON audit_records (event_id);
CREATE INDEX IF NOT EXISTS audit_records_type ON audit_records (type, position);
CREATE INDEX IF NOT EXISTS audit_records_time ON audit_records (time, position);
CREATE INDEX IF NOT EXISTS audit_records_context ON audit_records (context_id, position);
CREATE INDEX IF NOT EXISTS audit_records_trace ON audit_records (trace_id, position);
CREATE TABLE IF NOT EXISTS audit_types (type TEXT PRIMARY KEY) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS audit_checkpoints (position INTEGER PRIMARY KEY, hash TEXT NOT NULL, created_at INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS audit_head (
  id              INTEGER PRIMARY KEY CHECK (id = 1),
  first_position  INTEGER NOT NULL,
  first_prev_hash TEXT NOT NULL,
  last_position   INTEGER NOT NULL,
  last_hash       TEXT NOT NULL
);
`;
