import type { AuditCheckpoint, AuditEntry, AuditRecord } from './audit-record.js';
import { recordHash } from './record-hash.js';

/** The end of the chain a batch is appended to. */
export interface ChainHead {
  readonly lastPosition: number;
  readonly lastHash: string;
}

/** A batch ready to write: its records, the checkpoints due, the new head. */
export interface ChainedBatch {
  readonly records: readonly AuditRecord[];
  readonly checkpoints: readonly AuditCheckpoint[];
  readonly head: ChainHead;
  readonly duplicates: number;
}

/**
 * Gives each entry its position and hash after `head`, skipping event ids in `stored` (already in
 * the log) or repeated in the batch; a checkpoint for every position divisible by `checkpointEvery`.
 * Pure: the PostgreSQL store calls it inside the transaction that read `head` and `stored` (the
 * SQLite store chains row by row instead, its unique event-id index skipping repeats).
 */
export function chainBatch(head: ChainHead, entries: readonly AuditEntry[], stored: ReadonlySet<string>, recordedAt: number, checkpointEvery: number): ChainedBatch {
  const records: AuditRecord[] = [];
  const checkpoints: AuditCheckpoint[] = [];
  const seen = new Set<string>();
  let { lastPosition, lastHash } = head;
  let duplicates = 0;
  for (const entry of entries) {
    if (entry.eventId !== null) {
      if (stored.has(entry.eventId) || seen.has(entry.eventId)) {
        duplicates++;
        continue;
      }
      seen.add(entry.eventId);
    }
    const position = lastPosition + 1;
    const hash = recordHash(lastHash, position, recordedAt, entry);
    records.push({ ...entry, keyId: entry.keyId ?? null, position, recordedAt, prevHash: lastHash, hash });
    if (position % checkpointEvery === 0) checkpoints.push({ position, hash, createdAt: recordedAt });
    lastPosition = position;
    lastHash = hash;
  }
  return { records, checkpoints, head: { lastPosition, lastHash }, duplicates };
}

/** The event ids of `entries` (those that have one), to look up in the log before chaining. */
export function eventIdsOf(entries: readonly AuditEntry[]): string[] {
  const ids: string[] = [];
  for (const e of entries) if (e.eventId !== null) ids.push(e.eventId);
  return ids;
}
