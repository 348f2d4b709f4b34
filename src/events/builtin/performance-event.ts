import { Type } from '@sinclair/typebox';
import { defineEvent, type EventOfDefinition } from '../define-event.js';
import { FieldPathSchema } from './field-path.js';
import { ResourceUsageSchema } from './resource-usage.js';

/** Status of a phase or operation. */
export const WorkStatusSchema = Type.Union([Type.Literal('started'), Type.Literal('completed'), Type.Literal('failed')]);

/**
 * Timings and resource usage of monitored work.
 *
 * @remarks Spec: `PerformanceEvent` / `IPerformanceEvent`. One definition for the four
 * `performance.*` types the spec names.
 */
export const PerformanceEvent = defineEvent({
  name: 'PerformanceEvent',
  type: [
    'performance.metric.recorded',
    'performance.phase.start',
    'performance.phase.complete',
    'performance.operation.complete',
  ],
  version: '1.0.0',
  schema: Type.Object({
    contextId: Type.String({ minLength: 1, description: 'The unit of work being monitored, e.g. a request or batch id' }),
    fieldPath: FieldPathSchema,
    operation: Type.String({ minLength: 1 }),
    durationMs: Type.Number({ minimum: 0 }),
    resourceUsage: ResourceUsageSchema,
    phase: Type.String({ minLength: 1 }),
    status: WorkStatusSchema,
    error: Type.Optional(Type.String({ description: 'Error message when status is failed' })),
  }),
});

/** Any performance event. @remarks Spec: `IPerformanceEvent`. */
export type PerformanceEvent = EventOfDefinition<typeof PerformanceEvent>;
