import type { ContextStatus, MonitoringSummary } from '../monitoring/index.js';
import type { TransportStats } from '../index.js';
import type { PipelineResult } from './demo/validation-pipeline.js';
import type { CliIO } from './io.js';
import { renderTable } from './table.js';

/** What the demo report shows. */
export interface DemoReport {
  readonly summary: MonitoringSummary;
  /** Where the monitor has the batch context (the run itself), if it saw it. */
  readonly batch: ContextStatus | undefined;
  readonly result: PipelineResult;
  readonly corrupted: number;
  readonly transport: string;
  readonly stats: TransportStats;
}

/** The monitoring summary of a demo run, as text tables for stdout. */
export function renderDemoReport(io: CliIO, r: DemoReport): string {
  const { summary: s, result } = r;
  const title = io.paint('bold', `Validation summary  run ${result.runId}  ·  ${result.records} orders  ·  ${r.transport}  ·  ${ms(result.durationMs)}`);
  const records = `Records: ${io.paint('green', `${result.passed} passed`)}, ${io.paint('red', `${result.failed} failed`)} ` +
    `(${r.corrupted} corrupted on purpose), ${result.errors} errors, ${result.warnings} warnings`;
  // The monitor counts the batch (the run's own context) like an order: split it out, so that the
  // orders column reads like the Records line and `finished` = orders + batch.
  const statusRows = (['passed', 'failed', 'running', 'started'] as const).map((k) => {
    const batch = r.batch === k ? 1 : 0;
    return [k, String(s.byStatus[k] - batch), String(batch), String(k === 'passed' || k === 'failed' ? s.finished[k] : '')];
  });
  const phaseRows = s.slowestPhases.map((p) => [p.phase, String(p.count), ms(p.meanMs), ms(p.maxMs), p.slowestContextId]);
  const errorRows = s.topErrors.map((e) => [String(e.count), e.rule, e.field === '' ? '(record)' : e.field, e.severity]);
  const drops = Object.values(r.stats.dropped).reduce((a, b) => a + b, 0);
  return [
    title,
    records,
    '',
    `${io.paint('bold', 'Contexts by status')}  ${io.paint('dim', '(the orders, and the batch: the run itself, which fails if any order fails)')}`,
    renderTable(io, [{ header: 'status' }, { header: 'orders', align: 'right' }, { header: 'batch', align: 'right' }, { header: 'finished', align: 'right' }], statusRows),
    '',
    io.paint('bold', 'Slowest phases'),
    renderTable(io, [{ header: 'phase' }, { header: 'runs', align: 'right' }, { header: 'mean', align: 'right' }, { header: 'max', align: 'right' }, { header: 'slowest context' }], phaseRows),
    '',
    io.paint('bold', 'Most frequent errors'),
    errorRows.length === 0 ? '  (none)' : renderTable(io, [{ header: 'count', align: 'right' }, { header: 'rule' }, { header: 'field' }, { header: 'severity' }], errorRows),
    '',
    io.paint('dim', `Monitor: ${s.events} of ${result.published} validation events, ${s.contexts.seen} contexts (${s.contexts.live} live, ${s.contexts.expired} expired, ${s.contexts.evicted} evicted)`),
    io.paint('dim', `Bus: ${r.stats.published} published, ${r.stats.delivered} delivered, ${r.stats.unrouted} unrouted, ${drops} dropped, ${result.unpublished} unpublished`),
    '',
  ].join('\n');
}

function ms(value: number): string {
  return value >= 100 ? `${Math.round(value)} ms` : `${value.toFixed(value >= 1 ? 1 : 3)} ms`;
}
