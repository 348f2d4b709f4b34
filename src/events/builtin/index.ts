import { AlertEvent } from './alert-event.js';
import { MetricsWindowEvent } from './metrics-window-event.js';
import { PerformanceEvent } from './performance-event.js';
import { SystemErrorEvent, SystemHealthEvent } from './system-events.js';
import { ValidationEvent } from './validation-event.js';

/** Every built-in definition; every bus and codec knows them. */
export const BUILT_IN_EVENTS = [PerformanceEvent, ValidationEvent, SystemHealthEvent, SystemErrorEvent, AlertEvent, MetricsWindowEvent] as const;

/** The union of every built-in event. */
export type BuiltInEvent = PerformanceEvent | ValidationEvent | SystemHealthEvent | SystemErrorEvent | AlertEvent | MetricsWindowEvent;

export { PerformanceEvent, ValidationEvent, SystemHealthEvent, SystemErrorEvent, AlertEvent, MetricsWindowEvent };
