/**
 * The PostgreSQL log: the SQLite schema in PostgreSQL types. Types sort by code unit
 * (`COLLATE "C"`) so that a pattern's literal prefix is an index range whatever the database's
 * collation. Created under an advisory lock, so services starting together don't race.
 */
export const POSTGRES_SCHEMA = `
CREATE TABLE IF NOT EXISTS audit_records (
  position    BIGINT PRIMARY KEY,
  recorded_at BIGINT NOT NULL,
  kind        TEXT NOT NULL,
  event_id    TEXT UNIQUE,
  type        TEXT COLLATE "C",
  time        BIGINT NOT NULL,
  source      TEXT,
  context_id  TEXT,
  trace_id    TEXT,
  reason      TEXT,
  body        TEXT NOT NULL,
  prev_hash   TEXT NOT NULL,
  hash        TEXT NOT NULL,
  key_id      TEXT
);
ALTER TABLE audit_records ADD COLUMN IF NOT EXISTS key_id TEXT;
CREATE INDEX IF NOT EXISTS audit_records_type ON audit_records (type, position);
CREATE INDEX IF NOT EXISTS audit_records_time ON audit_records (time, position);
CREATE INDEX IF NOT EXISTS audit_records_context ON audit_records (context_id, position);
CREATE INDEX IF NOT EXISTS audit_records_trace ON audit_records (trace_id, position);
CREATE TABLE IF NOT EXISTS audit_types (type TEXT COLLATE "C" PRIMARY KEY);
CREATE TABLE IF NOT EXISTS audit_checkpoints (position BIGINT PRIMARY KEY, hash TEXT NOT NULL, created_at BIGINT NOT NULL);
CREATE TABLE IF NOT EXISTS audit_head (
  id              INTEGER PRIMARY KEY CHECK (id = 1),
  first_position  BIGINT NOT NULL,
  first_prev_hash TEXT NOT NULL,
  last_position   BIGINT NOT NULL,
  last_hash       TEXT NOT NULL
);
`;

/** Key of the advisory lock held while creating the schema. */
export const SCHEMA_LOCK_KEY = 0x646f7462; // "dotb"
