/** What one record of the audit log holds: an event, a message that did not decode, or a detected loss. */
export type AuditRecordKind = 'event' | 'raw' | 'gap';

/**
 * Something to append to the log: the store gives it a position, the time it was recorded and its
 * place in the hash chain. Build one with `eventEntry`, `rawEntry` or `gapEntry`.
 */
export interface AuditEntry {
  readonly kind: AuditRecordKind;
  /**
   * The CloudEvent `id` (unique in the log); for a raw record the message's own key when the
   * transport has one (a Redis stream entry: `<stream key>/<entry id>`), else `null`; `null` for gaps.
   */
  readonly eventId: string | null;
  /** The event type (for a gap: the type that lost events, when known); `null` when unknown. */
  readonly type: string | null;
  /** Event time (CloudEvent `time`) in epoch ms; for raw and gap records, when it was noticed. */
  readonly time: number;
  /** The CloudEvent `source`, when known. */
  readonly source: string | null;
  /** `data.contextId` when it is a short string, for queries by context. */
  readonly contextId: string | null;
  /** The trace id of the event's `traceparent` (32 hex digits), for queries by trace. */
  readonly traceId: string | null;
  /** Why a raw record did not decode, or what a gap record counts. */
  readonly reason: string | null;
  /**
   * The stored text: an event's CloudEvents JSON exactly as recorded; a raw message as
   * `{"text": …}` or `{"base64": …}`; a gap as `{"lost": n, …}`. Always JSON without NUL.
   */
  readonly body: string;
  /**
   * The id of the key whose valid signature the event carried when it was recorded (the recorder's
   * bus verifies); `null` or absent: unsigned, not verified, or not an event. Covered by the hash
   * when present.
   */
  readonly keyId?: string | null;
}

/** A record as stored: an {@link AuditEntry} with its position, recording time and hashes. */
export interface AuditRecord extends AuditEntry {
  readonly keyId: string | null;
  /** 1, 2, 3, … in append order; retention removes from the lowest. */
  readonly position: number;
  /** When the store appended it, epoch ms. */
  readonly recordedAt: number;
  /** The previous record's `hash` (64 zeros before the first record), lower-case hex. */
  readonly prevHash: string;
  /** SHA-256 over `prevHash` and the record's canonical bytes, lower-case hex. */
  readonly hash: string;
}

/** A periodic snapshot of the chain: the hash the record at `position` must have. */
export interface AuditCheckpoint {
  readonly position: number;
  readonly hash: string;
  /** When it was written, epoch ms. */
  readonly createdAt: number;
}
