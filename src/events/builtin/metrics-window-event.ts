import { Type } from '@sinclair/typebox';
import { defineEvent, type EventOfDefinition } from '../define-event.js';

/**
 * One closed window of a windowed aggregation: how many events of a group fell in it, their rate
 * and, when the aggregation reads a value, its sum, extremes, mean and quantiles.
 *
 * @remarks Spec: "Metrics Aggregation — real-time aggregation through stream processing".
 * Published by `WindowAggregator` in `dotbus/monitoring`, so alert rules and dashboards consume
 * windows like any other event. The event's `timestamp` is the window's end (event time), so the
 * same events give the same windows live and on replay. Quantiles are estimates whose relative
 * error is at most `relativeAccuracy` (see `WindowAggregator`).
 */
export const MetricsWindowEvent = defineEvent({
  name: 'MetricsWindowEvent',
  type: 'metrics.window.closed',
  version: '1.0.0',
  schema: Type.Object({
    aggregation: Type.String({ minLength: 1, description: 'Name of the aggregation' }),
    pattern: Type.String({ description: 'The subscription pattern the aggregation reads' }),
    field: Type.Optional(Type.String({ description: 'Path of the aggregated value, e.g. `data.durationMs`' })),
    group: Type.Record(Type.String(), Type.String(), { description: 'Group-by path → value, e.g. `{ "data.operation": "parse" }`' }),
    start: Type.String({ description: 'Window start, RFC 3339 UTC (inclusive)' }),
    end: Type.String({ description: 'Window end, RFC 3339 UTC (exclusive)' }),
    windowMs: Type.Number({ exclusiveMinimum: 0 }),
    slideMs: Type.Number({ exclusiveMinimum: 0, description: 'Equal to windowMs for tumbling windows' }),
    count: Type.Integer({ minimum: 0 }),
    rate: Type.Number({ minimum: 0, description: 'Events per second over the window' }),
    sum: Type.Optional(Type.Number()),
    min: Type.Optional(Type.Number()),
    max: Type.Optional(Type.Number()),
    mean: Type.Optional(Type.Number()),
    quantiles: Type.Optional(Type.Record(Type.String(), Type.Number(), { description: 'e.g. `{ p50, p95, p99 }`' })),
    relativeAccuracy: Type.Optional(Type.Number({ exclusiveMinimum: 0, description: 'Bound on the relative error of each quantile' })),
    lateEvents: Type.Integer({ minimum: 0, description: 'Events refused as late since the aggregation started' }),
    futureEvents: Type.Integer({ minimum: 0, description: 'Events refused as too far ahead of the clock since the aggregation started' }),
    evictedGroups: Type.Integer({ minimum: 0, description: 'Groups evicted at the cap since the aggregation started' }),
  }),
});

/** A `metrics.window.closed` event. */
export type MetricsWindowEvent = EventOfDefinition<typeof MetricsWindowEvent>;
