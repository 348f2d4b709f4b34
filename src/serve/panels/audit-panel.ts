import type { AuditStore, VerifyResult } from '../../audit/index.js';
import { parsePattern } from '../../index.js';
import type { DashboardPanel, PanelTable } from './panel.js';

/** Most records a query shows. */
const SHOWN = 50;

/**
 * An audit log (`dotbus/audit`): its newest records matching a pattern and a time range typed in
 * the page, and the chain's `verify` status, run on demand (it reads the whole log).
 */
export function auditPanel(store: Pick<AuditStore, 'query' | 'verify' | 'description'>): DashboardPanel {
  let verified: { readonly at: number; readonly result: VerifyResult } | undefined;
  return {
    id: 'audit',
    title: 'Audit log',
    form: [
      { name: 'pattern', label: 'Pattern', placeholder: '*' },
      { name: 'from', label: 'From', placeholder: '2025-05-01T12:00:00Z' },
      { name: 'to', label: 'To', placeholder: 'now' },
    ],
    async read(query) {
      const pattern = query['pattern'] || '*';
      parsePattern(pattern);
      const from = timeOf('from', query['from']);
      const to = timeOf('to', query['to']);
      const page = await store.query({ pattern, order: 'newest', limit: SHOWN, ...(from === undefined ? {} : { from }), ...(to === undefined ? {} : { to }) });
      const records: PanelTable = {
        title: `Newest records matching ${pattern} in ${store.description}`,
        columns: ['position', 'kind', 'type', 'time', 'source', 'context', 'trace', 'event id'],
        rows: page.records.map((r) => [r.position, r.kind, r.type, new Date(r.time).toISOString(), r.source, r.contextId, r.traceId, r.eventId]),
        empty: 'no record matches',
      };
      return [records, verifyTable(verified)];
    },
    async act(action) {
      if (action !== 'verify') throw new Error(`no action ${action}: verify`);
      const result = await store.verify();
      verified = { at: Date.now(), result };
      return result.ok ? `chain intact: ${result.checked} records checked` : `chain broken: ${result.message}`;
    },
  };
}

function verifyTable(verified: { readonly at: number; readonly result: VerifyResult } | undefined): PanelTable {
  const buttons = [{ label: 'Verify', action: 'verify' }];
  if (verified === undefined) return { title: 'Verify', columns: [], rows: [], empty: 'not verified yet (it reads the whole log)', buttons };
  const r = verified.result;
  return {
    title: 'Verify',
    columns: ['status', 'records checked', 'detail', 'at'],
    rows: [[r.ok ? 'intact' : `broken (${r.problem})`, r.checked, r.ok ? `positions ${r.firstPosition}–${r.lastPosition}` : r.message, new Date(verified.at).toISOString()]],
    buttons,
  };
}

function timeOf(field: string, value: string | undefined): number | undefined {
  if (value === undefined || value.trim() === '' || value.trim() === 'now') return undefined;
  const ms = /^\d+$/.test(value.trim()) ? Number(value) : Date.parse(value);
  if (Number.isNaN(ms)) throw new Error(`${field}: ${JSON.stringify(value.slice(0, 40))} is not a time; use ISO 8601 (2025-05-01T12:00:00Z) or epoch ms`);
  return ms;
}
