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
export type { AlertEngineOptions, AlertEngineStats, StepOptions } from './alerts/alert-engine.js';
export type { AlertChange, AlertLabels, AlertSeverity, AlertState, LabelValue, RuleKind } from './alerts/alert-change.js';
export type {
  AbsenceRuleOptions,
  AnomalyRuleOptions,
  CommonRuleOptions,
  SequenceRuleOptions,
  SequenceStep,
  ThresholdAggregate,
  ThresholdRuleOptions,
} from './alerts/rule-options.js';
export type { Duration } from './alerts/duration.js';
export type { RuleState } from './alerts/rule-runtime.js';
export type { RuleSpec } from './alerts/rule-spec.js';
export type { RuleError } from './alerts/rule-error.js';
export { loadRuleFile, parseRules } from './alerts/rule-file.js';
export type { RuleFile } from './alerts/rule-file.js';
export type { AlertSink } from './alerts/alert-sink.js';
export { webhookSink } from './alerts/sinks/webhook-sink.js';
export type { WebhookSinkOptions } from './alerts/sinks/webhook-sink.js';
export { alertmanagerSink } from './alerts/sinks/alertmanager-sink.js';
export type { AlertmanagerSinkOptions } from './alerts/sinks/alertmanager-sink.js';
export type { SinkStats } from './alerts/sinks/http-delivery.js';

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
