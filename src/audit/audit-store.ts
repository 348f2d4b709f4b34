import type { AuditCheckpoint, AuditEntry, AuditRecord, AuditRecordKind } from './audit-record.js';

/** What {@link AuditStore.append} did with a batch. */
export interface AppendResult {
  /** Records written, in the batch's order. */
  readonly appended: number;
  /** Event records skipped because their event id is already in the log (or twice in the batch). */
  readonly duplicates: number;
  /** Position of the newest record after the batch (0 for an empty log). */
  readonly lastPosition: number;
}

/** Which records {@link AuditStore.query} returns; every criterion given must hold. */
export interface AuditQuery {
  /** Event types, by the grammar of `matchesPattern`; records without a type never match. @default every record */
  readonly pattern?: string;
  /** Earliest event time, inclusive, epoch ms or a Date. @default no bound */
  readonly from?: number | Date;
  /** Latest event time, inclusive. @default no bound */
  readonly to?: number | Date;
  /** `data.contextId`. */
  readonly contextId?: string;
  /** The trace id of `traceparent` (32 lower-case hex digits). */
  readonly traceId?: string;
  /** The CloudEvent id. */
  readonly eventId?: string;
  /** Only these kinds. @default all */
  readonly kinds?: readonly AuditRecordKind[];
  /** `oldest` first (ascending position) or `newest` first. @default 'oldest' */
  readonly order?: 'oldest' | 'newest';
  /** Most records in one page. @default 100, at most 10_000 */
  readonly limit?: number;
  /** The `next` of the previous page, to continue after it. */
  readonly cursor?: string;
}

/** One page of records. */
export interface AuditPage {
  readonly records: readonly AuditRecord[];
  /** Pass as `cursor` for the next page; absent on the last page. */
  readonly next?: string;
}

/** How a broken chain was broken, as far as the stored rows can tell. */
export type ChainBreak =
  /** The record does not hash to its stored hash: its content (or hash) was changed. */
  | 'altered'
  /** Positions are missing before this record: records were deleted. */
  | 'removed'
  /** The record does not link to the one before it: it was put there, not appended. */
  | 'inserted'
  /** A checkpoint disagrees with the chain, or the log ends before its newest checkpoint. */
  | 'checkpoint';

/** The outcome of {@link AuditStore.verify}. */
export type VerifyResult =
  | { readonly ok: true; readonly checked: number; readonly firstPosition: number; readonly lastPosition: number; readonly headHash: string }
  | {
      readonly ok: false;
      readonly checked: number;
      /** Position of the first broken record (for `removed`: the first missing position). */
      readonly position: number;
      /** The event id of the record found there, if any. */
      readonly eventId: string | null;
      readonly problem: ChainBreak;
      /** One line for people: what is wrong where. */
      readonly message: string;
    };

/** What {@link AuditStore.applyRetention} keeps; records go from the oldest end. */
export interface RetentionPolicy {
  /** Records recorded longer ago than this go, in ms. @default no age limit */
  readonly maxAgeMs?: number;
  /** At most this many records stay. @default no count limit */
  readonly maxRecords?: number;
}

/** Totals of a log, for `dotbus audit stats`. */
export interface AuditStats {
  readonly records: number;
  readonly firstPosition: number;
  readonly lastPosition: number;
  /** Earliest and latest event time, epoch ms; `null` for an empty log. */
  readonly firstTime: number | null;
  readonly lastTime: number | null;
  readonly byKind: Readonly<Record<AuditRecordKind, number>>;
  /** Records by the first segment of their type (`order.placed` → `order`); `(none)` for none. */
  readonly byFamily: Readonly<Record<string, number>>;
  /** Events lost by the gaps recorded. */
  readonly lost: number;
  readonly checkpoints: number;
  /** Bytes the database takes (file, or relation sizes). */
  readonly sizeBytes: number;
}

/**
 * The audit log's storage: append-only, hash-chained, queryable. SQLite (`openSqliteStore`) and
 * PostgreSQL (`openPostgresStore`) implement it and pass the same test suite.
 *
 * @remarks Appends are serialised by the store (a transaction holding the chain's head), so
 * several recorders may share one PostgreSQL log. Nothing but {@link applyRetention} removes records.
 */
export interface AuditStore {
  /** `postgres` or `sqlite`, and where, without secrets. */
  readonly description: string;
  /** Appends `entries` in one transaction, chained, skipping event ids already stored. */
  append(entries: readonly AuditEntry[]): Promise<AppendResult>;
  /** One page of records matching `query`. */
  query(query?: AuditQuery): Promise<AuditPage>;
  /** Every record matching `query` (all pages), in its order. */
  scan(query?: Omit<AuditQuery, 'cursor'>): AsyncGenerator<AuditRecord>;
  /** Recomputes the chain from the retained start and checks every checkpoint. */
  verify(): Promise<VerifyResult>;
  /** Removes the oldest records by `policy`; resolves with how many went. */
  applyRetention(policy: RetentionPolicy, now?: number): Promise<number>;
  /** How the database runs `query`: its plan, one line per step (which index serves it). */
  explain(query: AuditQuery): Promise<readonly string[]>;
  /** Totals, time span, size. */
  stats(): Promise<AuditStats>;
  /** The checkpoints written so far, oldest first. */
  checkpoints(): Promise<readonly AuditCheckpoint[]>;
  /** Closes the database connection; idempotent. */
  close(): Promise<void>;
}
