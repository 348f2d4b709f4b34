/**
 * dotbus/monitoring: performance coordination, validation monitoring, and a validation pipeline
 * to monitor.
 *
 * Uses core only through `dotbus` (`../index.js`); loads nothing heavy.
 */

// Performance
export { EventDrivenPerformanceCoordinator } from './coordinator.js';
export type { CoordinatorOptions, CoordinatorStats, PerformanceScope, PhaseEnd } from './coordinator.js';
export { ResourceMeter } from './resource-meter.js';
export type { ResourceMark, ResourceMeterOptions } from './resource-meter.js';
export type { EventSink } from './event-sink.js';

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

// Validation pipeline
export { RecordValidator } from './record-validator.js';
export type { Report, Rule } from './record-validator.js';
export { ValidationPipeline } from './validation-pipeline.js';
export type { PipelineResult, ProgressListener, ValidationPipelineOptions } from './validation-pipeline.js';
export { createOrderValidator, ORDER_RULES, SHIPPING_COUNTRIES, CURRENCIES, HIGH_VALUE_TOTAL } from './order-rules.js';
export type { Address, Customer, Order, OrderItem } from './order.js';
export { generateOrders } from './dataset.js';
export type { Dataset, DatasetOptions } from './dataset.js';

// Alerting
export { AlertEngine } from './alerts/alert-engine.js';
export type { AlertEngineOptions, AlertSource } from './alerts/alert-engine.js';
export type { AlertSeverity, AnomalyRuleOptions, MatchRuleOptions, RuleOptions, RuleState, ThresholdRuleOptions } from './alerts/alert-rules.js';
export { RunningStats } from './alerts/running-stats.js';
export { SlidingWindow } from './alerts/sliding-window.js';
