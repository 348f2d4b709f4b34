import { signingKeyIdOf, type AnyBusEvent } from '../index.js';
import type { AuditEntry } from './audit-record.js';

/** Longest context id indexed, in characters: longer ones are kept in the body only. */
const MAX_INDEXED_TEXT = 200;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;
const TRACE_ID = /^[0-9a-f]{2}-([0-9a-f]{32})-/;

/**
 * `text` as every database stores it unchanged: no NUL (PostgreSQL refuses it in text) and no lone
 * surrogate (which UTF-8 can't carry, so it would come back altered and break its hash).
 */
export function storableText(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(LONE_SURROGATE, '\uFFFD').replace(/\u0000/g, '\uFFFD');
}

/**
 * The entry that records `event`: its CloudEvents JSON (`JSON.stringify(event)`), the indexed
 * fields, and the key id of its signature when the recorder's bus verified one.
 */
export function eventEntry(event: AnyBusEvent): AuditEntry {
  return {
    kind: 'event',
    eventId: event.eventId,
    type: event.eventType,
    time: event.timestamp.getTime(),
    source: storableText(event.source),
    contextId: contextIdOf(event.data),
    traceId: event.trace === undefined ? null : (TRACE_ID.exec(event.trace.traceparent)?.[1] ?? null),
    reason: null,
    // JSON.stringify escapes NUL and lone surrogates, so the body is always storable as is.
    body: JSON.stringify(event),
    keyId: signingKeyIdOf(event) ?? null,
  };
}

/**
 * The entry that keeps a message that did not decode, with why: text that is valid UTF-8 as
 * `{"text": …}`, anything else as `{"base64": …}`. `key`, when the transport gives the message one
 * for good (a Redis stream entry: `<stream key>/<entry id>`), is stored as the record's event id,
 * so a message delivered again is not stored twice.
 */
export function rawEntry(raw: string | Uint8Array, reason: string, time: number = Date.now(), key?: string): AuditEntry {
  const text = typeof raw === 'string' ? raw : utf8(raw);
  return {
    kind: 'raw',
    eventId: key === undefined ? null : storableText(key),
    type: null,
    time,
    source: null,
    contextId: null,
    traceId: null,
    reason: storableText(reason),
    body: JSON.stringify(text === undefined ? { base64: Buffer.from(raw).toString('base64') } : { text }),
  };
}

/** What a gap record says: how many events were lost, of which type, and how it was noticed. */
export interface GapInfo {
  /** Events that never arrived. */
  readonly lost: number;
  /** Their type, when known. */
  readonly eventType?: string;
  /** How the loss was detected, e.g. `sequence gap`. @default 'sequence gap' */
  readonly detail?: string;
}

/** The entry that marks a detected loss, so an audit shows where the log is incomplete. */
export function gapEntry(gap: GapInfo, time: number = Date.now()): AuditEntry {
  const detail = storableText(gap.detail ?? 'sequence gap');
  return {
    kind: 'gap',
    eventId: null,
    type: gap.eventType === undefined ? null : storableText(gap.eventType),
    time,
    source: null,
    contextId: null,
    traceId: null,
    reason: `${gap.lost} event(s) lost (${detail})`,
    body: JSON.stringify({ lost: gap.lost, ...(gap.eventType === undefined ? {} : { eventType: gap.eventType }), detail }),
  };
}

function contextIdOf(data: unknown): string | null {
  if (typeof data !== 'object' || data === null) return null;
  const id = (data as { contextId?: unknown }).contextId;
  return typeof id === 'string' && id.length <= MAX_INDEXED_TEXT ? storableText(id) : null;
}

function utf8(bytes: Uint8Array): string | undefined {
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(bytes);
  } catch {
    return undefined;
  }
}
