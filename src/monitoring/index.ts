/**
 * dotbus/monitoring: performance coordination, validation monitoring, alerting and windowed aggregation.
 *
 * Uses core only through `../index.js` and `../internal.js`; loads nothing heavy.
 */

// Performance
export { EventDrivenPerformanceCoordinator } from './coordinator.js';
export type { CoordinatorOptions, CoordinatorStats, PerformanceScope, PhaseEnd } from './coordinator.js';

// Validation monitoring
export { ValidationMonitoringService } from './validation-monitoring-service.js';
export type { ValidationMonitoringOptions } from './validation-monitoring-service.js';
export type {
  ContextCounts,
  ContextStatus,
  ContextView,
  ErrorStat,
  FieldErrorView,
  MonitoringSummary,
  PhaseStat,
  PhaseView,
} from './validation-view.js';

// Alerting
export { AlertEngine } from './alerts/alert-engine.js';
export type { AlertEngineOptions, AlertSource } from './alerts/alert-engine.js';
export type { AlertSeverity, AnomalyRuleOptions, MatchRuleOptions, RuleOptions, RuleState, ThresholdRuleOptions } from './alerts/alert-rules.js';

// Windowed aggregation
export { WindowAggregator } from './aggregation/window-aggregator.js';
export type { AggregatorSource, AggregatorStats } from './aggregation/window-aggregator.js';
export type { WindowAggregatorOptions } from './aggregation/aggregator-options.js';
export type { GroupPath, PathsTo, ValuePath } from './aggregation/field-path.js';
