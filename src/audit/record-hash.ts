import { hash } from 'node:crypto';
import type { AuditEntry } from './audit-record.js';

/** The `prevHash` of the first record ever appended. */
export const GENESIS_HASH = '0'.repeat(64);

/** One field of the canonical bytes: `n;` for null, `i<n>;` for an integer, `s<length>:<text>;` for text. */
function field(value: string | number | null): string {
  if (value === null) return 'n;';
  if (typeof value === 'number') return `i${value};`;
  return `s${value.length}:${value};`;
}

/**
 * The bytes a record's hash covers, as text: every stored field but the hashes, in a fixed order,
 * each length-prefixed (so no two records share them, and the body needs no escaping). The key id
 * comes last and only when there is one, so records written before it existed keep their hashes.
 */
export function canonicalText(position: number, recordedAt: number, e: AuditEntry): string {
  return (
    field(position) + field(recordedAt) + field(e.kind) + field(e.eventId) + field(e.type) + field(e.time) +
    field(e.source) + field(e.contextId) + field(e.traceId) + field(e.reason) + field(e.body) +
    (e.keyId === undefined || e.keyId === null ? '' : field(e.keyId))
  );
}

/** SHA-256 over `prevHash` (hex), a newline and the canonical bytes (UTF-8), lower-case hex. */
export function recordHash(prevHash: string, position: number, recordedAt: number, entry: AuditEntry): string {
  return hash('sha256', `${prevHash}\n${canonicalText(position, recordedAt, entry)}`, 'hex');
}
