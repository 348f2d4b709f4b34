/**
 * dotbus/audit: every event persisted, tamper-evident, queryable and replayable.
 *
 * The only part of dotbus that loads `better-sqlite3` or `pg` (optional peers, each loaded when a
 * store of its kind is opened).
 *
 * @example
 * ```ts
 * import { createBus } from 'dotbus';
 * import { AuditRecorder, openAuditStore } from 'dotbus/audit';
 * const store = await openAuditStore('audit.db');
 * const recorder = new AuditRecorder(bus, store);   // every event of the bus, batched
 * console.log(await store.verify());
 * ```
 */

// Records and stores
export type { AuditCheckpoint, AuditEntry, AuditRecord, AuditRecordKind } from './audit-record.js';
export type { AppendResult, AuditPage, AuditQuery, AuditStats, AuditStore, ChainBreak, RetentionPolicy, VerifyResult } from './audit-store.js';
export { eventEntry, gapEntry, rawEntry } from './audit-entries.js';
export type { GapInfo } from './audit-entries.js';
export { GENESIS_HASH, recordHash } from './record-hash.js';
export { openSqliteStore } from './sqlite-store.js';
export type { SqliteStoreOptions } from './sqlite-store.js';
export { openPostgresStore } from './postgres-store.js';
export type { PostgresStoreOptions } from './postgres-store.js';
export { openAuditStore } from './open-store.js';
export type { OpenAuditStoreOptions } from './open-store.js';

// Recording
export { AuditRecorder } from './recorder.js';
export type { AuditRecorderOptions, AuditRecorderStats, UndecodableMessage } from './recorder.js';

// Replay
export { replayAudit } from './replay.js';
export type { AuditReplayOptions, AuditReplaySummary } from './replay.js';
export { parseReplaySpeed } from './replay-speed.js';
export type { ReplaySpeed } from './replay-speed.js';
export { VirtualClock, SYSTEM_CLOCK } from './replay-clock.js';
export type { ReplayClock } from './replay-clock.js';
