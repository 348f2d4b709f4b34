import type { ValidationMonitoringService } from '../../monitoring/index.js';
import type { DashboardPanel } from './panel.js';

/** How many slowest phases and most frequent errors the panel lists. */
const TOP = 10;

/** Validation monitoring, live: contexts by status, the slowest phases, the most frequent errors with their field paths. */
export function validationPanel(monitor: ValidationMonitoringService): DashboardPanel {
  return {
    id: 'validation',
    title: 'Validation',
    read() {
      const s = monitor.summary();
      return [
        {
          title: 'Contexts',
          columns: ['started', 'running', 'passed', 'failed', 'finished passed', 'finished failed', 'held', 'seen'],
          rows: [[s.byStatus.started, s.byStatus.running, s.byStatus.passed, s.byStatus.failed, s.finished.passed, s.finished.failed, s.contexts.live, s.contexts.seen]],
        },
        {
          title: 'Slowest phases',
          columns: ['phase', 'runs', 'mean ms', 'max ms', 'slowest context'],
          rows: s.slowestPhases.slice(0, TOP).map((p) => [p.phase, p.count, round(p.meanMs), round(p.maxMs), p.slowestContextId]),
        },
        {
          title: 'Most frequent errors',
          columns: ['field', 'rule', 'severity', 'count'],
          rows: s.topErrors.slice(0, TOP).map((e) => [e.field || '(record)', e.rule, e.severity, e.count]),
          empty: 'no validation errors yet',
        },
      ];
    },
  };
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}
