import { isEventType, type EventSecurity } from '../../index.js';
import { DecodeError, parseUntrustedJson, producerIdIssue, strictUtf8 } from '../../internal.js';

/**
 * What a producer says on `{dotbus}:heartbeat:<namespace>` every `heartbeatMs`: its id and the
 * last sequence number it sent per event type, so that consumers can see a gap at the tail.
 */
export interface Heartbeat {
  readonly producerId: string;
  /** Last sequence sent, per event type. */
  readonly sequences: ReadonlyMap<string, number>;
  /** The key id of its valid signature, when the consumer verifies and it was signed. */
  readonly keyId?: string;
}

/** Most event types one heartbeat may list; more is treated as hostile. */
export const MAX_HEARTBEAT_TYPES = 10_000;

/** Largest heartbeat, in bytes (characters, for a string). */
const MAX_HEARTBEAT_BYTES = 1024 * 1024;

/**
 * The wire form of a heartbeat: `{"v":1,"producerid":"…","seqs":{"type":n}}`; with a signing key,
 * signed like an event (canonical JSON, `signaturekeyid`, `signature`).
 */
export function encodeHeartbeat(producerId: string, sequences: ReadonlyMap<string, number>, security?: EventSecurity): string {
  const beat = { v: 1, producerid: producerId, seqs: Object.fromEntries(sequences) };
  return security?.signs === true ? security.encode(beat) : JSON.stringify(beat);
}

/**
 * Parses a heartbeat without trusting it; never throws. Its producer id obeys the rule of an
 * event's `producerid`, the same function checks both (at most `MAX_PRODUCER_ID_LENGTH`, 200,
 * characters; no control or bidirectional formatting characters).
 */
export function decodeHeartbeat(raw: string | Buffer, security?: EventSecurity): Heartbeat | DecodeError {
  if (raw.length > MAX_HEARTBEAT_BYTES) return new DecodeError('oversize', 'a heartbeat may not exceed 1 MiB');
  const text = typeof raw === 'string' ? raw : strictUtf8(raw);
  if (text === undefined) return new DecodeError('malformed-json', 'heartbeat: not valid UTF-8');
  const parsed = parseUntrustedJson(text);
  if (!parsed.ok) return new DecodeError(parsed.reason, `heartbeat: ${parsed.detail}`);
  const m = parsed.value;
  if (typeof m !== 'object' || m === null || Array.isArray(m)) return bad('must be a JSON object');
  const signed = security?.verifyControl(m as Record<string, unknown>);
  if (signed instanceof DecodeError) return signed;
  const { v, producerid, seqs } = m as Record<string, unknown>;
  if (v !== 1) return bad('`v` must be 1');
  const idIssue = producerIdIssue(producerid);
  if (idIssue !== undefined) return bad(`\`producerid\` ${idIssue}`);
  if (typeof seqs !== 'object' || seqs === null || Array.isArray(seqs)) return bad('`seqs` must be an object');
  const entries = Object.entries(seqs);
  if (entries.length > MAX_HEARTBEAT_TYPES) return bad(`\`seqs\` lists more than ${MAX_HEARTBEAT_TYPES} types`);
  const sequences = new Map<string, number>();
  for (const [type, seq] of entries) {
    if (!isEventType(type)) return bad(`${JSON.stringify(type.slice(0, 80))} is not an event type`);
    if (typeof seq !== 'number' || !Number.isSafeInteger(seq) || seq < 1) return bad(`sequence of ${type} must be a positive integer`);
    sequences.set(type, seq);
  }
  return signed === undefined ? { producerId: producerid as string, sequences } : { producerId: producerid as string, sequences, keyId: signed };
}

function bad(detail: string): DecodeError {
  return new DecodeError('not-a-cloudevent', `heartbeat: ${detail}`);
}
