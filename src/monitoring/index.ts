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

// Measurements for exporters (dotbus/prometheus, dotbus/otel, your own)
export { DEFAULT_DURATION_BUCKETS, feedMeasurements } from './measurement-feed.js';
export type { MeasurementFeedOptions, MeasurementSink, OperationLabels, PhaseLabels, ValidationErrorLabels, ValidationLabels } from './measurement-feed.js';
export { LabelLimiter } from './label-limiter.js';
export type { LabelLimiterOptions } from './label-limiter.js';
export { streamGroupSeries } from './stream-groups.js';
export type { StreamGroupInfo, StreamGroupSeries, StreamGroupSource } from './stream-groups.js';

// Windowed aggregation
export { WindowAggregator } from './aggregation/window-aggregator.js';
export type { AggregatorSource, AggregatorStats } from './aggregation/window-aggregator.js';
export type { WindowAggregatorOptions } from './aggregation/aggregator-options.js';
export type { GroupPath, PathsTo, ValuePath } from './aggregation/field-path.js';
