import type { AuditRecord, AuditRecordKind } from './audit-record.js';
import type { AuditPage, AuditQuery, AuditStats } from './audit-store.js';
import type { HeadRow } from './store-rows.js';

/** A page of `limit` out of the `limit + 1` rows a query asked for, and its cursor. */
export function pagesOf(records: AuditRecord[], limit: number): AuditPage {
  if (records.length <= limit) return { records };
  const page = records.slice(0, limit);
  return { records: page, next: String(page[page.length - 1]!.position) };
}

/** What each store's statistics queries return, before they become {@link AuditStats}. */
export interface StatsRows {
  readonly head: HeadRow;
  readonly span: { readonly n: number | string; readonly first: number | string | null; readonly last: number | string | null };
  readonly kinds: readonly { readonly kind: string; readonly n: number | string }[];
  readonly families: readonly { readonly family: string | null; readonly n: number | string }[];
  readonly lost: number | string | null;
  readonly checkpoints: number | string;
  readonly sizeBytes: number;
}

export function statsOf(r: StatsRows): AuditStats {
  const byKind: Record<AuditRecordKind, number> = { event: 0, raw: 0, gap: 0 };
  for (const k of r.kinds) byKind[k.kind as AuditRecordKind] = Number(k.n);
  const byFamily: Record<string, number> = {};
  for (const f of r.families) byFamily[f.family === null || f.family === '' ? '(none)' : f.family] = Number(f.n);
  return {
    records: Number(r.span.n),
    firstPosition: Number(r.head.first_position),
    lastPosition: Number(r.head.last_position),
    firstTime: r.span.first === null ? null : Number(r.span.first),
    lastTime: r.span.last === null ? null : Number(r.span.last),
    byKind,
    byFamily,
    lost: Number(r.lost ?? 0),
    checkpoints: Number(r.checkpoints),
    sizeBytes: r.sizeBytes,
  };
}

/** Every record `query` matches, a page of 1,000 at a time through `pageOf` (a store's `query`). */
export async function* scanPages(query: Omit<AuditQuery, 'cursor'>, pageOf: (query: AuditQuery) => Promise<AuditPage>): AsyncGenerator<AuditRecord> {
  let cursor: string | undefined;
  do {
    const page = await pageOf({ limit: 1_000, ...query, ...(cursor === undefined ? {} : { cursor }) });
    yield* page.records;
    cursor = page.next;
  } while (cursor !== undefined);
}
