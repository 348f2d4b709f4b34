import { InvalidOptionError } from '../internal.js';
import type { AuditCheckpoint, AuditRecord, AuditRecordKind } from './audit-record.js';

/** Columns of `audit_records` in the order both stores select them. */
export const RECORD_COLUMNS = 'position, recorded_at, kind, event_id, type, time, source, context_id, trace_id, reason, body, prev_hash, hash, key_id';

/** A row of `audit_records` as a driver returns it (PostgreSQL gives `bigint` columns as strings). */
export interface RecordRow {
  readonly position: number | string | bigint;
  readonly recorded_at: number | string | bigint;
  readonly kind: string;
  readonly event_id: string | null;
  readonly type: string | null;
  readonly time: number | string | bigint;
  readonly source: string | null;
  readonly context_id: string | null;
  readonly trace_id: string | null;
  readonly reason: string | null;
  readonly body: string;
  readonly prev_hash: string;
  readonly hash: string;
  readonly key_id: string | null;
}

/** The record a row holds. */
export function recordOf(row: RecordRow): AuditRecord {
  return {
    position: Number(row.position),
    recordedAt: Number(row.recorded_at),
    kind: row.kind as AuditRecordKind,
    eventId: row.event_id,
    type: row.type,
    time: Number(row.time),
    source: row.source,
    contextId: row.context_id,
    traceId: row.trace_id,
    reason: row.reason,
    body: row.body,
    prevHash: row.prev_hash,
    hash: row.hash,
    keyId: row.key_id,
  };
}

/** A record's values in {@link RECORD_COLUMNS} order, for an insert. */
export function valuesOf(r: AuditRecord): (string | number | null)[] {
  return [r.position, r.recordedAt, r.kind, r.eventId, r.type, r.time, r.source, r.contextId, r.traceId, r.reason, r.body, r.prevHash, r.hash, r.keyId];
}

/** A row of `audit_checkpoints`. */
export interface CheckpointRow {
  readonly position: number | string | bigint;
  readonly hash: string;
  readonly created_at: number | string | bigint;
}

export function checkpointOf(row: CheckpointRow): AuditCheckpoint {
  return { position: Number(row.position), hash: row.hash, createdAt: Number(row.created_at) };
}

/** A row of `audit_head`. */
export interface HeadRow {
  readonly first_position: number | string | bigint;
  readonly first_prev_hash: string;
  readonly last_position: number | string | bigint;
  readonly last_hash: string;
}

/** Default number of records between two checkpoints. */
export const DEFAULT_CHECKPOINT_EVERY = 1_000;

/** Checks and defaults `checkpointEvery` (both stores). */
export function checkpointEvery(value: number | undefined): number {
  const n = value ?? DEFAULT_CHECKPOINT_EVERY;
  if (!Number.isSafeInteger(n) || n < 1) throw new InvalidOptionError('checkpointEvery', 'must be a whole number of records, at least 1');
  return n;
}
