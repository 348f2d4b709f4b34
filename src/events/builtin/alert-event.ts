import { Type } from '@sinclair/typebox';
import { defineEvent, type EventOfDefinition } from '../define-event.js';

/**
 * An alert rule changed state: it fired on a pattern of events, or the condition cleared.
 *
 * @remarks Spec: "Future Integration Points — Alerting: event patterns trigger alert rules;
 * complex event processing for anomaly detection". Published by `AlertEngine` in `dotbus/monitoring`.
 */
export const AlertEvent = defineEvent({
  name: 'AlertEvent',
  type: ['alert.triggered', 'alert.resolved'],
  version: '1.0.0',
  schema: Type.Object({
    rule: Type.String({ minLength: 1 }),
    severity: Type.Union([Type.Literal('info'), Type.Literal('warning'), Type.Literal('critical')]),
    kind: Type.Union([Type.Literal('match'), Type.Literal('threshold'), Type.Literal('anomaly')]),
    message: Type.String(),
    pattern: Type.String(),
    eventType: Type.String({ description: 'Type of the event that changed the state' }),
    eventId: Type.String(),
    count: Type.Optional(Type.Integer({ minimum: 0, description: 'Matching events in the window (threshold rules)' })),
    windowMs: Type.Optional(Type.Number({ minimum: 0 })),
    value: Type.Optional(Type.Number({ description: 'The observed value (anomaly rules)' })),
    mean: Type.Optional(Type.Number()),
    stdDev: Type.Optional(Type.Number({ minimum: 0 })),
  }),
});

/** Any `alert.*` event. */
export type AlertEvent = EventOfDefinition<typeof AlertEvent>;
