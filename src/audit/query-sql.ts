import { InvalidOptionError } from '../internal.js';
import type { AuditQuery } from './audit-store.js';

/** Default and largest page size of a query. */
export const DEFAULT_PAGE = 100;
export const MAX_PAGE = 10_000;

/** How a dialect writes the n-th parameter (1-based) and a membership test against a list parameter. */
export interface SqlDialect {
  param(n: number): string;
  inList(column: string, n: number): string;
  /** A list parameter's value. */
  list(values: readonly string[]): unknown;
}

/** The `WHERE … ORDER BY … LIMIT` of a query, its parameters and its page size. */
export interface QuerySql {
  readonly sql: string;
  readonly params: unknown[];
  readonly limit: number;
}

/**
 * SQL for `query` over `audit_records`, both stores alike. `types` are the types the pattern
 * matches (already resolved), `undefined` without a pattern. One row more than the page is asked
 * for, to know whether another page follows.
 */
export function querySql(query: AuditQuery, types: readonly string[] | undefined, d: SqlDialect): QuerySql {
  const where: string[] = [];
  const params: unknown[] = [];
  const add = (sql: (p: string) => string, value: unknown): void => {
    params.push(value);
    where.push(sql(d.param(params.length)));
  };
  if (types !== undefined) {
    params.push(d.list(types));
    where.push(d.inList('type', params.length));
  }
  if (query.from !== undefined) add((p) => `time >= ${p}`, msOf('from', query.from));
  if (query.to !== undefined) add((p) => `time <= ${p}`, msOf('to', query.to));
  if (query.contextId !== undefined) add((p) => `context_id = ${p}`, query.contextId);
  if (query.traceId !== undefined) add((p) => `trace_id = ${p}`, query.traceId.toLowerCase());
  if (query.eventId !== undefined) add((p) => `event_id = ${p}`, query.eventId);
  if (query.kinds !== undefined) {
    params.push(d.list(query.kinds));
    where.push(d.inList('kind', params.length));
  }
  const newest = query.order === 'newest';
  if (query.cursor !== undefined) add((p) => `position ${newest ? '<' : '>'} ${p}`, cursorOf(query.cursor));
  const limit = query.limit ?? DEFAULT_PAGE;
  if (!Number.isSafeInteger(limit) || limit < 1 || limit > MAX_PAGE) throw new InvalidOptionError('limit', `must be a whole number from 1 to ${MAX_PAGE}`);
  const sql = `${where.length === 0 ? '' : `WHERE ${where.join(' AND ')} `}ORDER BY position ${newest ? 'DESC' : 'ASC'} LIMIT ${limit + 1}`;
  return { sql, params, limit };
}

function msOf(option: string, value: number | Date): number {
  const ms = typeof value === 'number' ? value : value.getTime();
  if (!Number.isFinite(ms)) throw new InvalidOptionError(option, 'must be a valid time (epoch ms or a Date)');
  return Math.trunc(ms);
}

function cursorOf(cursor: string): number {
  const n = Number(cursor);
  if (!/^\d{1,15}$/.test(cursor) || !Number.isSafeInteger(n)) throw new InvalidOptionError('cursor', 'must be the `next` of a previous page');
  return n;
}
